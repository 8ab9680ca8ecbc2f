using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace MlNetRnn.Tests.Integrity;

/// <param name="Strict">Whether only a refusal or an identical load is acceptable (see <see cref="Outcome.LoadedOther"/>).</param>
internal sealed record Mutation(string Category, string Description, byte[] Bytes, bool Strict);

/// <summary>
/// Damages a model file or checkpoint, seeded. Byte level: bit flips, changed bytes, truncation, insertion, a zeroed
/// run. Zip level: an entry removed, duplicated or renamed, its compression method relabelled, its CRC or declared
/// sizes changed, its content truncated. Structure-aware: a field of a JSON entry (model.json, checkpoint.json,
/// checksums.json) rewritten (dims 0/-1/2^31, huge or negative counts, NaN/Inf, nulls, wrong enum values and types,
/// huge strings, labels and vocabulary that lie, elements removed or duplicated), and values of a float entry
/// (NaN/Inf, bits flipped, length changed). A rewritten entry gets a fresh zip CRC, as a writer would give it; in a
/// file with a manifest the manifest stays as written (the file changed after it was saved: strict oracle), in a file
/// without one nothing else can tell (relaxed oracle: <see cref="Outcome.LoadedOther"/> allowed).
/// </summary>
internal static class ModelFileMutator
{
    public static readonly string[] Categories =
    [
        "bit-flip", "byte-set", "truncate", "insert", "zero-run",
        "remove-entry", "duplicate-entry", "rename-entry", "relabel-method", "crc", "size-lie", "compressed-size-lie", "truncate-entry",
        "json-field", "json-field", "json-field", "json-field", "json-huge-string", "float-edit", "float-edit",
    ];

    // Fields whose damage matters most; half of the JSON rewrites pick among them, the other half among all fields.
    private static readonly string[] Interesting =
    [
        "Spec", "Schema.Task", "Schema.Input", "Schema.Labels", "Schema.Vocabulary", "Schema.VocabularySize", "Schema.FeatureWidth",
        "Schema.Featurizer", "Schema.ValueCount", "Schema.ValuesPerStep", "Options.Task", "Options.Threads", "Options.Kernel",
        "Options.ClassWeights", "Parameters", "History", "RestoredEpoch", "Format", "CompletedEpochs", "RandomState",
        "OptimizerKind", "OptimizerSteps", "OptimizerBuffers", "BestLoss", "BestEpoch", "EpochsWithoutImprovement",
        "HasBest", "Stopped", "Entries",
    ];

    public static Mutation Mutate(SeedFile seed, Random random)
    {
        var bytes = (byte[])seed.Bytes.Clone();
        var category = Categories[random.Next(Categories.Length)];
        var strict = true;
        string description;
        switch (category)
        {
            case "bit-flip" or "byte-set" or "truncate" or "insert" or "zero-run":
                (bytes, description) = ByteMutations.Apply(category, bytes, random);
                break;
            case "remove-entry":
            {
                var contents = ZipContents.Read(bytes);
                var item = Pick(random, contents.Items);
                contents.Items.Remove(item);
                bytes = contents.ToZip();
                description = $"removed '{item.Name}'";
                break;
            }
            case "duplicate-entry":
            {
                var contents = ZipContents.Read(bytes);
                var item = Pick(random, contents.Items);
                var copy = random.Next(2) == 0 ? item : item with { Content = [.. item.Content, (byte)' '] };
                contents.Items.Insert(random.Next(contents.Items.Count + 1), copy);
                bytes = contents.ToZip();
                description = $"'{item.Name}' twice{(copy == item ? "" : ", the copy one byte longer")}";
                break;
            }
            case "rename-entry":
            {
                var contents = ZipContents.Read(bytes);
                var index = random.Next(contents.Items.Count);
                var name = contents.Items[index].Name;
                var renamed = random.Next(4) switch
                {
                    0 => Pick(random, contents.Items).Name,
                    1 => name.ToUpperInvariant(),
                    2 => name + ".old",
                    _ => "dir/" + name,
                };
                contents.Items[index] = contents.Items[index] with { Name = renamed };
                bytes = contents.ToZip();
                description = $"renamed '{name}' to '{renamed}'";
                break;
            }
            case "relabel-method":
            {
                var entry = Pick(random, ZipLayout.Parse(bytes).Entries);
                var method = (ushort)new[] { 0, 8, 9, 12, 14, 93, 99, 1234 }[random.Next(8)];
                var where = random.Next(3);
                if (where != 1)
                    ZipLayout.SetU16(bytes, entry.Central + ZipLayout.CentralMethod, method);
                if (where != 0)
                    ZipLayout.SetU16(bytes, entry.Local + ZipLayout.LocalMethod, method);
                description = $"'{entry.Name}' compression method {method} in the {Where(where)}";
                break;
            }
            case "crc":
            {
                var entry = Pick(random, ZipLayout.Parse(bytes).Entries);
                var mask = (uint)random.Next(1, int.MaxValue);
                var where = random.Next(3);
                if (where != 1)
                    ZipLayout.SetU32(bytes, entry.Central + ZipLayout.CentralCrc, ZipLayout.U32(bytes, entry.Central + ZipLayout.CentralCrc) ^ mask);
                if (where != 0)
                    ZipLayout.SetU32(bytes, entry.Local + ZipLayout.LocalCrc, ZipLayout.U32(bytes, entry.Local + ZipLayout.LocalCrc) ^ mask);
                description = $"'{entry.Name}' CRC xor {mask:x8} in the {Where(where)}";
                break;
            }
            case "size-lie" or "compressed-size-lie":
            {
                var entry = Pick(random, ZipLayout.Parse(bytes).Entries);
                var (central, local) = category == "size-lie"
                    ? (ZipLayout.CentralSize, ZipLayout.LocalSize)
                    : (ZipLayout.CentralCompressedSize, ZipLayout.LocalCompressedSize);
                var old = ZipLayout.U32(bytes, entry.Central + central);
                var size = random.Next(7) switch
                {
                    0 => old - 1, 1 => old + 1, 2 => old * 2, 3 => 1_500_000_000u, 4 => 0xFFFF_FFFFu, 5 => 0u, _ => old / 2,
                };
                var where = random.Next(3);
                if (where != 1)
                    ZipLayout.SetU32(bytes, entry.Central + central, size);
                if (where != 0)
                    ZipLayout.SetU32(bytes, entry.Local + local, size);
                description = $"'{entry.Name}' {(category == "size-lie" ? "size" : "compressed size")} {old} -> {size} in the {Where(where)}";
                break;
            }
            case "truncate-entry":
            {
                var contents = ZipContents.Read(bytes);
                var item = Pick(random, contents.Items);
                var length = item.Content.Length == 0 ? 0 : random.Next(item.Content.Length);
                contents[item.Name] = item.Content[..length];
                bytes = contents.ToZip();
                description = $"'{item.Name}' content cut to {length} of {item.Content.Length} bytes (fresh CRC)";
                break;
            }
            case "float-edit":
            {
                var contents = ZipContents.Read(bytes);
                var item = Pick(random, contents.Items.Where(i => i.Name.EndsWith(".bin", StringComparison.Ordinal)).ToList());
                (contents[item.Name], description) = EditFloats(item.Content, random);
                description = $"'{item.Name}' {description} (fresh CRC)";
                bytes = contents.ToZip();
                strict = seed.HasManifest;
                break;
            }
            default:
            {
                var contents = ZipContents.Read(bytes);
                var item = Pick(random, contents.Items.Where(i => i.Name.EndsWith(".json", StringComparison.Ordinal)).ToList());
                (contents[item.Name], description) = category == "json-huge-string"
                    ? HugeString(item.Content, random)
                    : EditJson(item.Content, random);
                description = $"'{item.Name}' {description} (fresh CRC)";
                bytes = contents.ToZip();
                strict = seed.HasManifest;
                break;
            }
        }
        return new Mutation(category, description, bytes, strict);
    }

    private static string Where(int where) => where switch { 0 => "central directory", 1 => "local header", _ => "central directory and local header" };

    internal static T Pick<T>(Random random, IReadOnlyList<T> items) => items[random.Next(items.Count)];

    private static (byte[], string) EditFloats(byte[] content, Random random)
    {
        var floats = System.Runtime.InteropServices.MemoryMarshal.Cast<byte, float>(content.AsSpan()).ToArray();
        switch (random.Next(8))
        {
            case 0:
                return (content[..^Math.Min(content.Length, 1 + random.Next(8))], "shortened");
            case 1:
                return ([.. content, 0, 0, 128, 63], "one float longer");
            default:
            {
                if (floats.Length == 0)
                    return (content, "empty, unchanged");
                var at = random.Next(floats.Length);
                var (value, what) = DamageFloat(floats[at], random.Next(6), random);
                floats[at] = value;
                return (System.Runtime.InteropServices.MemoryMarshal.AsBytes(floats.AsSpan()).ToArray(), $"float {at} {what}");
            }
        }
    }

    /// <summary>A weight's damage: NaN, ±Infinity, 3e38 (finite, but overflows what it touches), negated, a bit flipped.</summary>
    internal static (float Value, string What) DamageFloat(float current, int kind, Random random) => kind switch
    {
        0 => (float.NaN, "NaN"),
        1 => (float.PositiveInfinity, "+Infinity"),
        2 => (float.NegativeInfinity, "-Infinity"),
        3 => (3e38f, "3e38"),
        4 => (-current, "negated"),
        _ => (BitConverter.Int32BitsToSingle(BitConverter.SingleToInt32Bits(current) ^ (1 << random.Next(32))), "a bit flipped"),
    };

    internal static (byte[], string) HugeString(byte[] content, Random random)
    {
        var root = JsonNode.Parse(content)!;
        var strings = Nodes(root).Where(n => n.Node is JsonValue v && v.GetValueKind() == JsonValueKind.String).ToList();
        if (strings.Count == 0)
            return (content, "no string, unchanged");
        var target = Pick(random, strings);
        var length = (1 + random.Next(4)) << 20;
        Replace(target, JsonValue.Create(new string((char)('A' + random.Next(26)), length)));
        return (Write(root), $"{target.Path}: a string of {length} characters");
    }

    internal static (byte[], string) EditJson(byte[] content, Random random)
    {
        JsonNode? root = JsonNode.Parse(content);
        var all = Nodes(root!).ToList();
        var interesting = all.Where(n => Interesting.Any(prefix => n.Path.StartsWith(prefix, StringComparison.Ordinal))).ToList();
        var target = random.Next(2) == 0 && interesting.Count > 0 ? Pick(random, interesting) : Pick(random, all);
        string what;
        switch (target.Node)
        {
            case JsonArray array when random.Next(3) > 0 && array.Count > 0:
            {
                var i = random.Next(array.Count);
                switch (random.Next(5))
                {
                    case 0:
                        array.RemoveAt(i);
                        what = $"element {i} removed";
                        break;
                    case 1:
                        array.Insert(i, array[i]?.DeepClone());
                        what = $"element {i} duplicated";
                        break;
                    case 2:
                        var value = Damage(random);
                        what = $"{Show(value)} appended";
                        array.Add(value);
                        break;
                    case 3:
                        var j = random.Next(array.Count);
                        (array[i], array[j]) = (array[j]?.DeepClone(), array[i]?.DeepClone());
                        what = $"elements {i} and {j} swapped";
                        break;
                    default:
                        var replacement = Damage(random);
                        what = $"element {i} -> {Show(replacement)}";
                        array[i] = replacement;
                        break;
                }
                break;
            }
            case JsonObject obj when random.Next(3) > 0 && obj.Count > 0:
            {
                var key = obj.ElementAt(random.Next(obj.Count)).Key;
                if (random.Next(2) == 0)
                {
                    obj.Remove(key);
                    what = $"property '{key}' removed";
                }
                else
                {
                    var value = Damage(random);
                    obj[key] = value;
                    what = $"'{key}' -> {Show(value)}";
                }
                break;
            }
            default:
            {
                var value = Damage(random);
                what = $"-> {Show(value)}";
                if (target.Parent is null)
                    root = value;
                else
                    Replace(target, value);
                break;
            }
        }
        return (root is null ? "null"u8.ToArray() : Write(root), $"{(target.Path.Length == 0 ? "(root)" : target.Path)}: {what}");
    }

    /// <summary>Values that are out of range, of the wrong type or lie for most fields (a few are in range for some).</summary>
    private static JsonNode? Damage(Random random) => random.Next(30) switch
    {
        0 => null,
        1 => 0,
        2 => -1,
        3 => 1,
        4 => int.MaxValue,
        5 => 2147483648L,
        6 => int.MinValue,
        7 => JsonValue.Create(9223372036854775808m),
        8 => 1e308,
        9 => -1e308,
        10 => 0.5,
        11 => "NaN",
        12 => "Infinity",
        13 => "-Infinity",
        14 => true,
        15 => false,
        16 => "",
        17 => "Bogus",
        18 => "<pad>",
        19 => "<unk>",
        20 => 42,
        21 => 20000,
        22 => 46341,
        23 => 1 << 30,
        24 => new JsonArray(),
        25 => new JsonObject(),
        26 => new JsonArray(1, 2, 3),
        27 => "Gru, Lstm",
        28 => -2,
        _ => 65536,
    };

    private static string Show(JsonNode? value) => value is null ? "null" : value.ToJsonString();

    private sealed record Located(JsonNode? Node, JsonNode? Parent, string Path, int Index, string? Key);

    private static IEnumerable<Located> Nodes(JsonNode root)
    {
        var stack = new Stack<Located>();
        stack.Push(new Located(root, null, "", -1, null));
        while (stack.Count > 0)
        {
            var current = stack.Pop();
            yield return current;
            switch (current.Node)
            {
                case JsonObject obj:
                    foreach (var (key, child) in obj)
                        stack.Push(new Located(child, obj, current.Path.Length == 0 ? key : $"{current.Path}.{key}", -1, key));
                    break;
                case JsonArray array:
                    for (var i = 0; i < array.Count; i++)
                        stack.Push(new Located(array[i], array, $"{current.Path}[{i}]", i, null));
                    break;
            }
        }
    }

    private static void Replace(Located target, JsonNode? value)
    {
        switch (target.Parent)
        {
            case JsonObject obj:
                obj[target.Key!] = value;
                break;
            case JsonArray array:
                array[target.Index] = value;
                break;
        }
    }

    private static byte[] Write(JsonNode root) => Encoding.UTF8.GetBytes(root.ToJsonString(new JsonSerializerOptions { WriteIndented = true }));
}
