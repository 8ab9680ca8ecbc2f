using System.Net;
using System.Text;
using System.Text.RegularExpressions;

namespace MlNetRnn.Examples.Mail;

/// <summary>
/// Reduces HTML to the text a reader sees: comments, script and style elements are dropped with their content;
/// other tags are removed, block-level tags (p, br, div, tr, li, h1-h6, table, hr, title, ...) becoming line breaks
/// and cells a space; character references are decoded (WebUtility.HtmlDecode: named, decimal and hex);
/// non-breaking spaces become spaces, runs of blanks one space, and more than one empty line one empty line.
/// A "&lt;" that does not start a tag (not followed by a letter, '/', '!' or '?') is text.
/// </summary>
public static partial class HtmlToText
{
    private static readonly HashSet<string> LineBreakTags = new(StringComparer.Ordinal)
    {
        "br", "p", "div", "tr", "li", "ul", "ol", "dl", "dt", "dd", "h1", "h2", "h3", "h4", "h5", "h6",
        "table", "tbody", "thead", "tfoot", "hr", "title", "pre", "blockquote", "center", "address", "form", "body", "html",
    };

    private static readonly HashSet<string> SpaceTags = new(StringComparer.Ordinal) { "td", "th", "img", "input", "option" };

    [GeneratedRegex(@"<!--.*?(-->|$)", RegexOptions.Singleline | RegexOptions.CultureInvariant)]
    private static partial Regex CommentPattern();

    [GeneratedRegex(@"<(script|style)\b[^>]*>.*?(</\1\s*>|$)", RegexOptions.Singleline | RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex ScriptOrStylePattern();

    [GeneratedRegex(@"[ \t\f\v]+", RegexOptions.CultureInvariant)]
    private static partial Regex BlankRunPattern();

    [GeneratedRegex(@"\n{3,}", RegexOptions.CultureInvariant)]
    private static partial Regex EmptyLinesPattern();

    /// <summary>The visible text of <paramref name="html"/>.</summary>
    public static string Convert(string html)
    {
        ArgumentNullException.ThrowIfNull(html);
        var withoutHidden = ScriptOrStylePattern().Replace(CommentPattern().Replace(html, " "), " ");
        var text = new StringBuilder(withoutHidden.Length);
        var index = 0;
        while (index < withoutHidden.Length)
        {
            var character = withoutHidden[index];
            if (character == '<' && index + 1 < withoutHidden.Length && StartsTag(withoutHidden[index + 1]))
            {
                var close = withoutHidden.IndexOf('>', index + 1);
                if (close < 0)
                    break; // an unterminated tag at the end hides the rest, as a browser would
                text.Append(Separator(TagName(withoutHidden, index + 1, close)));
                index = close + 1;
                continue;
            }
            text.Append(character);
            index++;
        }
        return NormalizeWhitespace(WebUtility.HtmlDecode(text.ToString()));
    }

    /// <summary>Blank runs to one space, lines trimmed, at most one empty line in a row, line breaks as "\n".</summary>
    public static string NormalizeWhitespace(string text)
    {
        var unified = text.Replace("\r\n", "\n").Replace('\r', '\n').Replace('\u00a0', ' ');
        var lines = unified.Split('\n').Select(line => BlankRunPattern().Replace(line, " ").Trim());
        return EmptyLinesPattern().Replace(string.Join('\n', lines), "\n\n").Trim();
    }

    private static bool StartsTag(char next) => char.IsAsciiLetter(next) || next is '/' or '!' or '?';

    private static string TagName(string html, int start, int end)
    {
        var nameStart = start < end && html[start] == '/' ? start + 1 : start;
        var nameEnd = nameStart;
        while (nameEnd < end && char.IsAsciiLetterOrDigit(html[nameEnd]))
            nameEnd++;
        return html[nameStart..nameEnd].ToLowerInvariant();
    }

    private static string Separator(string tagName) =>
        LineBreakTags.Contains(tagName) ? "\n" : SpaceTags.Contains(tagName) ? " " : "";
}
