using Microsoft.ML.OnnxRuntime;
using MlNetRnn.OnnxExport.Runtime;

namespace MlNetRnn;

/// <summary>
/// An ONNX model loaded into the official ONNX Runtime (<see cref="InferenceSession"/> of
/// Microsoft.ML.OnnxRuntime.Managed) with <see cref="OnnxSessionOptions"/>: the CPU provider, or CUDA with an explicit,
/// reported fallback. What it adds to ORT's own API is the provider handling: a CUDA request that cannot be met
/// throws <see cref="OnnxExecutionProviderException"/> naming the package to add, the libraries that are missing and
/// the fallback option; a missing native library throws <see cref="OnnxRuntimeNotFoundException"/> naming the
/// packages. <see cref="Session"/> is thread-safe for <c>Run</c>, as ORT documents.
/// </summary>
public sealed class OnnxRuntimeSession : IDisposable
{
    /// <summary>The ONNX Runtime version this MlNetRnn was built and tested against.</summary>
    public const string TestedVersion = "1.32.0";

    private OnnxRuntimeSession(InferenceSession session, string origin, OnnxExecutionProvider requested,
        OnnxExecutionProvider provider, string? fallbackReason)
    {
        Session = session;
        Origin = origin;
        RequestedExecutionProvider = requested;
        ExecutionProvider = provider;
        FallbackReason = fallbackReason;
    }

    /// <summary>ORT's session: inputs, outputs, metadata, Run.</summary>
    public InferenceSession Session { get; }

    /// <summary>The model's file, or "model bytes (N bytes)".</summary>
    public string Origin { get; }

    /// <summary>The provider the options asked for.</summary>
    public OnnxExecutionProvider RequestedExecutionProvider { get; }

    /// <summary>The provider the session runs on: <see cref="OnnxExecutionProvider.Cpu"/> after a CPU fallback.</summary>
    public OnnxExecutionProvider ExecutionProvider { get; }

    /// <summary>Why the requested provider was replaced by the CPU (the full error), or null when it was not.</summary>
    public string? FallbackReason { get; }

    /// <summary>The version of the native ONNX Runtime library the process loaded.</summary>
    public static string RuntimeVersion => Guard(() => OrtEnv.Instance().GetVersionString());

    /// <summary>The execution providers the loaded native library was built with, e.g. CPUExecutionProvider.</summary>
    public static IReadOnlyList<string> AvailableProviders => Guard(() => OrtEnv.Instance().GetAvailableProviders());

    public static OnnxRuntimeSession FromFile(string modelPath, OnnxSessionOptions? options = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(modelPath);
        var full = Path.GetFullPath(modelPath);
        if (!File.Exists(full))
            throw new FileNotFoundException($"The ONNX model '{full}' does not exist.", full);
        return Create($"'{full}'", o => new InferenceSession(full, o), options);
    }

    public static OnnxRuntimeSession FromBytes(byte[] model, OnnxSessionOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        if (model.Length == 0)
            throw new ArgumentException("The model bytes are empty; expected a serialized ONNX ModelProto.", nameof(model));
        return Create($"model bytes ({model.Length} bytes)", o => new InferenceSession(model, o), options);
    }

    /// <summary>A session of model bytes that came from <paramref name="origin"/> (a file read and verified first).</summary>
    internal static OnnxRuntimeSession FromBytes(byte[] model, string origin, OnnxSessionOptions? options) =>
        Create($"'{origin}'", o => new InferenceSession(model, o), options);

    public void Dispose() => Session.Dispose();

    public override string ToString() => $"ONNX Runtime session {Origin} on {ExecutionProvider}";

    private static OnnxRuntimeSession Create(string origin, Func<SessionOptions, InferenceSession> open, OnnxSessionOptions? options)
    {
        options ??= new OnnxSessionOptions();
        options.Validate();
        var requested = options.ExecutionProvider;
        if (requested == OnnxExecutionProvider.Cpu)
            return new OnnxRuntimeSession(Open(open, options, cuda: false), origin, requested, requested, null);

        OnnxExecutionProviderException failure;
        try
        {
            return new OnnxRuntimeSession(Open(open, options, cuda: true), origin, requested, requested, null);
        }
        catch (OnnxExecutionProviderException e)
        {
            failure = e;
        }
        if (!options.AllowCpuFallback)
            throw failure;
        return new OnnxRuntimeSession(Open(open, options, cuda: false), origin, requested, OnnxExecutionProvider.Cpu, failure.Message);
    }

    private static InferenceSession Open(Func<SessionOptions, InferenceSession> open, OnnxSessionOptions options, bool cuda)
    {
        using var sessionOptions = Guard(options.ToCpuSessionOptions);
        if (cuda)
            CudaProvider.Append(sessionOptions, options.Cuda);
        try
        {
            return open(sessionOptions);
        }
        catch (OnnxRuntimeException e) when (cuda)
        {
            // The provider was appended, so the session's failure is CUDA's (its initialization, the device), unless
            // the model itself is bad: a CPU session tells the two apart.
            using (var cpuOptions = Guard(options.ToCpuSessionOptions))
                open(cpuOptions).Dispose();
            throw new OnnxExecutionProviderException(OnnxExecutionProvider.Cuda, CudaProvider.SessionFailureHint(), e);
        }
    }

    /// <summary>Runs <paramref name="call"/>, turning a native library that cannot be loaded into a clear error.</summary>
    internal static T Guard<T>(Func<T> call)
    {
        try
        {
            return call();
        }
        catch (Exception e) when (e is DllNotFoundException or TypeInitializationException { InnerException: DllNotFoundException or EntryPointNotFoundException })
        {
            throw new OnnxRuntimeNotFoundException(e);
        }
    }
}
