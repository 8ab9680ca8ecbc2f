using System.Globalization;
using System.Text.RegularExpressions;

namespace MlNetRnn.Examples.Mail;

/// <summary>How <see cref="MailTextExtractor"/> turns a mail into text.</summary>
public sealed partial record MailTextOptions
{
    /// <summary>
    /// Remove what names the mailing list a mail came through rather than what it says: leading subject tags such as
    /// "[ILUG]" and list footers (Mailman, SourceForge, Yahoo! Groups) in the body (<see cref="MailingListArtifacts"/>).
    /// Most ham in the SpamAssassin corpus came through such lists, so leaving them in lets a classifier learn the
    /// source. Default true.
    /// </summary>
    public bool RemoveMailingListArtifacts { get; init; } = true;

    private const string DescriptionStart = "Input: the text MailTextExtractor version ";

    [GeneratedRegex(@"^Input: the text MailTextExtractor version (\d+) extracts from a raw mail, mailing-list marks (removed|kept)\.$",
        RegexOptions.Multiline | RegexOptions.CultureInvariant)]
    private static partial Regex DescriptionPattern();

    /// <summary>
    /// One line that names the extraction (<see cref="MailTextExtractor.Version"/>) and these options. A trainer stores
    /// it in the exported model's description; a scorer reads it back with <see cref="FromModelDescription"/> and
    /// extracts the same way, or refuses a model trained on other text.
    /// </summary>
    public string ToModelDescription() =>
        $"{DescriptionStart}{MailTextExtractor.Version} extracts from a raw mail, mailing-list marks {(RemoveMailingListArtifacts ? "removed" : "kept")}.";

    /// <summary>The options named in a model's description (<see cref="ToModelDescription"/>).</summary>
    /// <exception cref="InvalidDataException">the description names no mail extraction, or another version of it;
    /// the message says which and what to do.</exception>
    public static MailTextOptions FromModelDescription(string? description)
    {
        var match = DescriptionPattern().Match(description ?? "");
        if (!match.Success)
            throw new InvalidDataException(
                "the model's description does not say it was trained on MailTextExtractor's text (no line '" + DescriptionStart +
                "...'); export the model with Examples/Spam, which writes it");
        var version = int.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture);
        if (version != MailTextExtractor.Version)
            throw new InvalidDataException(
                $"the model was trained on the text of MailTextExtractor version {version}, and this scorer extracts version " +
                $"{MailTextExtractor.Version}; retrain the model (Examples/Spam) or score with the extractor it was trained with");
        return new MailTextOptions { RemoveMailingListArtifacts = match.Groups[2].Value == "removed" };
    }
}
