namespace MlNetRnn.Examples.Datasets;

/// <summary>How <see cref="SpamAssassinCorpus"/> turns a mail into text.</summary>
public sealed record SpamAssassinOptions
{
    /// <summary>
    /// Remove what names the mailing list a mail came through rather than what it says: leading subject tags such as
    /// "[ILUG]" and list footers (Mailman, SourceForge, Yahoo! Groups) at the end of the body.
    /// Most ham in the corpus came through such lists, so leaving them in lets a classifier learn the source.
    /// Default true.
    /// </summary>
    public bool RemoveMailingListArtifacts { get; init; } = true;
}
