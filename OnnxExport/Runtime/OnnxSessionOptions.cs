using Microsoft.ML.OnnxRuntime;

namespace MlNetRnn;

/// <summary>How an <see cref="OnnxRuntimeSession"/> is created: threads, graph optimization and execution provider.</summary>
public sealed class OnnxSessionOptions
{
    /// <summary>Threads one node may use (ORT's intra-op pool); 0 lets ORT choose (one per physical core).</summary>
    public int IntraOpThreads { get; init; }

    /// <summary>Threads running independent nodes in parallel execution mode; 0 lets ORT choose.</summary>
    public int InterOpThreads { get; init; }

    public GraphOptimizationLevel GraphOptimizationLevel { get; init; } = GraphOptimizationLevel.ORT_ENABLE_ALL;

    public OnnxExecutionProvider ExecutionProvider { get; init; } = OnnxExecutionProvider.Cpu;

    /// <summary>CUDA provider options; used with <see cref="OnnxExecutionProvider.Cuda"/>.</summary>
    public OnnxCudaOptions Cuda { get; init; } = new();

    /// <summary>
    /// With <see cref="OnnxExecutionProvider.Cuda"/>: when the CUDA provider cannot be used, create a CPU session
    /// instead of failing. The fallback is reported by <see cref="OnnxRuntimeSession.ExecutionProvider"/> and
    /// <see cref="OnnxRuntimeSession.FallbackReason"/>. Default false: a CUDA request that cannot be met throws
    /// <see cref="OnnxExecutionProviderException"/>.
    /// </summary>
    public bool AllowCpuFallback { get; init; }

    /// <summary>What ONNX Runtime itself logs to the standard error for this session. Default: warnings and errors.
    /// A command-line tool that reports errors itself sets <see cref="OrtLoggingLevel.ORT_LOGGING_LEVEL_FATAL"/>.</summary>
    public OrtLoggingLevel LogLevel { get; init; } = OrtLoggingLevel.ORT_LOGGING_LEVEL_WARNING;

    /// <summary>The most threads a session may ask for: the same cap as the native kernel's.</summary>
    public const int MaxThreads = 256;

    /// <summary>
    /// ORT's CPU memory arena (its default, true): each concurrent Run grows the session's arena by the activations of
    /// its batch, and the arena keeps that memory for later runs, so a session's resident memory settles at about
    /// (concurrent callers) x (one batch's activations), never returned. False allocates each run's buffers from the
    /// system and frees them after it: memory follows the runs in flight, for a little time per run (measured in
    /// docs/reliability.md).
    /// </summary>
    public bool CpuMemoryArena { get; init; } = true;

    internal void Validate()
    {
        if (IntraOpThreads is < 0 or > MaxThreads)
            throw new ArgumentOutOfRangeException(nameof(IntraOpThreads), IntraOpThreads, $"Expected 0 (ORT's choice) or a thread count from 1 to {MaxThreads}.");
        if (InterOpThreads is < 0 or > MaxThreads)
            throw new ArgumentOutOfRangeException(nameof(InterOpThreads), InterOpThreads, $"Expected 0 (ORT's choice) or a thread count from 1 to {MaxThreads}.");
        if (!Enum.IsDefined(GraphOptimizationLevel))
            throw new ArgumentOutOfRangeException(nameof(GraphOptimizationLevel), GraphOptimizationLevel, "Expected one of ORT's GraphOptimizationLevel values.");
        if (!Enum.IsDefined(LogLevel))
            throw new ArgumentOutOfRangeException(nameof(LogLevel), LogLevel, "Expected one of ORT's OrtLoggingLevel values.");
        if (!Enum.IsDefined(ExecutionProvider))
            throw new ArgumentOutOfRangeException(nameof(ExecutionProvider), ExecutionProvider, "Expected Cpu or Cuda.");
        ArgumentNullException.ThrowIfNull(Cuda, nameof(Cuda));
        if (ExecutionProvider == OnnxExecutionProvider.Cuda)
            Cuda.Validate();
        else if (AllowCpuFallback)
            throw new ArgumentException("AllowCpuFallback applies to ExecutionProvider = Cuda only.", nameof(AllowCpuFallback));
    }

    /// <summary>ORT's session options for the CPU provider with these settings (the caller disposes them).</summary>
    internal SessionOptions ToCpuSessionOptions()
    {
        var options = new SessionOptions { GraphOptimizationLevel = GraphOptimizationLevel, LogSeverityLevel = LogLevel, EnableCpuMemArena = CpuMemoryArena };
        if (IntraOpThreads > 0)
            options.IntraOpNumThreads = IntraOpThreads;
        if (InterOpThreads > 0)
            options.InterOpNumThreads = InterOpThreads;
        return options;
    }
}
