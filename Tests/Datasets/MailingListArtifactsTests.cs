using MlNetRnn.Examples.Mail;

namespace MlNetRnn.Tests.Datasets;

public class MailingListArtifactsTests
{
    [Theory]
    [InlineData("[ILUG] STOP THE MLM INSANITY", "STOP THE MLM INSANITY")]
    [InlineData("Re: [Razor-users] [SAdev] spam filters", "Re: spam filters")]
    [InlineData("[zzzzteana] RE: Alexander", "RE: Alexander")]
    [InlineData("Prices [today only] inside", "Prices [today only] inside")]
    public void SubjectTagsAreRemoved(string subject, string expected) =>
        Assert.Equal(expected, MailingListArtifacts.RemoveSubjectTags(subject));

    [Fact]
    public void StackedFootersAtTheEndAreRemoved()
    {
        var body = "Real content.\n\n-------------------------------------------------------\n" +
                   "This sf.net email is sponsored by:ThinkGeek\nWelcome to geek heaven.\nhttp://thinkgeek.com/sf\n" +
                   "_______________________________________________\nSpamassassin-talk mailing list\n" +
                   "Spamassassin-talk@lists.sourceforge.net\nhttps://lists.sourceforge.net/lists/listinfo/spamassassin-talk";
        Assert.Equal("Real content.", MailingListArtifacts.RemoveFooters(body));
    }

    [Fact]
    public void QuotedFootersAndBareListLinksAreRemoved()
    {
        var body = "> question?\n> --\n> Irish Linux Users' Group: ilug@linux.ie\n" +
                   "> http://www.linux.ie/mailman/listinfo/ilug for (un)subscription\n> information.\n" +
                   "> List maintainer: listmaster@linux.ie\n>\nAnswer.\n\n\nhttp://xent.com/mailman/listinfo/fork";
        Assert.Equal("> question?\n>\nAnswer.", MailingListArtifacts.RemoveFooters(body));
    }

    [Fact]
    public void ListLinkGluedToTheLastParagraphIsRemoved()
    {
        var body = "First line of a long paragraph\n" + string.Concat(Enumerable.Repeat("more text\n", 10)) +
                   "http://xent.com/mailman/listinfo/fork";
        Assert.Equal(body[..body.LastIndexOf('\n')], MailingListArtifacts.RemoveFooters(body));
    }

    [Fact]
    public void YahooGroupsFooterIsRemoved()
    {
        var body = "So is this limestone or granite?\n\n------------------------ Yahoo! Groups Sponsor ---------------------~-->\n" +
                   "4 DVDs Free +s&p Join Now\nhttp://us.click.yahoo.com/pt6YBB/NXiEAA/mG3HAA/7gSolB/TM\n" +
                   "---------------------------------------------------------------------~->\n\n" +
                   "To unsubscribe from this group, send an email to:\nforteana-unsubscribe@egroups.com\n\n \n\n" +
                   "Your use of Yahoo! Groups is subject to http://docs.yahoo.com/info/terms/";
        Assert.Equal("So is this limestone or granite?\n\n---------------------------------------------------------------------~->",
            MailingListArtifacts.RemoveFooters(body));
    }

    [Fact]
    public void SpamUnsubscribeTextStays()
    {
        var body = "Great offer!\n------------------\nTo be removed from our mailing list, reply with unsubscribe.";
        Assert.Equal(body, MailingListArtifacts.RemoveFooters(body));
    }
}
