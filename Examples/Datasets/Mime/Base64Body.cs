namespace MlNetRnn.Examples.Datasets.Mime;

/// <summary>
/// Lenient base64 decoding of a MIME body (RFC 2045 section 6.8): line breaks and any other character outside the
/// alphabet are skipped, "=" ends a group (so bodies that concatenate several padded blocks still decode), and a
/// truncated last group yields the whole bytes it holds. Convert.FromBase64String rejects all of these, which mail
/// (spam especially) contains.
/// </summary>
public static class Base64Body
{
    /// <summary>Decodes the base64 text in <paramref name="encoded"/>.</summary>
    public static byte[] Decode(ReadOnlySpan<byte> encoded)
    {
        var output = new byte[encoded.Length * 3 / 4 + 3];
        var length = 0;
        var accumulator = 0;
        var bits = 0;
        foreach (var symbol in encoded)
        {
            if (symbol == (byte)'=')
            {
                // Padding: the bits left over belong to no byte; a following block starts afresh.
                accumulator = 0;
                bits = 0;
                continue;
            }
            var value = SextetOf(symbol);
            if (value < 0)
                continue;
            accumulator = (accumulator << 6) | value;
            bits += 6;
            if (bits >= 8)
            {
                bits -= 8;
                output[length++] = (byte)(accumulator >> bits);
                accumulator &= (1 << bits) - 1;
            }
        }
        return output.AsSpan(0, length).ToArray();
    }

    private static int SextetOf(byte symbol) => symbol switch
    {
        >= (byte)'A' and <= (byte)'Z' => symbol - 'A',
        >= (byte)'a' and <= (byte)'z' => symbol - 'a' + 26,
        >= (byte)'0' and <= (byte)'9' => symbol - '0' + 52,
        (byte)'+' => 62,
        (byte)'/' => 63,
        _ => -1,
    };
}
