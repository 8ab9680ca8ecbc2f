using System.Text.RegularExpressions;

namespace MlNetRnn.Examples.Mail;

/// <summary>
/// Removes the marks a mailing list leaves on a mail, which name where the mail came from rather than what it says:
///   subject tags: leading "[List-Name]" tags, also after "Re:"/"Fwd:" prefixes ("Re: [ILUG] foo" becomes "Re: foo");
///   footers: the body is cut into blocks of consecutive non-blank lines (a line holding only "&gt;" quote marks counts
///     as blank), a separator line (ten or more '_', '-' or '=', or the signature separator "--", possibly quoted)
///     starting a new block; a block of at most <see cref="MaximumFooterBlockLines"/> lines in which a line names list
///     software (<see cref="FooterMarkers"/>: Mailman's listinfo link, SourceForge's sponsor line, Yahoo! Groups,
///     use Perl's preferences link) is removed, wherever it is, so footers quoted in replies go too; and a line that
///     is nothing but a listinfo link (FoRK appends one without a blank line before it) is removed.
/// Generic words such as "unsubscribe" or "mailing list" are not markers: spam uses them in its own text.
/// A short paragraph that carries a list link is removed whole; a separator-only line left by a footer stays.
/// </summary>
public static partial class MailingListArtifacts
{
    /// <summary>The longest block that is removed as a footer.</summary>
    public const int MaximumFooterBlockLines = 8;

    /// <summary>Text (lower case) that only list software puts into a footer.</summary>
    public static IReadOnlyList<string> FooterMarkers { get; } =
    [
        "listinfo", "list maintainer:", "sf.net email is sponsored", "yahoo! groups", "egroups.com",
        "yahoogroups.com", "use.perl.org/my/messages",
    ];

    [GeneratedRegex(@"^((?:(?:re|fw|fwd|aw)\s*(?:\[\d+\])?\s*:\s*)*)\[[^\[\]]{1,40}\]\s*",
        RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex LeadingTagPattern();

    [GeneratedRegex(@"^[\s>|]*(_{10,}|-{10,}|={10,}|--\s*$)", RegexOptions.CultureInvariant)]
    private static partial Regex SeparatorPattern();

    [GeneratedRegex(@"^[\s>|]*$", RegexOptions.CultureInvariant)]
    private static partial Regex BlankOrQuoteOnlyPattern();

    [GeneratedRegex(@"^[\s>|]*<?https?://\S*/listinfo\S*?>?\s*$", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex ListLinkLinePattern();

    /// <summary>The subject without leading list tags.</summary>
    public static string RemoveSubjectTags(string subject)
    {
        ArgumentNullException.ThrowIfNull(subject);
        var current = subject;
        while (true)
        {
            var next = LeadingTagPattern().Replace(current, "$1", 1);
            if (next == current)
                return current.Trim();
            current = next;
        }
    }

    /// <summary>The body without list footer blocks.</summary>
    public static string RemoveFooters(string body)
    {
        ArgumentNullException.ThrowIfNull(body);
        var lines = body.Split('\n');
        var keep = new bool[lines.Length];
        var blockStart = 0;
        while (blockStart < lines.Length)
        {
            if (BlankOrQuoteOnlyPattern().IsMatch(lines[blockStart]))
            {
                keep[blockStart] = true;
                blockStart++;
                continue;
            }
            var blockEnd = blockStart + 1;
            while (blockEnd < lines.Length && !BlankOrQuoteOnlyPattern().IsMatch(lines[blockEnd]) && !SeparatorPattern().IsMatch(lines[blockEnd]))
                blockEnd++;
            var isFooter = blockEnd - blockStart <= MaximumFooterBlockLines &&
                lines.Skip(blockStart).Take(blockEnd - blockStart).Any(NamesListSoftware);
            for (var index = blockStart; index < blockEnd; index++)
                keep[index] = !isFooter && !ListLinkLinePattern().IsMatch(lines[index]);
            blockStart = blockEnd;
        }
        var kept = lines.Where((_, index) => keep[index]);
        return Regex.Replace(string.Join('\n', kept), @"\n{3,}", "\n\n").Trim();
    }

    private static bool NamesListSoftware(string line)
    {
        var lower = line.ToLowerInvariant();
        return FooterMarkers.Any(lower.Contains);
    }
}
