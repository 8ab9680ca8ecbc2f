namespace MlNetRnn.OnnxExport.Runtime;

/// <summary>
/// An ONNX model loaded into ONNX Runtime, ready to <see cref="Run"/>. Created from a file or from bytes with
/// <see cref="OnnxSessionOptions"/>; its inputs, outputs and metadata are read once at creation. A session may be
/// run from many threads at once (ORT allows it, and each call here keeps its own buffers); dispose it when done.
/// <para>Files: creation (this file), <c>OnnxSession.Describe.cs</c> (names, types, shapes, metadata),
/// <c>OnnxSession.Run.cs</c> (inputs in, outputs copied out).</para>
/// </summary>
public sealed unsafe partial class OnnxSession : IDisposable
{
    private readonly OnnxRuntimeLibrary _library;
    private readonly OrtHandle _session;
    private readonly Dictionary<string, int> _inputIndex;
    private readonly Dictionary<string, int> _outputIndex;

    private OnnxSession(OnnxRuntimeLibrary library, OrtHandle session, string origin,
        OnnxExecutionProvider requested, OnnxExecutionProvider provider, string? fallbackReason)
    {
        _library = library;
        _session = session;
        Origin = origin;
        RequestedExecutionProvider = requested;
        ExecutionProvider = provider;
        FallbackReason = fallbackReason;
        try
        {
            Inputs = DescribeValues(input: true);
            Outputs = DescribeValues(input: false);
            Metadata = DescribeMetadata();
        }
        catch
        {
            session.Dispose();
            throw;
        }
        _inputIndex = Inputs.Select((v, i) => (v.Name, i)).ToDictionary(p => p.Name, p => p.i, StringComparer.Ordinal);
        _outputIndex = Outputs.Select((v, i) => (v.Name, i)).ToDictionary(p => p.Name, p => p.i, StringComparer.Ordinal);
    }

    /// <summary>The model's file, or "model bytes (N bytes)".</summary>
    public string Origin { get; }

    public OnnxRuntimeLibrary Library => _library;

    /// <summary>The graph inputs the caller must feed (initializers excluded), in model order.</summary>
    public IReadOnlyList<OnnxValueInfo> Inputs { get; }

    /// <summary>The graph outputs, in model order.</summary>
    public IReadOnlyList<OnnxValueInfo> Outputs { get; }

    public OnnxModelMetadata Metadata { get; }

    /// <summary>The provider the options asked for.</summary>
    public OnnxExecutionProvider RequestedExecutionProvider { get; }

    /// <summary>The provider the session runs on: <see cref="OnnxExecutionProvider.Cpu"/> after a CPU fallback.</summary>
    public OnnxExecutionProvider ExecutionProvider { get; }

    /// <summary>Why the requested provider was replaced by the CPU (the full error), or null when it was not.</summary>
    public string? FallbackReason { get; }

    public static OnnxSession FromFile(string modelPath, OnnxSessionOptions? options = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(modelPath);
        var full = Path.GetFullPath(modelPath);
        if (!File.Exists(full))
            throw new FileNotFoundException($"The ONNX model '{full}' does not exist.", full);
        var path = OnnxRuntimeNativeApi.EncodePath(full);
        fixed (byte* pathPointer = path)
            return Create(new ModelSource($"'{full}'", pathPointer, null, 0), options);
    }

    public static OnnxSession FromBytes(ReadOnlySpan<byte> model, OnnxSessionOptions? options = null)
    {
        if (model.IsEmpty)
            throw new ArgumentException("The model bytes are empty; expected a serialized ONNX ModelProto.", nameof(model));
        fixed (byte* data = model)
            return Create(new ModelSource($"model bytes ({model.Length} bytes)", null, data, (nuint)model.Length), options);
    }

    public void Dispose() => _session.Dispose();

    public override string ToString() =>
        $"OnnxSession {Origin} on {ExecutionProvider}: inputs {string.Join(", ", Inputs)}; outputs {string.Join(", ", Outputs)}";

    // A file path (ORTCHAR_T) or a byte range, pinned by the caller for the whole creation, fallback included.
    private readonly struct ModelSource(string origin, byte* path, byte* data, nuint length)
    {
        public string Origin { get; } = origin;

        public byte* Path { get; } = path;

        public byte* Data { get; } = data;

        public nuint Length { get; } = length;
    }

    private static OnnxSession Create(ModelSource source, OnnxSessionOptions? options)
    {
        options ??= new OnnxSessionOptions();
        options.Validate();
        var requested = options.ExecutionProvider;
        var library = options.Library
            ?? (requested == OnnxExecutionProvider.Cuda ? OnnxRuntimeLibrary.DefaultForCuda : OnnxRuntimeLibrary.Default);
        if (requested == OnnxExecutionProvider.Cpu)
            return new OnnxSession(library, CreateNative(library, options, source, withCuda: false), source.Origin, requested, requested, null);

        OnnxExecutionProviderException failure;
        OrtHandle? cpuSession = null;
        try
        {
            return new OnnxSession(library, CreateNative(library, options, source, withCuda: true), source.Origin, requested, requested, null);
        }
        catch (OnnxExecutionProviderException e)
        {
            failure = e;
        }
        catch (OnnxRuntimeException e)
        {
            // CUDA was appended but the session failed: the model's fault if the CPU cannot load it either.
            cpuSession = CreateNative(library, options, source, withCuda: false);
            failure = new OnnxExecutionProviderException(OnnxExecutionProvider.Cuda, OnnxCudaProvider.SessionFailureHint(library), e);
        }
        if (!options.AllowCpuFallback)
        {
            cpuSession?.Dispose();
            throw failure;
        }
        cpuSession ??= CreateNative(library, options, source, withCuda: false);
        return new OnnxSession(library, cpuSession, source.Origin, requested, OnnxExecutionProvider.Cpu, failure.Message);
    }

    private static OrtHandle CreateNative(OnnxRuntimeLibrary library, OnnxSessionOptions options, ModelSource source, bool withCuda)
    {
        var api = library.Api;
        IntPtr created;
        api.ThrowIfFailed(api.CreateSessionOptions(&created), "creating session options");
        using var sessionOptions = new OrtHandle("OrtSessionOptions", api.ReleaseSessionOptions, created);
        using (var lease = sessionOptions.Lease())
        {
            var handle = lease.Pointer;
            if (options.IntraOpThreads > 0)
                api.ThrowIfFailed(api.SetIntraOpNumThreads(handle, options.IntraOpThreads), $"setting {options.IntraOpThreads} intra-op threads");
            if (options.InterOpThreads > 0)
                api.ThrowIfFailed(api.SetInterOpNumThreads(handle, options.InterOpThreads), $"setting {options.InterOpThreads} inter-op threads");
            api.ThrowIfFailed(api.SetSessionGraphOptimizationLevel(handle, (int)options.GraphOptimizationLevel),
                $"setting graph optimization level {options.GraphOptimizationLevel}");
            api.ThrowIfFailed(api.SetSessionExecutionMode(handle, (int)options.ExecutionMode), $"setting execution mode {options.ExecutionMode}");
            if (options.LogLevel is { } level)
                api.ThrowIfFailed(api.SetSessionLogSeverityLevel(handle, (int)level), $"setting the session log level {level}");
        }
        if (withCuda)
            OnnxCudaProvider.Append(library, sessionOptions, options.Cuda);

        IntPtr session;
        using (var env = library.Environment.Lease())
        using (var lease = sessionOptions.Lease())
        {
            var status = source.Path != null
                ? api.CreateSession(env.Pointer, source.Path, lease.Pointer, &session)
                : api.CreateSessionFromArray(env.Pointer, source.Data, source.Length, lease.Pointer, &session);
            api.ThrowIfFailed(status, $"creating a session from {source.Origin}");
        }
        return new OrtHandle("OrtSession", api.ReleaseSession, session);
    }
}
