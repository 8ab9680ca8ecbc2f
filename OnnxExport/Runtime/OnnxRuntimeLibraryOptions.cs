namespace MlNetRnn.OnnxExport.Runtime;

/// <summary>Where to find ONNX Runtime's native library and how to set up its process-wide environment.</summary>
public sealed class OnnxRuntimeLibraryOptions
{
    /// <summary>
    /// The core library (libonnxruntime.so, onnxruntime.dll, libonnxruntime.dylib) or the folder holding it. When set,
    /// it is the only place looked at. Default null: <see cref="OnnxRuntimeLibraryLocator.PathVariable"/>, then the
    /// application's runtimes/&lt;rid&gt;/native folder, then the npm install made by scripts/setup.sh.
    /// </summary>
    public string? LibraryPath { get; init; }

    /// <summary>
    /// Look for a CUDA-capable install first: with scripts/setup.sh --gpu that is ONNX Runtime 1.29's core library
    /// from the com.github.asus4.onnxruntime npm package, paired with the CUDA provider of
    /// com.github.asus4.onnxruntime.linux-x64-gpu. Ignored when a path is given explicitly or by the environment.
    /// </summary>
    public bool PreferCuda { get; init; }

    /// <summary>ORT's environment log level (messages go to stderr). Only the first load of a library sets it.</summary>
    public OnnxRuntimeLogLevel LogLevel { get; init; } = OnnxRuntimeLogLevel.Warning;
}
