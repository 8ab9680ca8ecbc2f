using MlNetRnn.OnnxExport.Runtime;

namespace MlNetRnn.Tests.Runtime;

/// <summary>
/// Discovery of the native library: the order of the rules, the layouts of NuGet, onnxruntime-node and the npm GPU
/// pair (empty stand-in files in a temporary tree), and the error listing every place tried. The real install is
/// found the way users find it: the npm install at the repository root.
/// </summary>
public sealed class OnnxRuntimeLibraryLocatorTests : IDisposable
{
    private static readonly OnnxRuntimePlatform Linux = OnnxRuntimePlatform.LinuxX64;

    private readonly string _root = Directory.CreateTempSubdirectory("mlnetrnn-locate-").FullName;

    public void Dispose() => Directory.Delete(_root, recursive: true);

    private string App => Path.Combine(_root, "repo", "app", "bin");

    private string Touch(params string[] parts)
    {
        var path = Path.Combine([_root, .. parts]);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllBytes(path, []);
        return path;
    }

    private OnnxRuntimeLibraryLocation Locate(OnnxRuntimeLibraryOptions? options = null, string? environment = null)
    {
        Directory.CreateDirectory(App);
        return OnnxRuntimeLibraryLocator.Locate(options ?? new OnnxRuntimeLibraryOptions(), environment, App, App, Linux);
    }

    [Fact]
    public void RealInstallIsTheNpmPackageAtTheRepositoryRoot()
    {
        var library = OnnxRuntimeLibrary.Default;
        var expected = Path.Combine("node_modules", "onnxruntime-node", "bin", "napi-v6", "linux", "x64", "libonnxruntime.so.1");
        Assert.EndsWith(expected, library.Path);
        Assert.StartsWith("1.", library.Version);
        Assert.Contains("CPUExecutionProvider", library.AvailableProviders);
        Assert.Same(library, OnnxRuntimeLibrary.Load());
    }

    [Fact]
    public void NothingFoundListsEveryPlaceAndTheFix()
    {
        var error = Assert.Throws<OnnxRuntimeNotFoundException>(() => Locate());
        Assert.Equal("OnnxRuntimeLibraryOptions.LibraryPath: not set", error.Tried[0]);
        Assert.Equal($"${OnnxRuntimeLibraryLocator.PathVariable}: not set", error.Tried[1]);
        Assert.Equal($"{Path.Combine(App, "runtimes", "linux-x64", "native")}: no such folder", error.Tried[2]);
        Assert.Equal($"{App}: no libonnxruntime.so or libonnxruntime.so.1", error.Tried[3]);
        Assert.Contains($"{Path.Combine(App, "node_modules")}: no such folder", error.Tried);
        Assert.Contains($"{Path.Combine(_root, "repo", "node_modules")}: no such folder", error.Tried);
        foreach (var place in error.Tried)
            Assert.Contains(place, error.Message);
        Assert.Contains("scripts/setup.sh", error.Message);
        Assert.Contains(OnnxRuntimeLibraryLocator.PathVariable, error.Message);
    }

    [Fact]
    public void ExplicitPathWinsAndIsNeverReplaced()
    {
        Touch("repo", "node_modules", "onnxruntime-node", "bin", "napi-v6", "linux", "x64", "libonnxruntime.so.1");
        var file = Touch("custom", "libonnxruntime.so");
        Assert.Equal(file, Locate(new OnnxRuntimeLibraryOptions { LibraryPath = file }, environment: "/elsewhere").CoreLibraryPath);
        Assert.Equal(file, Locate(new OnnxRuntimeLibraryOptions { LibraryPath = Path.GetDirectoryName(file) }).CoreLibraryPath);

        var missing = Path.Combine(_root, "nowhere", "libonnxruntime.so");
        var error = Assert.Throws<OnnxRuntimeNotFoundException>(() => Locate(new OnnxRuntimeLibraryOptions { LibraryPath = missing }));
        Assert.Equal([$"OnnxRuntimeLibraryOptions.LibraryPath = {missing}: no such file or folder"], error.Tried);
    }

    [Fact]
    public void EnvironmentVariableComesBeforeTheApplicationFolder()
    {
        Touch("repo", "app", "bin", "runtimes", "linux-x64", "native", "libonnxruntime.so");
        var folder = Path.GetDirectoryName(Touch("env", "libonnxruntime.so.1"))!;
        var found = Locate(environment: folder);
        Assert.Equal(Path.Combine(folder, "libonnxruntime.so.1"), found.CoreLibraryPath);
        Assert.Equal($"${OnnxRuntimeLibraryLocator.PathVariable}", found.Source);

        var error = Assert.Throws<OnnxRuntimeNotFoundException>(() => Locate(environment: Path.Combine(_root, "repo")));
        Assert.Contains("a folder without libonnxruntime.so or libonnxruntime.so.1", error.Message);
        Assert.Contains($"unset it", error.Message);
    }

    [Fact]
    public void NuGetRuntimesFolderComesBeforeNpm()
    {
        Touch("repo", "node_modules", "onnxruntime-node", "bin", "napi-v6", "linux", "x64", "libonnxruntime.so.1");
        var nuget = Touch("repo", "app", "bin", "runtimes", "linux-x64", "native", "libonnxruntime.so");
        Assert.Equal(nuget, Locate().CoreLibraryPath);
    }

    [Fact]
    public void NpmInstallIsFoundAboveTheApplication()
    {
        var npm = Touch("repo", "node_modules", "onnxruntime-node", "bin", "napi-v6", "linux", "x64", "libonnxruntime.so.1");
        var found = Locate();
        Assert.Equal(npm, found.CoreLibraryPath);
        Assert.Null(found.CudaProviderLibraryPath);
        Assert.Contains($"{Path.Combine(App, "node_modules")}: no such folder", found.Tried);
    }

    [Fact]
    public void CudaPreferenceTakesTheNpmGpuPair()
    {
        var npm = Touch("repo", "node_modules", "onnxruntime-node", "bin", "napi-v6", "linux", "x64", "libonnxruntime.so.1");
        var core = Touch("repo", "node_modules", "com.github.asus4.onnxruntime", "Plugins", "Linux", "x64", "libonnxruntime.so");
        var provider = Touch("repo", "node_modules", "com.github.asus4.onnxruntime.linux-x64-gpu", "Plugins", "Linux", "x64", "libonnxruntime_providers_cuda.so");

        var cuda = Locate(new OnnxRuntimeLibraryOptions { PreferCuda = true });
        Assert.Equal(core, cuda.CoreLibraryPath);
        Assert.Equal(provider, cuda.CudaProviderLibraryPath);
        Assert.Contains("com.github.asus4.onnxruntime.linux-x64-gpu", cuda.Source);

        Assert.Equal(npm, Locate().CoreLibraryPath);
    }

    [Fact]
    public void CudaPreferenceWithoutTheGpuPackageFallsBackToTheCpuInstall()
    {
        var npm = Touch("repo", "node_modules", "onnxruntime-node", "bin", "napi-v6", "linux", "x64", "libonnxruntime.so.1");
        var found = Locate(new OnnxRuntimeLibraryOptions { PreferCuda = true });
        Assert.Equal(npm, found.CoreLibraryPath);
        Assert.Null(found.CudaProviderLibraryPath);
        Assert.Contains(found.Tried, t => t.Contains("no libonnxruntime_providers_cuda.so (scripts/setup.sh --gpu installs it)"));
    }
}
