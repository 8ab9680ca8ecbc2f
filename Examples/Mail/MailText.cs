namespace MlNetRnn.Examples.Mail;

/// <summary>
/// What a mail says: its decoded Subject and the text of its body, every other header left out.
/// <see cref="ModelText"/> is the string a spam model is trained on and scored with.
/// </summary>
public sealed record MailText(string Subject, string Body)
{
    /// <summary>The model input: subject, a line break, body.</summary>
    public string ModelText => Subject + "\n" + Body;
}
