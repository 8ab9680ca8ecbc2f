namespace MlNetRnn;

/// <summary>Options of ONNX Runtime's CUDA execution provider (Microsoft.ML.OnnxRuntime.Gpu.Linux).</summary>
public sealed class OnnxCudaOptions
{
    /// <summary>The CUDA device ordinal (ORT's "device_id").</summary>
    public int DeviceId { get; init; }

    /// <summary>
    /// Further CUDA provider options by ORT's key names, e.g. "gpu_mem_limit", "arena_extend_strategy",
    /// "cudnn_conv_algo_search", "use_tf32". Do not put "device_id" here; use <see cref="DeviceId"/>.
    /// </summary>
    public IReadOnlyDictionary<string, string> ProviderOptions { get; init; } = new Dictionary<string, string>();

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
    internal Dictionary<string, string> ToKeyValues()
    {
        var all = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["device_id"] = DeviceId.ToString(System.Globalization.CultureInfo.InvariantCulture),
        };
        foreach (var (key, value) in ProviderOptions)
            all[key] = value;
        return all;
    }
}
