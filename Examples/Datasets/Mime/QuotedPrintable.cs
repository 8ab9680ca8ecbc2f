namespace MlNetRnn.Examples.Datasets.Mime;

/// <summary>
/// Quoted-printable decoding (RFC 2045 section 6.7) on bytes, before any charset is applied:
/// "=XX" (hex, either case) is one byte; "=" at the end of a line (trailing spaces allowed) is a soft line break and
/// disappears together with the line break; any other "=" is kept as it is, as lenient readers do.
/// The "Q" encoding of RFC 2047 encoded-words is the same with "_" meaning a space and no line breaks.
/// </summary>
public static class QuotedPrintable
{
    /// <summary>Decodes a quoted-printable body.</summary>
    public static byte[] Decode(ReadOnlySpan<byte> encoded) => Decode(encoded, underscoreIsSpace: false);

    /// <summary>Decodes the text of a "Q" encoded-word (RFC 2047 section 4.2).</summary>
    public static byte[] DecodeEncodedWord(ReadOnlySpan<byte> encoded) => Decode(encoded, underscoreIsSpace: true);

    private static byte[] Decode(ReadOnlySpan<byte> encoded, bool underscoreIsSpace)
    {
        var output = new byte[encoded.Length];
        var length = 0;
        var index = 0;
        while (index < encoded.Length)
        {
            var current = encoded[index];
            if (current == (byte)'_' && underscoreIsSpace)
            {
                output[length++] = (byte)' ';
                index++;
                continue;
            }
            if (current != (byte)'=')
            {
                output[length++] = current;
                index++;
                continue;
            }
            if (index + 2 < encoded.Length && TryHexValue(encoded[index + 1], out var high) && TryHexValue(encoded[index + 2], out var low))
            {
                output[length++] = (byte)(high * 16 + low);
                index += 3;
                continue;
            }
            var afterBlanks = index + 1;
            while (afterBlanks < encoded.Length && (encoded[afterBlanks] == (byte)' ' || encoded[afterBlanks] == (byte)'\t'))
                afterBlanks++;
            if (afterBlanks == encoded.Length)
            {
                index = afterBlanks;
                continue;
            }
            if (encoded[afterBlanks] == (byte)'\n')
            {
                index = afterBlanks + 1;
                continue;
            }
            if (encoded[afterBlanks] == (byte)'\r' && afterBlanks + 1 < encoded.Length && encoded[afterBlanks + 1] == (byte)'\n')
            {
                index = afterBlanks + 2;
                continue;
            }
            output[length++] = current;
            index++;
        }
        return output.AsSpan(0, length).ToArray();
    }

    private static bool TryHexValue(byte digit, out int value)
    {
        value = digit switch
        {
            >= (byte)'0' and <= (byte)'9' => digit - '0',
            >= (byte)'A' and <= (byte)'F' => digit - 'A' + 10,
            >= (byte)'a' and <= (byte)'f' => digit - 'a' + 10,
            _ => -1,
        };
        return value >= 0;
    }
}
