using System.Text.RegularExpressions;
using MlNetRnn.Examples.Mail;

namespace MlNetRnn.Examples.Datasets;

/// <summary>
/// Cleans a Project Gutenberg plain-text e-book: bytes decoded as UTF-8 when valid, else windows-1252 (older files
/// are Latin-1); a byte-order mark dropped; "\r\n" and "\r" become "\n"; when the file has the
/// "*** START OF ... ***" and "*** END OF ... ***" lines (or the older "*END*THE SMALL PRINT!" header), only the text
/// between them is kept; a closing "End of (the) Project Gutenberg ..." line is dropped; outer blank lines trimmed.
/// </summary>
public static partial class GutenbergText
{
    [GeneratedRegex(@"^\*{3}\s*START OF (THE|THIS) PROJECT GUTENBERG.*$|^\*END\*THE SMALL PRINT!.*$",
        RegexOptions.Multiline | RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex StartMarkerPattern();

    [GeneratedRegex(@"^\*{3}\s*END OF (THE|THIS) PROJECT GUTENBERG.*$|^\s*End of (the )?Project Gutenberg.*$",
        RegexOptions.Multiline | RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex EndMarkerPattern();

    /// <summary>Decodes and cleans the raw bytes of an e-book.</summary>
    public static string Clean(byte[] raw)
    {
        ArgumentNullException.ThrowIfNull(raw);
        return Clean(CharsetDecoder.DecodeUnlabelled(raw));
    }

    /// <summary>Cleans the text of an e-book.</summary>
    public static string Clean(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var normalized = text.TrimStart('\uFEFF').Replace("\r\n", "\n").Replace('\r', '\n');
        var start = StartMarkerPattern().Match(normalized);
        if (start.Success)
            normalized = normalized[(start.Index + start.Length)..];
        var end = EndMarkerPattern().Match(normalized);
        if (end.Success)
            normalized = normalized[..end.Index];
        return normalized.Trim('\n', ' ', '\t');
    }
}
