namespace MlNetRnn.Examples.Datasets;

/// <summary>
/// One mail of the SpamAssassin corpus: which group (folder) and file it came from, its label, and what it says:
/// the decoded Subject and body text. No other header is kept: most ham came from a handful of mailing lists, and
/// their routing headers would let a classifier learn the source instead of the content.
/// </summary>
public sealed record SpamMail(string Group, string FileName, bool IsSpam, string Subject, string Body)
{
    /// <summary>The model input: subject, a line break, body.</summary>
    public string Text => Subject + "\n" + Body;
}
