namespace MlNetRnn.Examples.Datasets;

/// <summary>One folder of the corpus (e.g. "easy-ham-1") and whether its mails are spam.</summary>
public sealed record SpamAssassinGroup(string Name, bool IsSpam);
