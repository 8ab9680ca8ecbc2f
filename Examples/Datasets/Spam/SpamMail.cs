using MlNetRnn.Examples.Mail;

namespace MlNetRnn.Examples.Datasets;

/// <summary>
/// One mail of the SpamAssassin corpus: which group (folder) and file it came from, its label, and what it says
/// (<see cref="MailText"/>: the decoded Subject and body text). No other header is kept: most ham came from a handful
/// of mailing lists, and their routing headers would let a classifier learn the source instead of the content.
/// </summary>
public sealed record SpamMail(string Group, string FileName, bool IsSpam, MailText Content)
{
    public string Subject => Content.Subject;

    public string Body => Content.Body;

    /// <summary>The model input, <see cref="MailText.ModelText"/>: subject, a line break, body.</summary>
    public string Text => Content.ModelText;
}
