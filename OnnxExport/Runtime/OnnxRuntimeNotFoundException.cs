namespace MlNetRnn;

/// <summary>
/// ONNX Runtime's native library could not be loaded: the application references the managed API
/// (Microsoft.ML.OnnxRuntime.Managed, which MlNetRnn depends on) but no native package. The message names the
/// packages to add.
/// </summary>
public sealed class OnnxRuntimeNotFoundException : DllNotFoundException
{
    internal OnnxRuntimeNotFoundException(Exception loadError)
        : base(
            "ONNX Runtime's native library (libonnxruntime) could not be loaded. MlNetRnn depends on the managed API only, " +
            "so that the application picks the native build: add the package Microsoft.ML.OnnxRuntime (CPU) or " +
            "Microsoft.ML.OnnxRuntime.Gpu.Linux (CUDA on Linux x64) to the application, e.g. " +
            $"'dotnet add package Microsoft.ML.OnnxRuntime --version {OnnxRuntimeSession.TestedVersion}'. Loader: {Innermost(loadError).Message}",
            loadError)
    {
    }

    private static Exception Innermost(Exception e)
    {
        while (e.InnerException is not null)
            e = e.InnerException;
        return e;
    }
}
