using System.Text;
using MlNetRnn.Examples.Mail;

namespace MlNetRnn.Tests.Datasets;

/// <summary>MailTextExtractor (MimeKit underneath): what a raw mail says, the text spam models train and score on.</summary>
public class MailTextExtractorTests
{
    private static byte[] Bytes(string text) => Encoding.Latin1.GetBytes(text.Replace("\n", "\r\n"));

    private static MailText Extract(string message) => MailTextExtractor.Extract(Bytes(message));

    [Fact]
    public void QuotedPrintableBodiesLoseSoftLineBreaks()
    {
        var text = Extract("Subject: qp\nContent-Type: text/plain; charset=utf-8\nContent-Transfer-Encoding: quoted-printable\n\n" +
                           "caf=C3=A9 au lait=\n costs =243=\n.50 =3D fair=\nly.\n");
        Assert.Equal("café au lait costs $3.50 = fairly.", text.Body);
    }

    [Fact]
    public void Base64BodiesDecodeAcrossLines()
    {
        var body = "The quick brown fox jumps over the lazy dog, twice: the quick brown fox.";
        var encoded = Convert.ToBase64String(Encoding.ASCII.GetBytes(body));
        var folded = string.Join("\n", encoded.Chunk(16).Select(chunk => new string(chunk)));
        Assert.Equal(body, Extract($"Subject: b64\nContent-Transfer-Encoding: base64\n\n{folded}\n\n").Body);
    }

    [Theory]
    [InlineData("=?utf-8?B?R3LDvMOfZQ==?= aus =?ISO-8859-1?Q?K=F6ln?=", "Grüße aus Köln")]
    [InlineData("Re: =?us-ascii?Q?free_money?= =?us-ascii?q?_now?=", "Re: free money now")]
    [InlineData("=?UTF-8?Q?=C3?=\n =?UTF-8?Q?=A9!?=", "é!")]   // a two-byte character split across two adjacent words
    [InlineData("plain and =?windows-1252?Q?=93quoted=94?=", "plain and “quoted”")]
    [InlineData("Matrox Parhelia=?iso-8859-1?Q?=99?= now", "Matrox Parhelia™ now")]   // iso-8859-1 read as windows-1252
    [InlineData("=?iso-2022-jp?B?GyRCJDckOCRfGyhC?=", "しじみ")]
    [InlineData("=?big5?Q?=A4=A3=AC=DD=B7|=AB=E1=AE=AC?=", "不看會後悔")]   // a code page: registered before MimeKit looks it up
    [InlineData("=?broken", "=?broken")]
    public void EncodedWordsInTheSubjectAreDecoded(string subject, string expected) =>
        Assert.Equal(expected, Extract($"Subject: {subject}\n\nbody\n").Subject);

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
        // iso-2022-jp is all 7-bit bytes; escape sequences shift into JIS X 0208.
        Assert.Equal("しじみ", CharsetDecoder.Decode("\u001b$B$7$8$_\u001b(B"u8, "iso-2022-jp"));
        Assert.Equal("“hi”", CharsetDecoder.RepairC1Controls("\u0093hi\u0094"));
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
    public void ListMarksAreRemovedUnlessKept()
    {
        var raw = Bytes("Subject: [ILUG] cheap printer ink\n\nBest prices.\n\n-- \nIrish Linux Users' Group: ilug@linux.ie\n" +
                        "http://www.linux.ie/mailman/listinfo/ilug for (un)subscription information.\nList maintainer: listmaster@linux.ie\n");
        var cleaned = MailTextExtractor.Extract(raw);
        Assert.Equal(new MailText("cheap printer ink", "Best prices."), cleaned);
        Assert.Equal("cheap printer ink\nBest prices.", cleaned.ModelText);
        var kept = MailTextExtractor.Extract(raw, new MailTextOptions { RemoveMailingListArtifacts = false });
        Assert.Equal("[ILUG] cheap printer ink", kept.Subject);
        Assert.Contains("listinfo", kept.Body);
    }

    [Fact]
    public void AStreamWithoutHeadersIsNoMail()
    {
        Assert.Throws<FormatException>(() => MailTextExtractor.Extract([]));
    }

    [Fact]
    public void TheModelDescriptionNamesTheExtractionAndItsOptions()
    {
        foreach (var remove in new[] { true, false })
        {
            var options = new MailTextOptions { RemoveMailingListArtifacts = remove };
            var description = "Some words before.\n" + options.ToModelDescription() + "\nMlNetRnn BinaryClassification model: ...";
            Assert.Equal(options, MailTextOptions.FromModelDescription(description));
        }
        var none = Assert.Throws<InvalidDataException>(() => MailTextOptions.FromModelDescription("MlNetRnn BinaryClassification model"));
        Assert.Contains("Examples/Spam", none.Message);
        var other = new MailTextOptions().ToModelDescription().Replace($"version {MailTextExtractor.Version} ", $"version {MailTextExtractor.Version + 1} ");
        var newer = Assert.Throws<InvalidDataException>(() => MailTextOptions.FromModelDescription(other));
        Assert.Contains($"version {MailTextExtractor.Version + 1}", newer.Message);
        Assert.Contains("retrain", newer.Message);
    }
}
