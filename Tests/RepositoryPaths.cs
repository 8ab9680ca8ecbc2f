namespace MlNetRnn.Tests;

/// <summary>Locations in the source tree, found by walking up from the test binaries to MlNetRnn.sln.</summary>
internal static class RepositoryPaths
{
    public static string Root { get; } = FindRoot();

    public static string Tests => Path.Combine(Root, "Tests");

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "MlNetRnn.sln")))
                return dir.FullName;
        }
        throw new DirectoryNotFoundException($"MlNetRnn.sln not found above {AppContext.BaseDirectory}.");
    }
}
