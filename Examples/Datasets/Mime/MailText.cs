namespace MlNetRnn.Examples.Datasets.Mime;

/// <summary>What a mail says: its decoded Subject and the text of its body, with every other header left out.</summary>
public sealed record MailText(string Subject, string Body);
