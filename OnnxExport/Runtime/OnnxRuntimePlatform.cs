using System.Runtime.InteropServices;

namespace MlNetRnn.OnnxExport.Runtime;

/// <summary>
/// The file and folder names ONNX Runtime's distributions use on one operating system and architecture:
/// NuGet's <c>runtimes/&lt;rid&gt;/native</c>, onnxruntime-node's <c>bin/napi-v6/&lt;os&gt;/&lt;arch&gt;</c>, and the
/// <c>Plugins/&lt;OS&gt;/&lt;arch&gt;</c> folders of the com.github.asus4.onnxruntime npm packages (CPU core and GPU providers).
/// </summary>
internal sealed record OnnxRuntimePlatform(
    string RuntimeIdentifier,
    string NodeFolder,
    string PluginFolder,
    string? GpuPackage,
    IReadOnlyList<string> CoreLibraryNames,
    string CudaProviderName,
    string SharedProviderName)
{
    public static OnnxRuntimePlatform LinuxX64 { get; } = Linux("x64");

    public static OnnxRuntimePlatform Current { get; } = Detect();

    private static OnnxRuntimePlatform Linux(string arch) => new(
        $"linux-{arch}", $"linux/{arch}", $"Linux/{arch}", arch == "x64" ? "com.github.asus4.onnxruntime.linux-x64-gpu" : null,
        ["libonnxruntime.so", "libonnxruntime.so.1"], "libonnxruntime_providers_cuda.so", "libonnxruntime_providers_shared.so");

    private static OnnxRuntimePlatform Windows(string arch) => new(
        $"win-{arch}", $"win32/{arch}", $"Windows/{arch}", arch == "x64" ? "com.github.asus4.onnxruntime.win-x64-gpu" : null,
        ["onnxruntime.dll"], "onnxruntime_providers_cuda.dll", "onnxruntime_providers_shared.dll");

    // onnxruntime-node names the macOS library with its full version (libonnxruntime.1.30.0.dylib); see CoreLibraryIn.
    private static OnnxRuntimePlatform MacOS(string arch) => new(
        $"osx-{arch}", $"darwin/{arch}", $"macOS/{arch}", null,
        ["libonnxruntime.dylib"], "libonnxruntime_providers_cuda.dylib", "libonnxruntime_providers_shared.dylib");

    private static OnnxRuntimePlatform Detect()
    {
        var arch = RuntimeInformation.ProcessArchitecture switch
        {
            Architecture.X64 => "x64",
            Architecture.Arm64 => "arm64",
            var other => other.ToString().ToLowerInvariant(),
        };
        if (OperatingSystem.IsWindows())
            return Windows(arch);
        if (OperatingSystem.IsMacOS())
            return MacOS(arch);
        return Linux(arch);
    }

    /// <summary>The core library in <paramref name="directory"/>, or null; the first of <see cref="CoreLibraryNames"/> wins.</summary>
    public string? CoreLibraryIn(string directory)
    {
        foreach (var name in CoreLibraryNames)
        {
            var path = Path.Combine(directory, name);
            if (File.Exists(path))
                return path;
        }
        if (RuntimeIdentifier.StartsWith("osx-", StringComparison.Ordinal) && Directory.Exists(directory))
            return Directory.GetFiles(directory, "libonnxruntime.*.dylib").Order(StringComparer.Ordinal).FirstOrDefault();
        return null;
    }

    /// <summary>How the core library is called, for messages: "libonnxruntime.so or libonnxruntime.so.1".</summary>
    public string CoreLibraryDescription => string.Join(" or ", CoreLibraryNames);
}
