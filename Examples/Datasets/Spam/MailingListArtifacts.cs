using System.Text.RegularExpressions;

namespace MlNetRnn.Examples.Datasets;

/// <summary>
/// Removes the marks a mailing list leaves on a mail, which name where the mail came from rather than what it says:
///   subject tags: leading "[List-Name]" tags, also after "Re:"/"Fwd:" prefixes ("Re: [ILUG] foo" becomes "Re: foo");
///   footers, in three passes:
///     1. at the end of the body, a block that starts at a separator line (ten or more '_', '-' or '=', or the
///        signature separator "--", possibly behind "&gt;" quote marks) and, within <see cref="MaximumFooterLines"/>
///        lines, names list software (<see cref="FooterMarkers"/>: Mailman's listinfo link, SourceForge's sponsor
///        line, Yahoo! Groups, use Perl); stacked footers (a sponsor block above a Mailman block) go one by one;
///     2. inside the body (a footer quoted in a reply), a separator line through the last line naming list software
///        within the next <see cref="MaximumInnerFooterLines"/> lines;
///     3. any line still naming list software (a bare listinfo link).
/// Generic words such as "unsubscribe" or "mailing list" are not markers: spam uses them in its own text.
/// </summary>
public static partial class MailingListArtifacts
{
    /// <summary>The longest footer block, separator excluded, that is removed.</summary>
    public const int MaximumFooterLines = 20;

    /// <summary>How far after a separator inside the body a footer's last line may be.</summary>
    public const int MaximumInnerFooterLines = 8;

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

    /// <summary>The body without list footers at its end.</summary>
    public static string RemoveFooters(string body)
    {
        ArgumentNullException.ThrowIfNull(body);
        var lines = body.Split('\n').ToList();
        while (TryFindFooterStart(lines, out var start))
        {
            lines.RemoveRange(start, lines.Count - start);
            while (lines.Count > 0 && string.IsNullOrWhiteSpace(lines[^1]))
                lines.RemoveAt(lines.Count - 1);
        }
        for (var index = 0; index < lines.Count; index++)
        {
            if (!SeparatorPattern().IsMatch(lines[index]))
                continue;
            var windowEnd = Math.Min(lines.Count - 1, index + MaximumInnerFooterLines);
            var last = windowEnd;
            while (last > index && !NamesListSoftware(lines[last]))
                last--;
            if (last > index)
                lines.RemoveRange(index, last - index + 1);
        }
        lines.RemoveAll(NamesListSoftware);
        return string.Join('\n', lines).TrimEnd();
    }

    private static bool NamesListSoftware(string text)
    {
        var lower = text.ToLowerInvariant();
        return FooterMarkers.Any(lower.Contains);
    }

    /// <summary>The last separator line whose block (the separator and what follows) names list software.</summary>
    private static bool TryFindFooterStart(List<string> lines, out int start)
    {
        var earliest = Math.Max(0, lines.Count - 1 - MaximumFooterLines);
        for (var index = lines.Count - 1; index >= earliest; index--)
        {
            if (!SeparatorPattern().IsMatch(lines[index]))
                continue;
            if (NamesListSoftware(string.Join('\n', lines.Skip(index))))
            {
                start = index;
                return true;
            }
        }
        start = -1;
        return false;
    }
}
