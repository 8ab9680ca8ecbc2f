using System.Text;
using System.Text.RegularExpressions;

namespace MlNetRnn.Examples.Datasets.Mime;

/// <summary>
/// Decodes a raw header value into text (RFC 2047): encoded-words "=?charset?B?base64?=" and "=?charset?Q?text?=" are
/// decoded with their charset; blanks between two adjacent encoded-words are dropped (section 6.2); consecutive words
/// in one charset are joined as bytes first, so a multi-byte character split across two words survives. Text outside
/// encoded-words is raw header bytes (one char per byte) and is decoded as UTF-8 when valid, else windows-1252.
/// </summary>
public static partial class EncodedWords
{
    [GeneratedRegex(@"=\?([^?\s]+)\?([BbQq])\?([^?\s]*)\?=", RegexOptions.CultureInvariant)]
    private static partial Regex EncodedWordPattern();

    /// <summary>The text of a raw header value (see <see cref="HeaderField.RawValue"/>).</summary>
    public static string Decode(string rawValue)
    {
        ArgumentNullException.ThrowIfNull(rawValue);
        var output = new StringBuilder(rawValue.Length);
        var pendingBytes = new List<byte>();
        string? pendingCharset = null;
        var position = 0;
        foreach (Match match in EncodedWordPattern().Matches(rawValue))
        {
            var gap = rawValue[position..match.Index];
            var charset = match.Groups[1].Value;
            var adjacentToWord = pendingCharset is not null && string.IsNullOrWhiteSpace(gap);
            if (!adjacentToWord || CharsetDecoder.NormalizeName(charset) != CharsetDecoder.NormalizeName(pendingCharset))
            {
                Flush(output, pendingBytes, ref pendingCharset);
                if (!adjacentToWord)
                    output.Append(DecodeRaw(gap));
            }
            var latinBytes = Encoding.Latin1.GetBytes(match.Groups[3].Value);
            var decoded = match.Groups[2].Value is "B" or "b"
                ? Base64Body.Decode(latinBytes)
                : QuotedPrintable.DecodeEncodedWord(latinBytes);
            pendingBytes.AddRange(decoded);
            pendingCharset = charset;
            position = match.Index + match.Length;
        }
        Flush(output, pendingBytes, ref pendingCharset);
        output.Append(DecodeRaw(rawValue[position..]));
        return output.ToString();
    }

    private static void Flush(StringBuilder output, List<byte> pendingBytes, ref string? pendingCharset)
    {
        if (pendingCharset is null)
            return;
        output.Append(CharsetDecoder.Decode(pendingBytes.ToArray(), pendingCharset));
        pendingBytes.Clear();
        pendingCharset = null;
    }

    private static string DecodeRaw(string latinText) =>
        latinText.Length == 0 ? "" : CharsetDecoder.DecodeUnlabelled(Encoding.Latin1.GetBytes(latinText));
}
