namespace MlNetRnn.OnnxExport.Runtime;

/// <summary>
/// Finds ONNX Runtime's native library. In order:
/// <list type="number">
/// <item><see cref="OnnxRuntimeLibraryOptions.LibraryPath"/> (a file or its folder); when set, nothing else is tried;</item>
/// <item>the environment variable <see cref="PathVariable"/> (a file or its folder); when set, nothing else is tried;</item>
/// <item>the application's runtimes/&lt;rid&gt;/native folder (where Microsoft.ML.OnnxRuntime packages put it), then the
/// application folder itself (a RID-specific publish flattens it there);</item>
/// <item>the npm install made by scripts/setup.sh: node_modules/onnxruntime-node/bin/napi-v6/&lt;os&gt;/&lt;arch&gt;/ in the
/// application folder, the current folder or any folder above them. With <see cref="OnnxRuntimeLibraryOptions.PreferCuda"/>,
/// first the pair installed by scripts/setup.sh --gpu: the core library in
/// node_modules/com.github.asus4.onnxruntime/Plugins/&lt;OS&gt;/&lt;arch&gt;/ and the CUDA provider in
/// node_modules/com.github.asus4.onnxruntime.linux-x64-gpu/Plugins/Linux/x64/ (two folders, so the provider is
/// registered by path as a plugin execution provider, see <see cref="OnnxRuntimeLibraryLocation.CudaProviderLibraryPath"/>).</item>
/// </list>
/// Nothing found: an <see cref="OnnxRuntimeNotFoundException"/> listing every place tried and the fix.
/// </summary>
public static class OnnxRuntimeLibraryLocator
{
    /// <summary>Environment variable naming the core library or its folder.</summary>
    public const string PathVariable = "MLNETRNN_ONNXRUNTIME_PATH";

    /// <summary>The npm package whose native library the CPU path uses (package.json pins its version).</summary>
    public const string NodePackage = "onnxruntime-node";

    /// <summary>The npm package holding ONNX Runtime 1.29's core library, paired with <see cref="OnnxRuntimePlatform.GpuPackage"/>.</summary>
    public const string CorePluginPackage = "com.github.asus4.onnxruntime";

    public static OnnxRuntimeLibraryLocation Locate(OnnxRuntimeLibraryOptions? options = null) =>
        Locate(options ?? new OnnxRuntimeLibraryOptions(), Environment.GetEnvironmentVariable(PathVariable),
            AppContext.BaseDirectory, Environment.CurrentDirectory, OnnxRuntimePlatform.Current);

    /// <summary>Discovery over explicit inputs, so tests can run it against folders they build.</summary>
    internal static OnnxRuntimeLibraryLocation Locate(OnnxRuntimeLibraryOptions options, string? environmentValue,
        string appDirectory, string currentDirectory, OnnxRuntimePlatform platform)
    {
        ArgumentNullException.ThrowIfNull(options);
        var tried = new List<string>();

        if (!string.IsNullOrWhiteSpace(options.LibraryPath))
            return Pinned(options.LibraryPath, "OnnxRuntimeLibraryOptions.LibraryPath", platform, tried);
        tried.Add("OnnxRuntimeLibraryOptions.LibraryPath: not set");

        if (!string.IsNullOrWhiteSpace(environmentValue))
            return Pinned(environmentValue, $"${PathVariable}", platform, tried);
        tried.Add($"${PathVariable}: not set");

        var app = Path.TrimEndingDirectorySeparator(Path.GetFullPath(appDirectory));
        foreach (var directory in new[] { Path.Combine(app, "runtimes", platform.RuntimeIdentifier, "native"), app })
        {
            if (Check(directory, platform, tried) is { } found)
                return new OnnxRuntimeLibraryLocation(found, $"application folder ({directory})", null, tried);
        }

        var visited = new HashSet<string>(StringComparer.Ordinal);
        foreach (var start in new[] { app, Path.TrimEndingDirectorySeparator(Path.GetFullPath(currentDirectory)) })
        {
            for (var directory = new DirectoryInfo(start); directory is not null; directory = directory.Parent)
            {
                if (!visited.Add(directory.FullName))
                    continue;
                var nodeModules = Path.Combine(directory.FullName, "node_modules");
                if (!Directory.Exists(nodeModules))
                {
                    tried.Add($"{nodeModules}: no such folder");
                    continue;
                }
                if (options.PreferCuda && CudaPair(nodeModules, platform, tried) is { } pair)
                    return pair;
                var nodeFolder = Path.Combine(nodeModules, NodePackage, "bin", "napi-v6", platform.NodeFolder);
                if (Check(nodeFolder, platform, tried) is { } core)
                    return new OnnxRuntimeLibraryLocation(core, $"npm {NodePackage} ({nodeModules})", null, tried);
            }
        }
        throw NotFound(platform, tried, pinned: null);
    }

    // The --gpu pair: 1.29's core from the CPU package and the CUDA provider from the GPU package.
    private static OnnxRuntimeLibraryLocation? CudaPair(string nodeModules, OnnxRuntimePlatform platform, List<string> tried)
    {
        if (platform.GpuPackage is null)
            return null;
        var providerFolder = Path.Combine(nodeModules, platform.GpuPackage, "Plugins", platform.PluginFolder);
        var provider = Path.Combine(providerFolder, platform.CudaProviderName);
        if (!File.Exists(provider))
        {
            tried.Add($"{providerFolder}: no {platform.CudaProviderName} (scripts/setup.sh --gpu installs it)");
            return null;
        }
        var coreFolder = Path.Combine(nodeModules, CorePluginPackage, "Plugins", platform.PluginFolder);
        if (Check(coreFolder, platform, tried) is not { } core)
            return null;
        return new OnnxRuntimeLibraryLocation(core, $"npm {CorePluginPackage} with {platform.GpuPackage} ({nodeModules})", provider, tried);
    }

    // An explicit file or folder: used as given, never replaced by another install.
    private static OnnxRuntimeLibraryLocation Pinned(string path, string origin, OnnxRuntimePlatform platform, List<string> tried)
    {
        var full = Path.GetFullPath(path);
        if (File.Exists(full))
        {
            tried.Add($"{origin} = {full}: found");
            return new OnnxRuntimeLibraryLocation(full, origin, null, tried);
        }
        if (Directory.Exists(full))
        {
            if (platform.CoreLibraryIn(full) is { } inFolder)
            {
                tried.Add($"{origin} = {full}: found {Path.GetFileName(inFolder)}");
                return new OnnxRuntimeLibraryLocation(inFolder, origin, null, tried);
            }
            tried.Add($"{origin} = {full}: a folder without {platform.CoreLibraryDescription}");
        }
        else
        {
            tried.Add($"{origin} = {full}: no such file or folder");
        }
        throw NotFound(platform, tried, origin);
    }

    private static string? Check(string directory, OnnxRuntimePlatform platform, List<string> tried)
    {
        if (!Directory.Exists(directory))
        {
            tried.Add($"{directory}: no such folder");
            return null;
        }
        if (platform.CoreLibraryIn(directory) is { } found)
        {
            tried.Add($"{directory}: found {Path.GetFileName(found)}");
            return found;
        }
        tried.Add($"{directory}: no {platform.CoreLibraryDescription}");
        return null;
    }

    private static OnnxRuntimeNotFoundException NotFound(OnnxRuntimePlatform platform, List<string> tried, string? pinned)
    {
        var lines = string.Join(Environment.NewLine, tried.Select((t, i) => $"  {i + 1}. {t}"));
        var fix = pinned is not null
            ? $"Fix {pinned} so it names {platform.CoreLibraryDescription} or its folder, or unset it to use the default search."
            : $"Fix: run scripts/setup.sh at the repository root (it installs {NodePackage} from npm into node_modules/), " +
              $"or set {PathVariable} to {platform.CoreLibraryDescription} (the file or its folder), " +
              $"or reference a Microsoft.ML.OnnxRuntime package that puts it under runtimes/{platform.RuntimeIdentifier}/native.";
        return new OnnxRuntimeNotFoundException(
            $"ONNX Runtime's native library ({platform.CoreLibraryDescription}) was not found. Looked at, in order:{Environment.NewLine}" +
            $"{lines}{Environment.NewLine}{fix}", tried.ToArray());
    }
}
