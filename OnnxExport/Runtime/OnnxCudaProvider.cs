namespace MlNetRnn.OnnxExport.Runtime;

/// <summary>
/// Adds ONNX Runtime's CUDA provider to native session options, by one of two routes:
/// <list type="bullet">
/// <item>Provider bridge, when the core library lists CUDAExecutionProvider (a CUDA build such as
/// Microsoft.ML.OnnxRuntime.Gpu, or onnxruntime-node's core): <c>CreateCUDAProviderOptions</c>,
/// <c>UpdateCUDAProviderOptions</c>, <c>SessionOptionsAppendExecutionProvider_CUDA_V2</c>. ORT then loads
/// libonnxruntime_providers_shared and libonnxruntime_providers_cuda from the core library's folder.</item>
/// <item>Plugin provider, when the core is a CPU build (the npm pair of scripts/setup.sh --gpu: ORT 1.29's CPU core
/// whose V2 options report "not enabled in this build", and the CUDA provider in another package):
/// <c>RegisterExecutionProviderLibrary</c> with the provider's path, <c>GetEpDevices</c>, then
/// <c>SessionOptionsAppendExecutionProvider_V2</c> with the chosen device and the options.</item>
/// </list>
/// Every failure becomes an <see cref="OnnxExecutionProviderException"/> naming what is missing.
/// </summary>
internal static unsafe class OnnxCudaProvider
{
    public const string ProviderName = "CUDAExecutionProvider";

    private const string RegistrationName = "MlNetRnnCuda";

    // What the CUDA provider of the npm GPU package (ORT 1.29) links against, from its ELF dependencies.
    private const string RuntimeRequirements =
        "an NVIDIA GPU with its driver (libcuda.so.1), and the CUDA and cuDNN versions the provider was built for " +
        "(ORT 1.29's npm GPU package: CUDA 13 - libcudart.so.13, libcublas.so.13, libcublasLt.so.13, libcurand.so.10 - " +
        "and cuDNN 9 - libcudnn.so.9) where the loader finds them (LD_LIBRARY_PATH or ldconfig)";

    public static void Append(OnnxRuntimeLibrary library, OrtHandle sessionOptions, OnnxCudaOptions cuda)
    {
        if (library.HasCudaProviderBridge)
            AppendThroughBridge(library, sessionOptions, cuda);
        else
            AppendAsPlugin(library, sessionOptions, cuda);
    }

    /// <summary>Why a session with CUDA appended could not be created while a CPU session of the same model could.</summary>
    public static string SessionFailureHint(OnnxRuntimeLibrary library) =>
        $"The CUDA provider was added to the session, but starting it failed; it needs {RuntimeRequirements}. " +
        $"Check nvidia-smi and CUDA_VISIBLE_DEVICES. ({library})";

    private static void AppendThroughBridge(OnnxRuntimeLibrary library, OrtHandle sessionOptions, OnnxCudaOptions cuda)
    {
        // Creating, updating (which already loads the provider libraries) and appending can each fail.
        var api = library.Api;
        using var strings = new NativeStringArrays(cuda.ToKeyValues());
        OnnxExecutionProviderException Failure(IntPtr status, string context)
        {
            var error = api.ToException(status, context);
            return new OnnxExecutionProviderException(OnnxExecutionProvider.Cuda, BridgeHint(library, strings, error.NativeMessage), error);
        }

        IntPtr created;
        var status = api.CreateCudaProviderOptions(&created);
        if (status != IntPtr.Zero)
            throw Failure(status, "creating CUDA provider options");
        using var providerOptions = new OrtHandle("OrtCUDAProviderOptionsV2", api.ReleaseCudaProviderOptions, created);
        using var provider = providerOptions.Lease();
        status = api.UpdateCudaProviderOptions(provider.Pointer, strings.Keys, strings.Values, (nuint)strings.Count);
        if (status != IntPtr.Zero)
            throw Failure(status, $"setting CUDA provider options {strings}");
        using var options = sessionOptions.Lease();
        status = api.SessionOptionsAppendExecutionProviderCudaV2(options.Pointer, provider.Pointer);
        if (status != IntPtr.Zero)
            throw Failure(status, "appending the CUDA execution provider");
    }

    // The bridge loads both provider libraries from the core library's folder: say which are absent, else why
    // present ones failed (ORT's text tells a load failure from a rejected option).
    private static string BridgeHint(OnnxRuntimeLibrary library, NativeStringArrays options, string nativeMessage)
    {
        var platform = OnnxRuntimePlatform.Current;
        var folder = Path.GetDirectoryName(library.Path) ?? ".";
        var missing = new[] { platform.SharedProviderName, platform.CudaProviderName }
            .Where(name => !File.Exists(Path.Combine(folder, name))).ToList();
        if (missing.Count > 0)
            return $"ONNX Runtime {library.Version} loads the CUDA provider from the folder of its core library, and {folder} " +
                   $"has no {string.Join(" and no ", missing)}: this is a CPU-only install. " +
                   $"Run scripts/setup.sh --gpu (npm GPU package), or set {OnnxRuntimeLibraryLocator.PathVariable} to a CUDA build " +
                   $"of ONNX Runtime with {platform.CudaProviderName} and {platform.SharedProviderName} next to its core library " +
                   $"(e.g. Microsoft.ML.OnnxRuntime.Gpu's runtimes/{platform.RuntimeIdentifier}/native).";
        if (nativeMessage.Contains("load", StringComparison.OrdinalIgnoreCase))
            return $"{platform.SharedProviderName} and {platform.CudaProviderName} exist in {folder} but could not be loaded: " +
                   $"they need {RuntimeRequirements}.";
        return $"ONNX Runtime rejected the CUDA provider options {options}.";
    }

    private static void AppendAsPlugin(OnnxRuntimeLibrary library, OrtHandle sessionOptions, OnnxCudaOptions cuda)
    {
        var api = library.Api;
        var platform = OnnxRuntimePlatform.Current;
        var nextToCore = Path.Combine(Path.GetDirectoryName(library.Path) ?? ".", platform.CudaProviderName);
        var providerPath = cuda.ProviderLibraryPath ?? library.Location.CudaProviderLibraryPath
            ?? (File.Exists(nextToCore) ? nextToCore : null);
        if (providerPath is null)
            throw new OnnxExecutionProviderException(OnnxExecutionProvider.Cuda,
                $"{library} is built without CUDA (its providers: {string.Join(", ", library.AvailableProviders)}), " +
                $"and no CUDA provider library was found to register: OnnxCudaOptions.ProviderLibraryPath is not set, " +
                $"discovery found no {platform.GpuPackage ?? "GPU"} package, and {nextToCore} does not exist. " +
                $"Run scripts/setup.sh --gpu, or set {OnnxRuntimeLibraryLocator.PathVariable} to a CUDA build of ONNX Runtime.");
        if (!File.Exists(providerPath))
            throw new OnnxExecutionProviderException(OnnxExecutionProvider.Cuda,
                $"the CUDA provider library '{providerPath}' does not exist. Run scripts/setup.sh --gpu or fix OnnxCudaOptions.ProviderLibraryPath.");
        try
        {
            library.RegisterProviderLibrary(RegistrationName, providerPath);
        }
        catch (OnnxRuntimeException e)
        {
            throw new OnnxExecutionProviderException(OnnxExecutionProvider.Cuda,
                $"the CUDA provider library '{providerPath}' exists but could not be loaded: it needs {RuntimeRequirements}.", e);
        }

        var device = FindDevice(library, cuda.DeviceId, providerPath);
        using var strings = new NativeStringArrays(cuda.ToKeyValues());
        using var options = sessionOptions.Lease();
        using var env = library.Environment.Lease();
        var status = api.SessionOptionsAppendExecutionProviderV2(options.Pointer, env.Pointer, &device, 1,
            strings.Keys, strings.Values, (nuint)strings.Count);
        if (status != IntPtr.Zero)
            throw new OnnxExecutionProviderException(OnnxExecutionProvider.Cuda,
                $"the CUDA provider from '{providerPath}' rejected options {strings}.",
                api.ToException(status, "appending the CUDA execution provider"));
    }

    // The plugin's devices: one OrtEpDevice per GPU it supports; match "device_id" in its options, else the n-th.
    private static IntPtr FindDevice(OnnxRuntimeLibrary library, int deviceId, string providerPath)
    {
        var api = library.Api;
        IntPtr* devices;
        nuint count;
        using (var env = library.Environment.Lease())
            api.ThrowIfFailed(api.GetEpDevices(env.Pointer, &devices, &count), "listing execution provider devices");
        var cudaDevices = new List<IntPtr>();
        var seen = new List<string>();
        for (nuint i = 0; i < count; i++)
        {
            var name = OnnxRuntimeNativeApi.Utf8(api.EpDeviceEpName(devices[i])) ?? "";
            seen.Add(name);
            if (name == ProviderName)
                cudaDevices.Add(devices[i]);
        }
        if (cudaDevices.Count == 0)
            throw new OnnxExecutionProviderException(OnnxExecutionProvider.Cuda,
                $"the CUDA provider library '{providerPath}' loaded but offers no device (devices found: {string.Join(", ", seen)}): " +
                $"no GPU that ORT detected, or the NVIDIA driver is missing; check nvidia-smi and CUDA_VISIBLE_DEVICES.");
        var wanted = deviceId.ToString(System.Globalization.CultureInfo.InvariantCulture);
        foreach (var device in cudaDevices)
        {
            if (DeviceOption(api, device, "device_id") == wanted)
                return device;
        }
        if (deviceId < cudaDevices.Count)
            return cudaDevices[deviceId];
        throw new OnnxExecutionProviderException(OnnxExecutionProvider.Cuda,
            $"CUDA device {deviceId} was requested, the provider offers {cudaDevices.Count} device(s).");
    }

    private static string? DeviceOption(OnnxRuntimeNativeApi api, IntPtr device, string key)
    {
        var pairs = api.EpDeviceEpOptions(device);
        if (pairs == IntPtr.Zero)
            return null;
        byte** keys;
        byte** values;
        nuint count;
        api.GetKeyValuePairs(pairs, &keys, &values, &count);
        for (nuint i = 0; i < count; i++)
        {
            if (OnnxRuntimeNativeApi.Utf8(keys[i]) == key)
                return OnnxRuntimeNativeApi.Utf8(values[i]);
        }
        return null;
    }
}
