using System.Text.RegularExpressions;
using MimeKit;

namespace MlNetRnn.Examples.Mail;

/// <summary>
/// Turns a raw RFC 5322 message (an mbox "From " first line is allowed) into what it says, the text a spam model
/// reads: the decoded Subject and the text of the body; every other header (routing, list and client headers) is
/// dropped. MimeKit parses the MIME structure and undoes transfer encodings and charsets; this class decides what a
/// reader sees:
///   text/plain: the text; text/html: <see cref="HtmlToText"/> of it; other text/* as plain text, except
///     text/rfc822-headers (the routing headers of a bounce);
///   multipart/alternative: the first text/plain alternative that has text, else the first alternative that has any;
///   other multipart (mixed, related, signed, report, ...): the text of every part, in order, blank-line separated;
///   message/rfc822: the forwarded message's subject and body;
///   application/*, image/*, audio/*, video/*, other message/*: skipped.
/// A multipart body without any delimiter line is read as text. A text/plain body that is really an HTML document
/// (it has an &lt;html&gt; or &lt;body&gt; tag, common in spam sent without a Content-Type) is reduced like text/html.
/// With <see cref="MailTextOptions.RemoveMailingListArtifacts"/> (the default), list tags and footers go too.
/// Train on <see cref="MailText.ModelText"/> of this, and score the same: a model trained on extracted text that is
/// fed raw mails sees headers, base64 and HTML it never learned from.
/// </summary>
public static partial class MailTextExtractor
{
    /// <summary>
    /// Raised whenever a change here (or in <see cref="HtmlToText"/>, <see cref="CharsetDecoder"/>,
    /// <see cref="MailingListArtifacts"/>) can change the text of some mail. A model names the version it was trained
    /// on (<see cref="MailTextOptions.ToModelDescription"/>); a scorer refuses another.
    /// </summary>
    public const int Version = 1;

    /// <summary>How deep MIME parts may nest before the rest is ignored (real mail nests a handful of levels).</summary>
    public const int MaximumDepth = 32;

    // 8-bit header text that is not UTF-8 is read as windows-1252, as CharsetDecoder reads unlabelled bodies.
    private static readonly ParserOptions Parsing;

    // An explicit static constructor (no beforefieldinit), so that the code pages are registered (by CharsetDecoder)
    // before MimeKit first looks a charset up: MimeKit does not register them, and a lookup before that fails for
    // big5, gb2312, koi8-r and the like, which then decode as windows-1252.
    static MailTextExtractor()
    {
        var windows1252 = CharsetDecoder.Windows1252;
        Parsing = new ParserOptions { CharsetEncoding = windows1252 };
    }

    [GeneratedRegex(@"<\s*(html|body)\b", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex HtmlDocumentPattern();

    /// <summary>What the message in <paramref name="rawMessage"/> says.</summary>
    /// <exception cref="FormatException">the bytes are not a message (MimeKit found no header block).</exception>
    public static MailText Extract(byte[] rawMessage, MailTextOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(rawMessage);
        using var stream = new MemoryStream(rawMessage, writable: false);
        return Extract(stream, options);
    }

    /// <summary>What the message read from <paramref name="rawMessage"/> says.</summary>
    /// <exception cref="FormatException">the stream holds no message (MimeKit found no header block).</exception>
    public static MailText Extract(Stream rawMessage, MailTextOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(rawMessage);
        options ??= new MailTextOptions();
        var text = TextOf(MimeMessage.Load(Parsing, rawMessage));
        return options.RemoveMailingListArtifacts
            ? new MailText(MailingListArtifacts.RemoveSubjectTags(text.Subject), MailingListArtifacts.RemoveFooters(text.Body))
            : text;
    }

    /// <summary>The subject and body text of a parsed message.</summary>
    public static MailText TextOf(MimeMessage message)
    {
        ArgumentNullException.ThrowIfNull(message);
        var body = message.Body is null ? null : TextOf(message.Body, depth: 0);
        var subject = CharsetDecoder.RepairC1Controls(message.Subject ?? "");
        return new MailText(HtmlToText.NormalizeWhitespace(subject), (body ?? "").Trim());
    }

    /// <summary>The text a reader sees in <paramref name="entity"/>, or null when it shows none.</summary>
    private static string? TextOf(MimeEntity entity, int depth)
    {
        if (depth > MaximumDepth)
            return null;
        switch (entity)
        {
            case Multipart multipart:
                if (multipart.Count == 0)
                    return NullIfBlank(PlainOrHtml(multipart.Preamble ?? ""));
                return multipart.ContentType.MediaSubtype.Equals("alternative", StringComparison.OrdinalIgnoreCase)
                    ? ChooseAlternative(multipart, depth)
                    : JoinParts(multipart, depth);
            case MessagePart { Message: { } forwarded } when entity.ContentType.IsMimeType("message", "rfc822"):
                var text = TextOf(forwarded);
                return NullIfBlank(text.Subject + "\n" + text.Body);
            case TextPart part when !part.ContentType.IsMimeType("text", "rfc822-headers"):
                var decoded = DecodeText(part);
                return NullIfBlank(part.IsHtml ? HtmlToText.Convert(decoded) : PlainOrHtml(decoded));
            default:
                return null;
        }
    }

    private static string? ChooseAlternative(Multipart alternatives, int depth)
    {
        foreach (var alternative in alternatives)
        {
            if (alternative.ContentType.IsMimeType("text", "plain") && TextOf(alternative, depth + 1) is { } plain)
                return plain;
        }
        foreach (var alternative in alternatives)
        {
            if (TextOf(alternative, depth + 1) is { } text)
                return text;
        }
        return null;
    }

    private static string? JoinParts(Multipart parts, int depth)
    {
        var texts = parts.Select(part => TextOf(part, depth + 1)).OfType<string>().ToList();
        return texts.Count == 0 ? null : string.Join("\n\n", texts);
    }

    // The part's bytes with the transfer encoding undone, then the lenient charset rules of CharsetDecoder (MimeKit's
    // TextPart.Text reads iso-8859-1 as Latin-1, which turns the curly quotes of windows-1252 into control characters).
    private static string DecodeText(MimePart part)
    {
        if (part.Content is null)
            return "";
        using var bytes = new MemoryStream();
        part.Content.DecodeTo(bytes);
        return CharsetDecoder.Decode(bytes.GetBuffer().AsSpan(0, (int)bytes.Length), part.ContentType.Charset)
            .Replace("\r\n", "\n").Replace('\r', '\n');
    }

    private static string PlainOrHtml(string text) =>
        HtmlDocumentPattern().IsMatch(text) ? HtmlToText.Convert(text) : text;

    private static string? NullIfBlank(string text) => string.IsNullOrWhiteSpace(text) ? null : text;
}
