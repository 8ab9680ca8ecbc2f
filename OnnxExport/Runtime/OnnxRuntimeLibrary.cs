using System.Runtime.InteropServices;

namespace MlNetRnn.OnnxExport.Runtime;

/// <summary>
/// One loaded ONNX Runtime native library: its C API table (version-checked), its process-wide environment
/// (<c>OrtEnv</c>, with the log level of the first load) and a CPU memory description for input tensors.
/// A library is loaded once per path and never unloaded; everything here is safe to use from many threads.
/// </summary>
public sealed unsafe class OnnxRuntimeLibrary
{
    private static readonly Lock LoadGate = new();
    private static readonly Dictionary<string, OnnxRuntimeLibrary> LoadedByPath = new(StringComparer.Ordinal);
    private static OnnxRuntimeLibrary? _default;
    private static OnnxRuntimeLibrary? _defaultCuda;

    private readonly Lock _providerGate = new();
    private readonly Dictionary<string, string> _registeredProviderLibraries = new(StringComparer.Ordinal);

    private OnnxRuntimeLibrary(OnnxRuntimeLibraryLocation location, OnnxRuntimeNativeApi api, OnnxRuntimeLogLevel logLevel)
    {
        Location = location;
        Api = api;
        LogLevel = logLevel;
        Version = api.VersionString;
        BuildInfo = OnnxRuntimeNativeApi.Utf8(api.GetBuildInfoString()) ?? "";

        IntPtr env;
        var logId = OnnxRuntimeNativeApi.EncodeUtf8("MlNetRnn");
        fixed (byte* id = logId)
            api.ThrowIfFailed(api.CreateEnv((int)logLevel, id, &env), "creating the environment (OrtEnv)");
        Environment = new OrtHandle("OrtEnv", api.ReleaseEnv, env);

        IntPtr memoryInfo;
        api.ThrowIfFailed(api.CreateCpuMemoryInfo(OnnxRuntimeNativeApi.ArenaAllocator, OnnxRuntimeNativeApi.MemTypeDefault, &memoryInfo),
            "creating the CPU memory info");
        CpuMemoryInfo = new OrtHandle("OrtMemoryInfo", api.ReleaseMemoryInfo, memoryInfo);

        byte** names;
        int count;
        api.ThrowIfFailed(api.GetAvailableProviders(&names, &count), "listing the execution providers");
        var providers = new string[count];
        for (var i = 0; i < count; i++)
            providers[i] = OnnxRuntimeNativeApi.Utf8(names[i]) ?? "";
        api.ThrowIfFailed(api.ReleaseAvailableProviders(names, count), "releasing the list of execution providers");
        AvailableProviders = providers;
    }

    /// <summary>The library file, as loaded.</summary>
    public string Path => Location.CoreLibraryPath;

    /// <summary>How discovery found it.</summary>
    public OnnxRuntimeLibraryLocation Location { get; }

    /// <summary>ORT's version string, e.g. "1.30.0".</summary>
    public string Version { get; }

    /// <summary>ORT's build description (git commit, build options).</summary>
    public string BuildInfo { get; }

    /// <summary>
    /// The execution providers compiled into this build, e.g. CUDAExecutionProvider, CPUExecutionProvider. A provider
    /// listed here may still need its own library next to the core one (CUDA does).
    /// </summary>
    public IReadOnlyList<string> AvailableProviders { get; }

    /// <summary>The environment's log level.</summary>
    public OnnxRuntimeLogLevel LogLevel { get; }

    internal OnnxRuntimeNativeApi Api { get; }

    internal OrtHandle Environment { get; }

    internal OrtHandle CpuMemoryInfo { get; }

    /// <summary>The library found by the default search (<see cref="OnnxRuntimeLibraryLocator"/>), loaded on first use.</summary>
    public static OnnxRuntimeLibrary Default
    {
        get
        {
            lock (LoadGate)
                return _default ??= Load(new OnnxRuntimeLibraryOptions());
        }
    }

    /// <summary>The library found by the default search with <see cref="OnnxRuntimeLibraryOptions.PreferCuda"/>.</summary>
    public static OnnxRuntimeLibrary DefaultForCuda
    {
        get
        {
            lock (LoadGate)
                return _defaultCuda ??= Load(new OnnxRuntimeLibraryOptions { PreferCuda = true });
        }
    }

    /// <summary>Finds (see <see cref="OnnxRuntimeLibraryLocator"/>) and loads a library, or returns the one already loaded from that path.</summary>
    public static OnnxRuntimeLibrary Load(OnnxRuntimeLibraryOptions? options = null)
    {
        options ??= new OnnxRuntimeLibraryOptions();
        if (!Enum.IsDefined(options.LogLevel))
            throw new ArgumentOutOfRangeException(nameof(options), options.LogLevel, "LogLevel must be Verbose, Info, Warning, Error or Fatal.");
        var location = OnnxRuntimeLibraryLocator.Locate(options);
        lock (LoadGate)
        {
            var key = System.IO.Path.GetFullPath(location.CoreLibraryPath);
            if (LoadedByPath.TryGetValue(key, out var loaded))
                return loaded;
            IntPtr handle;
            try
            {
                handle = NativeLibrary.Load(key);
            }
            catch (Exception e) when (e is DllNotFoundException or BadImageFormatException)
            {
                throw new DllNotFoundException(
                    $"ONNX Runtime was found at '{key}' ({location.Source}) but could not be loaded: {e.Message}", e);
            }
            var library = new OnnxRuntimeLibrary(location, OnnxRuntimeNativeApi.Load(handle, key), options.LogLevel);
            LoadedByPath[key] = library;
            return library;
        }
    }

    /// <summary>Whether this build lists the CUDA provider, i.e. takes it through the provider bridge (V2 options).</summary>
    internal bool HasCudaProviderBridge => AvailableProviders.Contains(OnnxCudaProvider.ProviderName);

    /// <summary>
    /// Registers a plugin execution provider library with the environment once; a second call with the same
    /// name and path does nothing. A failed registration is not remembered, so a fixed install can be retried.
    /// </summary>
    internal void RegisterProviderLibrary(string registrationName, string libraryPath)
    {
        lock (_providerGate)
        {
            if (_registeredProviderLibraries.TryGetValue(registrationName, out var registered))
            {
                if (registered == libraryPath)
                    return;
                throw new InvalidOperationException(
                    $"Execution provider '{registrationName}' is already registered from '{registered}'; cannot register '{libraryPath}' too.");
            }
            var name = OnnxRuntimeNativeApi.EncodeUtf8(registrationName);
            var path = OnnxRuntimeNativeApi.EncodePath(libraryPath);
            using var env = Environment.Lease();
            fixed (byte* namePointer = name)
            fixed (byte* pathPointer = path)
            {
                Api.ThrowIfFailed(Api.RegisterExecutionProviderLibrary(env.Pointer, namePointer, pathPointer),
                    $"registering the execution provider library '{libraryPath}'");
            }
            _registeredProviderLibraries[registrationName] = libraryPath;
        }
    }

    public override string ToString() => $"ONNX Runtime {Version} ({Path})";
}
