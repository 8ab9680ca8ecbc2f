using System.Text.RegularExpressions;

namespace MlNetRnn.Examples.Datasets.Mime;

/// <summary>
/// Walks a message's MIME tree and keeps what a reader sees:
///   text/plain: the decoded text; text/html: <see cref="HtmlToText"/> of it; other text/* likewise as plain text,
///     except text/rfc822-headers (routing headers of a bounce);
///   multipart/alternative: the first text/plain alternative that has text, else the first alternative that has any;
///   other multipart (mixed, related, signed, report, ...): the text of every part, in order, blank-line separated;
///   message/rfc822: the forwarded message's subject and body;
///   application/*, image/*, audio/*, video/*, other message/*: skipped.
/// A multipart body without any delimiter line is read as text. A text/plain body that is really an HTML document
/// (it has an &lt;html&gt; or &lt;body&gt; tag, common in spam sent without a Content-Type) is reduced like text/html.
/// Nesting deeper than <see cref="MaximumDepth"/> is ignored.
/// </summary>
public static partial class MailTextExtractor
{
    /// <summary>How deep MIME parts may nest before the rest is ignored (real mail nests a handful of levels).</summary>
    public const int MaximumDepth = 32;

    [GeneratedRegex(@"<\s*(html|body)\b", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex HtmlDocumentPattern();

    /// <summary>The subject and body text of a raw RFC 5322 message (an mbox "From " first line is allowed).</summary>
    public static MailText Extract(ReadOnlyMemory<byte> rawMessage)
    {
        var message = MimeEntity.Parse(rawMessage);
        var subject = EncodedWords.Decode(message.Headers.Get("Subject") ?? "");
        var body = TextOf(message, depth: 0) ?? "";
        return new MailText(HtmlToText.NormalizeWhitespace(subject), body.Trim());
    }

    /// <summary>The text a reader sees in <paramref name="entity"/>, or null when it shows none.</summary>
    public static string? TextOf(MimeEntity entity, int depth)
    {
        if (depth > MaximumDepth)
            return null;
        var type = entity.ContentType;
        switch (type.MediaType)
        {
            case "multipart":
                var parts = entity.SplitMultipart();
                if (parts is null)
                    return PlainOrHtml(entity.DecodeText());
                return type.SubType == "alternative" ? ChooseAlternative(parts, depth) : JoinParts(parts, depth);
            case "message":
                if (type.SubType != "rfc822")
                    return null;
                var forwarded = Extract(entity.DecodeBody());
                return NullIfBlank(forwarded.Subject + "\n" + forwarded.Body);
            case "text":
                if (type.SubType == "html")
                    return NullIfBlank(HtmlToText.Convert(entity.DecodeText()));
                if (type.SubType == "rfc822-headers")
                    return null;
                return NullIfBlank(PlainOrHtml(entity.DecodeText()));
            default:
                return null;
        }
    }

    private static string? ChooseAlternative(IReadOnlyList<MimeEntity> alternatives, int depth)
    {
        foreach (var alternative in alternatives)
        {
            if (alternative.ContentType.Is("text", "plain") && TextOf(alternative, depth + 1) is { } plain)
                return plain;
        }
        foreach (var alternative in alternatives)
        {
            if (TextOf(alternative, depth + 1) is { } text)
                return text;
        }
        return null;
    }

    private static string? JoinParts(IReadOnlyList<MimeEntity> parts, int depth)
    {
        var texts = parts.Select(part => TextOf(part, depth + 1)).OfType<string>().ToList();
        return texts.Count == 0 ? null : string.Join("\n\n", texts);
    }

    private static string PlainOrHtml(string text) =>
        HtmlDocumentPattern().IsMatch(text) ? HtmlToText.Convert(text) : text;

    private static string? NullIfBlank(string text) => string.IsNullOrWhiteSpace(text) ? null : text;
}
