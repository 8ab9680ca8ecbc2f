using System.Text;

namespace MlNetRnn.Examples.Datasets.Mime;

/// <summary>
/// A message or one MIME part: its headers and its body bytes as they stand in the file (still transfer-encoded).
/// The header block ends at the first empty line; content that starts with an empty line has no headers.
/// </summary>
public sealed class MimeEntity
{
    private MimeEntity(MimeHeaders headers, ReadOnlyMemory<byte> rawBody)
    {
        Headers = headers;
        RawBody = rawBody;
        ContentType = ContentType.Parse(headers.Get("Content-Type"));
        TransferEncoding = (headers.Get("Content-Transfer-Encoding") ?? "").Trim().ToLowerInvariant();
    }

    public MimeHeaders Headers { get; }

    /// <summary>The body as in the file, before Content-Transfer-Encoding is undone.</summary>
    public ReadOnlyMemory<byte> RawBody { get; }

    public ContentType ContentType { get; }

    /// <summary>Lower-case Content-Transfer-Encoding ("7bit", "8bit", "binary", "quoted-printable", "base64"), or "".</summary>
    public string TransferEncoding { get; }

    /// <summary>Splits <paramref name="content"/> into the header block and the body.</summary>
    public static MimeEntity Parse(ReadOnlyMemory<byte> content)
    {
        var span = content.Span;
        if (span.StartsWith("\n"u8) || span.StartsWith("\r\n"u8))
            return new MimeEntity(MimeHeaders.Empty, content[(span[0] == (byte)'\n' ? 1 : 2)..]);
        var lineStart = 0;
        while (lineStart < span.Length)
        {
            var newline = span[lineStart..].IndexOf((byte)'\n');
            if (newline < 0)
                break;
            var lineEnd = lineStart + newline;
            var lineLength = lineEnd - lineStart;
            if (lineLength == 0 || (lineLength == 1 && span[lineStart] == (byte)'\r'))
                return new MimeEntity(MimeHeaders.Parse(span[..lineStart]), content[(lineEnd + 1)..]);
            lineStart = lineEnd + 1;
        }
        return new MimeEntity(MimeHeaders.Parse(span), ReadOnlyMemory<byte>.Empty);
    }

    /// <summary>The body with its Content-Transfer-Encoding undone (unknown encodings are taken as 8bit).</summary>
    public byte[] DecodeBody() => TransferEncoding switch
    {
        "quoted-printable" => QuotedPrintable.Decode(RawBody.Span),
        "base64" => Base64Body.Decode(RawBody.Span),
        _ => RawBody.ToArray(),
    };

    /// <summary>The decoded body as text in the declared charset (see <see cref="CharsetDecoder"/>), line breaks as "\n".</summary>
    public string DecodeText() =>
        CharsetDecoder.Decode(DecodeBody(), ContentType.Charset).Replace("\r\n", "\n").Replace('\r', '\n');

    /// <summary>
    /// The parts of a multipart body (RFC 2046 section 5.1.1): the content between delimiter lines "--boundary",
    /// up to the close delimiter "--boundary--" or the end of the body (a missing close delimiter is common).
    /// The line break before each delimiter belongs to the delimiter. Preamble and epilogue are dropped.
    /// Returns null when the type has no boundary or the body holds no delimiter line.
    /// </summary>
    public IReadOnlyList<MimeEntity>? SplitMultipart()
    {
        var boundary = ContentType.Boundary;
        if (string.IsNullOrEmpty(boundary))
            return null;
        var delimiter = Encoding.Latin1.GetBytes("--" + boundary);
        var body = RawBody.Span;
        var parts = new List<MimeEntity>();
        var partStart = -1;
        var lineStart = 0;
        while (lineStart < body.Length)
        {
            var newline = body[lineStart..].IndexOf((byte)'\n');
            var lineEnd = newline < 0 ? body.Length : lineStart + newline;
            var nextLineStart = newline < 0 ? body.Length : lineEnd + 1;
            var line = body[lineStart..lineEnd];
            if (line.StartsWith(delimiter))
            {
                var rest = line[delimiter.Length..];
                var isClose = rest.StartsWith("--"u8);
                if (isClose || rest.Trim(" \t\r"u8).IsEmpty)
                {
                    if (partStart >= 0)
                        parts.Add(Parse(RawBody[partStart..Math.Max(partStart, ContentEndBefore(body, lineStart))]));
                    if (isClose)
                        return parts;
                    partStart = nextLineStart;
                }
            }
            lineStart = nextLineStart;
        }
        if (partStart < 0)
            return null;
        if (partStart < body.Length)
            parts.Add(Parse(RawBody[partStart..]));
        return parts;
    }

    /// <summary>Where a part's content ends when the delimiter line starts at <paramref name="delimiterLineStart"/>.</summary>
    private static int ContentEndBefore(ReadOnlySpan<byte> body, int delimiterLineStart)
    {
        var end = delimiterLineStart;
        if (end > 0 && body[end - 1] == (byte)'\n')
            end--;
        if (end > 0 && body[end - 1] == (byte)'\r')
            end--;
        return end;
    }
}
