using Microsoft.ML.OnnxRuntime;


namespace MlNetRnn.OnnxExport.Runtime;

/// <summary>
/// Adds ONNX Runtime's CUDA provider to session options and, when that fails, says why in terms a user can act on:
/// a CPU-only package (add Microsoft.ML.OnnxRuntime.Gpu.Linux instead of Microsoft.ML.OnnxRuntime), the provider's
/// libraries absent beside the core library, or present but missing their CUDA/cuDNN dependencies (named, from the
/// provider's ELF dependency list, each tried with the system loader).
/// </summary>
internal static class CudaProvider
{
    public const string ProviderName = "CUDAExecutionProvider";
    public const string GpuPackage = "Microsoft.ML.OnnxRuntime.Gpu.Linux";
    private const string ProviderLibrary = "libonnxruntime_providers_cuda.so";
    private const string SharedLibrary = "libonnxruntime_providers_shared.so";
    private const string Fallback = "To run on the CPU instead, ask for the CPU provider (mlnetrnn: --provider cpu) or allow the " +
                                    "fallback (OnnxSessionOptions.AllowCpuFallback; mlnetrnn: --cpu-fallback).";

    public static void Append(SessionOptions options, OnnxCudaOptions cuda)
    {
        var providers = OnnxRuntimeSession.AvailableProviders;
        if (!providers.Contains(ProviderName))
            throw new OnnxExecutionProviderException(OnnxExecutionProvider.Cuda,
                $"the ONNX Runtime {OnnxRuntimeSession.RuntimeVersion} native library this process loaded is a CPU-only build " +
                $"(its providers: {string.Join(", ", providers)}), as Microsoft.ML.OnnxRuntime is. Reference {GpuPackage} " +
                $"(version {OnnxRuntimeSession.TestedVersion}) instead of Microsoft.ML.OnnxRuntime; it runs on the CPU too. {Fallback}");
        try
        {
            using var providerOptions = new OrtCUDAProviderOptions();
            providerOptions.UpdateOptions(cuda.ToKeyValues());
            options.AppendExecutionProvider_CUDA(providerOptions);
        }
        catch (OnnxRuntimeException e)
        {
            throw new OnnxExecutionProviderException(OnnxExecutionProvider.Cuda, LoadFailureHint(), e);
        }
    }

    public static string SessionFailureHint() =>
        $"the CUDA provider was added but the session could not start on it: {Requirements()} Check nvidia-smi and CUDA_VISIBLE_DEVICES. {Fallback}";

    private static string LoadFailureHint()
    {
        var folder = NativeLibraryFolder();
        if (folder is null)
            return $"{Requirements()} {Fallback}";
        var absent = new[] { SharedLibrary, ProviderLibrary }.Where(name => !File.Exists(Path.Combine(folder, name))).ToList();
        if (absent.Count > 0)
            return $"{folder} (where libonnxruntime.so was loaded from) has no {string.Join(" and no ", absent)}: the {GpuPackage} " +
                   $"package's runtimes/linux-x64/native files are incomplete. {Fallback}";
        return $"{Requirements(Path.Combine(folder, ProviderLibrary))} {Fallback}";
    }

    /// <summary>What the CUDA provider needs at run time; with its path, which of its dependencies the loader cannot find.</summary>
    private static string Requirements(string? providerPath = null)
    {
        var needs = $"the CUDA provider of ONNX Runtime {OnnxRuntimeSession.RuntimeVersion} needs an NVIDIA GPU and driver (libcuda.so.1), " +
                    "the CUDA and cuDNN libraries it was built against (for the 1.30-1.32 packages CUDA 13: libcudart.so.13, " +
                    "libcublas.so.13, libcublasLt.so.13, libcurand.so.10; and cuDNN 9: libcudnn.so.9) where the loader finds them " +
                    "(LD_LIBRARY_PATH or ldconfig).";
        if (providerPath is null)
            return needs;
        var missing = ElfDependencies.Needed(providerPath)
            .Append("libcudnn.so.9")
            .Where(name => !System.Runtime.InteropServices.NativeLibrary.TryLoad(name, out _))
            .ToList();
        return missing.Count == 0
            ? needs
            : $"the loader cannot find {string.Join(", ", missing)}, which {Path.GetFileName(providerPath)} needs; {needs}";
    }

    /// <summary>The folder of the libonnxruntime.so this process mapped (from /proc/self/maps), or null.</summary>
    private static string? NativeLibraryFolder()
    {
        if (!OperatingSystem.IsLinux())
            return null;
        try
        {
            foreach (var line in File.ReadLines("/proc/self/maps"))
            {
                var at = line.IndexOf('/');
                if (at >= 0 && line.EndsWith("/libonnxruntime.so", StringComparison.Ordinal))
                    return Path.GetDirectoryName(line[at..]);
            }
        }
        catch (IOException)
        {
        }
        return null;
    }
}
