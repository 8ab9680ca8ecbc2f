namespace MlNetRnn.OnnxExport.Runtime;

/// <summary>Where discovery found ONNX Runtime, and everything it looked at on the way.</summary>
/// <param name="CoreLibraryPath">The core library to load.</param>
/// <param name="Source">Which rule found it, e.g. "npm onnxruntime-node (node_modules under /repo)".</param>
/// <param name="CudaProviderLibraryPath">
/// A CUDA provider library kept in a different folder from the core (the npm GPU package), registered as a plugin
/// execution provider when CUDA is requested; null when none was found that way.
/// </param>
/// <param name="Tried">Every candidate checked before and including the one found, with what was there.</param>
public sealed record OnnxRuntimeLibraryLocation(
    string CoreLibraryPath,
    string Source,
    string? CudaProviderLibraryPath,
    IReadOnlyList<string> Tried);
