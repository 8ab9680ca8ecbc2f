namespace MlNetRnn.Tests.Integrity;

/// <summary>
/// The byte-level damage every file kind gets, seeded: bits flipped, bytes set (0, 0xFF or random), the file cut
/// short, random bytes inserted, a run zeroed. The mutators of model files (<see cref="ModelFileMutator"/>) and ONNX
/// files (<see cref="OnnxFileMutator"/>) call it with their generator, so a case replays from its number alone.
/// </summary>
internal static class ByteMutations
{
    public static readonly string[] Categories = ["bit-flip", "byte-set", "truncate", "insert", "zero-run"];

    /// <summary>A damaged copy of <paramref name="original"/> and what was done to it.</summary>
    public static (byte[] Bytes, string Description) Apply(string category, byte[] original, Random random)
    {
        var bytes = (byte[])original.Clone();
        switch (category)
        {
            case "bit-flip":
            {
                var flips = 1 + random.Next(8);
                var positions = new List<string>();
                for (var i = 0; i < flips; i++)
                {
                    var at = random.Next(bytes.Length);
                    var bit = random.Next(8);
                    bytes[at] ^= (byte)(1 << bit);
                    positions.Add($"{at}.{bit}");
                }
                return (bytes, $"flipped bits at {string.Join(", ", positions)}");
            }
            case "byte-set":
            {
                var changes = new List<string>();
                for (var i = 1 + random.Next(4); i > 0; i--)
                {
                    var at = random.Next(bytes.Length);
                    bytes[at] = random.Next(3) switch { 0 => 0, 1 => 0xFF, _ => (byte)random.Next(256) };
                    changes.Add($"{at}={bytes[at]:x2}");
                }
                return (bytes, $"set bytes {string.Join(", ", changes)}");
            }
            case "truncate":
            {
                var length = random.Next(bytes.Length);
                return (bytes[..length], $"cut to {length} of {original.Length} bytes");
            }
            case "insert":
            {
                var at = random.Next(bytes.Length + 1);
                var inserted = new byte[1 + random.Next(16)];
                random.NextBytes(inserted);
                return ([.. bytes[..at], .. inserted, .. bytes[at..]], $"inserted {inserted.Length} bytes at {at}");
            }
            case "zero-run":
            {
                var at = random.Next(bytes.Length);
                var length = Math.Min(1 + random.Next(64), bytes.Length - at);
                Array.Clear(bytes, at, length);
                return (bytes, $"zeroed {length} bytes at {at}");
            }
            default:
                throw new ArgumentException($"'{category}' is not a byte-level mutation; expected one of {string.Join(", ", Categories)}.", nameof(category));
        }
    }
}
