using System.Diagnostics;
using MlNetRnn.Examples.Datasets;
using MlNetRnn.Examples.Mail;

namespace MlNetRnn.Tests.Datasets;

public class SpamAssassinCorpusTests
{
    [Fact]
    public void MissingCorpusNamesThePlacesTriedAndTheFix()
    {
        var error = Assert.Throws<DirectoryNotFoundException>(() => SpamAssassinCorpus.Load("/nonexistent/spam-corpus"));
        Assert.Contains("/nonexistent/spam-corpus", error.Message);
        Assert.Contains("scripts/setup.sh", error.Message);
        Assert.Contains(SpamAssassinCorpus.PackageName, error.Message);
    }

    [Fact]
    public void SearchLooksInEveryAncestorsNodeModules()
    {
        var candidates = NodePackageLocator.Candidates(SpamAssassinCorpus.PackageName, explicitPath: null).ToList();
        var expected = Path.Combine(Path.GetPathRoot(Directory.GetCurrentDirectory())!, "node_modules", "@stdlib", "datasets-spam-assassin");
        Assert.Contains(expected, candidates);
        Assert.Contains(Path.Combine(Directory.GetCurrentDirectory(), "node_modules", "@stdlib", "datasets-spam-assassin"), candidates);
    }

    [Fact]
    public void ParseKeepsSubjectAndBodyAndRemovesListMarks()
    {
        var raw = System.Text.Encoding.ASCII.GetBytes(
            "Return-Path: <ilug-admin@linux.ie>\r\nList-Id: Irish Linux Users' Group <ilug.linux.ie>\r\n" +
            "Subject: [ILUG] cheap printer ink\r\n\r\nBest prices.\r\n\r\n-- \r\nIrish Linux Users' Group: ilug@linux.ie\r\n" +
            "http://www.linux.ie/mailman/listinfo/ilug for (un)subscription information.\r\nList maintainer: listmaster@linux.ie\r\n");
        var group = SpamAssassinCorpus.Groups.Single(g => g.Name == "spam-1");
        var cleaned = SpamAssassinCorpus.Parse(group, "00001.txt", raw);
        Assert.Equal(new SpamMail("spam-1", "00001.txt", true, new MailText("cheap printer ink", "Best prices.")), cleaned);
        Assert.Equal("cheap printer ink\nBest prices.", cleaned.Text);
        var kept = SpamAssassinCorpus.Parse(group, "00001.txt", raw, new MailTextOptions { RemoveMailingListArtifacts = false });
        Assert.Equal("[ILUG] cheap printer ink", kept.Subject);
        Assert.Contains("listinfo", kept.Body);
    }

    [DataSetFact(RequiredDataSet.SpamAssassin)]
    public void RealCorpusHasTheDocumentedCountsAndNoHeaders()
    {
        var clock = Stopwatch.StartNew();
        var mails = SpamAssassinCorpus.Load();
        clock.Stop();
        Assert.Equal(6046, mails.Count);
        var counts = mails.GroupBy(mail => mail.Group).ToDictionary(group => group.Key, group => group.Count());
        Assert.Equal(new Dictionary<string, int>
        {
            ["easy-ham-1"] = 2500, ["easy-ham-2"] = 1400, ["hard-ham-1"] = 250, ["spam-1"] = 500, ["spam-2"] = 1396,
        }, counts);
        Assert.Equal(1896, mails.Count(mail => mail.IsSpam));
        // Decoding worked: almost every mail has body text, nothing looks like a header block or raw MIME.
        Assert.True(mails.Count(mail => mail.Body.Length == 0) < 30, "too many empty bodies");
        // A few mails paste a forwarded message's headers into their text; that is what they say, and it is rare.
        Assert.True(mails.Count(mail => mail.Body.StartsWith("Return-Path:", StringComparison.Ordinal) ||
            mail.Body.StartsWith("Received:", StringComparison.Ordinal) || mail.Body.StartsWith("Delivered-To:", StringComparison.Ordinal)) < 10,
            "routing headers leaked into bodies");
        // MIME part headers show only in mails that quote MIME source or are malformed (a blank line inside the
        // header block, delimiters that do not match the boundary): about 20 of 6,046.
        Assert.True(mails.Count(mail => mail.Body.Contains("Content-Transfer-Encoding:", StringComparison.OrdinalIgnoreCase)) < 30,
            "MIME headers leaked into bodies");
        // What is left are list headers pasted into forwarded text, not footers.
        Assert.True(mails.Count(mail => mail.Body.Contains("mailman/listinfo", StringComparison.Ordinal)) < 5, "list footers left");
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(20), $"loading took {clock.Elapsed}");
    }
}
