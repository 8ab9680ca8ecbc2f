using System.Text;
using MlNetRnn.Examples.Datasets.Mime;

namespace MlNetRnn.Tests.Datasets;

public class MimeDecodingTests
{
    private static byte[] Bytes(string text) => Encoding.Latin1.GetBytes(text.Replace("\n", "\r\n"));

    [Fact]
    public void QuotedPrintableDecodesHexAndSoftLineBreaks()
    {
        var decoded = QuotedPrintable.Decode("caf=C3=A9 au lait=\r\n costs =243=\n.50 =3D fair=  \r\nly, a=3db=\nc"u8);
        Assert.Equal("café au lait costs $3.50 = fairly, a=bc", Encoding.UTF8.GetString(decoded));
    }

    [Fact]
    public void QuotedPrintableKeepsAStrayEqualsSign()
    {
        Assert.Equal("a =Zb = c", Encoding.ASCII.GetString(QuotedPrintable.Decode("a =Zb = c="u8)));
        Assert.Equal("x=4", Encoding.ASCII.GetString(QuotedPrintable.Decode("x=4"u8)));
    }

    [Fact]
    public void Base64BodyDecodesAcrossLinesAndIgnoresJunk()
    {
        var text = "The quick brown fox jumps over the lazy dog, twice: the quick brown fox.";
        var encoded = Convert.ToBase64String(Encoding.ASCII.GetBytes(text));
        var folded = string.Join("\r\n", encoded.Chunk(16).Select(chunk => new string(chunk))) + "\r\n\r\n";
        Assert.Equal(text, Encoding.ASCII.GetString(Base64Body.Decode(Encoding.ASCII.GetBytes(folded))));
        Assert.Equal("hi", Encoding.ASCII.GetString(Base64Body.Decode("aG!!k"u8)));
        Assert.Equal("ab", Encoding.ASCII.GetString(Base64Body.Decode("YQ==Yg=="u8)));
    }

    [Fact]
    public void EncodedWordsInSubjectAreDecoded()
    {
        Assert.Equal("Grüße aus Köln", EncodedWords.Decode("=?utf-8?B?R3LDvMOfZQ==?= aus =?ISO-8859-1?Q?K=F6ln?="));
        Assert.Equal("Re: free money now", EncodedWords.Decode("Re: =?us-ascii?Q?free_money?= =?us-ascii?q?_now?="));
        // A two-byte UTF-8 character split across two adjacent words, joined before decoding.
        Assert.Equal("é!", EncodedWords.Decode("=?UTF-8?Q?=C3?=\r\n =?UTF-8?Q?=A9!?="));
        Assert.Equal("plain and “quoted”", EncodedWords.Decode("plain and =?windows-1252?Q?=93quoted=94?="));
        Assert.Equal("=?broken", EncodedWords.Decode("=?broken"));
    }

    [Fact]
    public void CharsetsDecodeWithSensibleFallbacks()
    {
        var cp1252 = new byte[] { 0x93, (byte)'h', (byte)'i', 0x94, 0x20, 0xE9 };
        Assert.Equal("“hi” é", CharsetDecoder.Decode(cp1252, "windows-1252"));
        Assert.Equal("“hi” é", CharsetDecoder.Decode(cp1252, "iso-8859-1"));
        Assert.Equal("“hi” é", CharsetDecoder.Decode(cp1252, "\"us-ascii\""));
        Assert.Equal("“hi” é", CharsetDecoder.Decode(cp1252, "no-such-charset"));
        Assert.Equal("é", CharsetDecoder.Decode("é"u8, null));
        Assert.Equal("Привет", CharsetDecoder.Decode(Encoding.GetEncoding("koi8-r").GetBytes("Привет"), "KOI8-R"));
    }

    [Fact]
    public void HtmlIsReducedToVisibleText()
    {
        var html = "<html><head><title>Offer</title><style>p { color: red; }</style>" +
                   "<script type=\"text/javascript\">var a = '<b>';</script></head>" +
                   "<body><!-- hidden <p>comment</p> --><p>Fish &amp; chips&nbsp;for&#160;&#x24;5 &lt;today&gt;</p>" +
                   "<table><tr><td>one</td><td>two</td></tr></table>a < b<br>l&eacute;gal</body></html>";
        Assert.Equal("Offer\n\nFish & chips for $5 <today>\n\none two\n\na < b\nlégal", HtmlToText.Convert(html));
    }

    [Fact]
    public void OnlySubjectAndBodyAreKept()
    {
        var raw = Bytes(
            "From someone@example.com  Tue Aug  6 11:51:02 2002\n" +
            "Received: from list.example.org by mail.example.com\n" +
            "List-Id: <secret-list.example.org>\n" +
            "Subject: =?iso-8859-1?q?Caf=E9?=\n" +
            "  meeting\n" +
            "Content-Type: text/plain; charset=iso-8859-1\n" +
            "Content-Transfer-Encoding: quoted-printable\n" +
            "\n" +
            "See you at the caf=E9=\n" +
            " tomorrow.\n");
        var text = MailTextExtractor.Extract(raw);
        Assert.Equal("Café meeting", text.Subject);
        Assert.Equal("See you at the café tomorrow.", text.Body);
    }

    [Fact]
    public void NestedMultipartPrefersPlainTextAndSkipsBinaryAttachments()
    {
        var picture = Convert.ToBase64String(new byte[] { 0x89, 0x50, 0x4E, 0x47, 1, 2, 3 });
        var raw = Bytes(
            "Subject: nested\n" +
            "MIME-Version: 1.0\n" +
            "Content-Type: multipart/mixed; boundary=\"outer\"\n" +
            "\n" +
            "This is the preamble.\n" +
            "--outer\n" +
            "Content-Type: multipart/alternative;\n" +
            "\tboundary=\"outerAA\"\n" +
            "\n" +
            "--outerAA\n" +
            "Content-Type: text/plain; charset=\"utf-8\"\n" +
            "Content-Transfer-Encoding: base64\n" +
            "\n" +
            Convert.ToBase64String(Encoding.UTF8.GetBytes("Plain version, naïve.")) + "\n" +
            "--outerAA\n" +
            "Content-Type: text/html\n" +
            "\n" +
            "<p>HTML version</p>\n" +
            "--outerAA--\n" +
            "--outer\n" +
            "Content-Type: image/png; name=\"x.png\"\n" +
            "Content-Transfer-Encoding: base64\n" +
            "Content-Disposition: attachment; filename=\"x.png\"\n" +
            "\n" +
            picture + "\n" +
            "--outer\n" +
            "Content-Type: text/plain\n" +
            "Content-Disposition: attachment; filename=\"notes.txt\"\n" +
            "\n" +
            "Attached notes.\n" +
            "--outer--\n" +
            "Epilogue.\n");
        var text = MailTextExtractor.Extract(raw);
        Assert.Equal("nested", text.Subject);
        Assert.Equal("Plain version, naïve.\n\nAttached notes.", text.Body);
    }

    [Fact]
    public void AlternativeWithoutPlainTextFallsBackToHtml()
    {
        var raw = Bytes(
            "Subject: html only\n" +
            "Content-Type: multipart/alternative; boundary=b\n" +
            "\n" +
            "--b\n" +
            "Content-Type: text/plain\n" +
            "\n" +
            "   \n" +
            "--b\n" +
            "Content-Type: text/html; charset=windows-1252\n" +
            "Content-Transfer-Encoding: quoted-printable\n" +
            "\n" +
            "<b>Buy</b> =93now=94\n" +
            "--b--\n");
        Assert.Equal("Buy “now”", MailTextExtractor.Extract(raw).Body);
    }

    [Fact]
    public void UndeclaredHtmlAndMissingDelimitersAreStillRead()
    {
        var undeclared = Bytes("Subject: a\n\n<html><body>Hello <b>there</b></body></html>\n");
        Assert.Equal("Hello there", MailTextExtractor.Extract(undeclared).Body);
        var noDelimiter = Bytes("Subject: b\nContent-Type: multipart/mixed; boundary=zzz\n\nJust text.\n");
        Assert.Equal("Just text.", MailTextExtractor.Extract(noDelimiter).Body);
    }

    [Fact]
    public void ForwardedMessageContributesItsSubjectAndBody()
    {
        var raw = Bytes(
            "Subject: Fwd: report\n" +
            "Content-Type: multipart/mixed; boundary=m\n" +
            "\n" +
            "--m\n" +
            "Content-Type: text/plain\n" +
            "\n" +
            "FYI.\n" +
            "--m\n" +
            "Content-Type: message/rfc822\n" +
            "\n" +
            "Received: by relay.example\n" +
            "Subject: quarterly numbers\n" +
            "\n" +
            "Numbers are up.\n" +
            "--m--\n");
        Assert.Equal("FYI.\n\nquarterly numbers\nNumbers are up.", MailTextExtractor.Extract(raw).Body);
    }

    [Fact]
    public void ContentTypeParametersParseWithQuotes()
    {
        var type = ContentType.Parse("Multipart/Mixed; boundary=\"a;b=c\"; Charset=UTF-8");
        Assert.Equal(("multipart", "mixed"), (type.MediaType, type.SubType));
        Assert.Equal("a;b=c", type.Boundary);
        Assert.Equal("UTF-8", type.Charset);
        Assert.Same(ContentType.TextPlain, ContentType.Parse(null));
    }
}
