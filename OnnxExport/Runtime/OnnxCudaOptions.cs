namespace MlNetRnn.OnnxExport.Runtime;

/// <summary>Options of ONNX Runtime's CUDA execution provider.</summary>
public sealed class OnnxCudaOptions
{
    /// <summary>The CUDA device ordinal (ORT's "device_id").</summary>
    public int DeviceId { get; init; }

    /// <summary>
    /// Further CUDA provider options by ORT's key names, e.g. "gpu_mem_limit", "arena_extend_strategy",
    /// "cudnn_conv_algo_search", "use_tf32". Do not put "device_id" here; use <see cref="DeviceId"/>.
    /// </summary>
    public IReadOnlyDictionary<string, string> ProviderOptions { get; init; } = new Dictionary<string, string>();

    /// <summary>
    /// A CUDA provider library (libonnxruntime_providers_cuda.so) to register as a plugin execution provider, for a
    /// core library built without CUDA. Default: the one discovery found (the npm GPU package), else none.
    /// </summary>
    public string? ProviderLibraryPath { get; init; }

    internal void Validate()
    {
        if (DeviceId < 0)
            throw new ArgumentOutOfRangeException(nameof(DeviceId), DeviceId, "The CUDA device ordinal must be >= 0.");
        ArgumentNullException.ThrowIfNull(ProviderOptions, nameof(ProviderOptions));
        if (ProviderOptions.ContainsKey("device_id"))
            throw new ArgumentException("Set the CUDA device with DeviceId, not ProviderOptions[\"device_id\"].", nameof(ProviderOptions));
        foreach (var (key, value) in ProviderOptions)
        {
            if (string.IsNullOrWhiteSpace(key) || value is null)
                throw new ArgumentException($"CUDA provider option '{key}' = '{value}': keys must be non-empty and values non-null.", nameof(ProviderOptions));
        }
    }

    /// <summary>Every option as ORT key/value pairs, device_id first.</summary>
    internal IReadOnlyList<KeyValuePair<string, string>> ToKeyValues() =>
        [new("device_id", DeviceId.ToString(System.Globalization.CultureInfo.InvariantCulture)), .. ProviderOptions];
}
