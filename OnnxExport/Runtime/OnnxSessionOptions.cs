namespace MlNetRnn.OnnxExport.Runtime;

/// <summary>How an <see cref="OnnxSession"/> is created: threads, graph optimization, execution mode and provider.</summary>
public sealed class OnnxSessionOptions
{
    /// <summary>Threads one node may use (ORT's intra-op pool); 0 lets ORT choose (one per physical core).</summary>
    public int IntraOpThreads { get; init; }

    /// <summary>Threads running independent nodes with <see cref="OnnxExecutionMode.Parallel"/>; 0 lets ORT choose.</summary>
    public int InterOpThreads { get; init; }

    public OnnxGraphOptimizationLevel GraphOptimizationLevel { get; init; } = OnnxGraphOptimizationLevel.All;

    public OnnxExecutionMode ExecutionMode { get; init; } = OnnxExecutionMode.Sequential;

    public OnnxExecutionProvider ExecutionProvider { get; init; } = OnnxExecutionProvider.Cpu;

    /// <summary>CUDA provider options; used with <see cref="OnnxExecutionProvider.Cuda"/>.</summary>
    public OnnxCudaOptions Cuda { get; init; } = new();

    /// <summary>
    /// With <see cref="OnnxExecutionProvider.Cuda"/>: when the CUDA provider cannot be used, create a CPU session
    /// instead of failing. The fallback is reported by <see cref="OnnxSession.ExecutionProvider"/> and
    /// <see cref="OnnxSession.FallbackReason"/>. Default false: a CUDA request that cannot be met throws.
    /// </summary>
    public bool AllowCpuFallback { get; init; }

    /// <summary>The session's log level; null keeps the environment's.</summary>
    public OnnxRuntimeLogLevel? LogLevel { get; init; }

    /// <summary>The library to use; null: <see cref="OnnxRuntimeLibrary.Default"/>, or
    /// <see cref="OnnxRuntimeLibrary.DefaultForCuda"/> when <see cref="ExecutionProvider"/> is CUDA.</summary>
    public OnnxRuntimeLibrary? Library { get; init; }

    internal void Validate()
    {
        if (IntraOpThreads < 0)
            throw new ArgumentOutOfRangeException(nameof(IntraOpThreads), IntraOpThreads, "Expected 0 (ORT's choice) or a positive thread count.");
        if (InterOpThreads < 0)
            throw new ArgumentOutOfRangeException(nameof(InterOpThreads), InterOpThreads, "Expected 0 (ORT's choice) or a positive thread count.");
        if (!Enum.IsDefined(GraphOptimizationLevel))
            throw new ArgumentOutOfRangeException(nameof(GraphOptimizationLevel), GraphOptimizationLevel, "Expected DisableAll, Basic, Extended, Layout or All.");
        if (!Enum.IsDefined(ExecutionMode))
            throw new ArgumentOutOfRangeException(nameof(ExecutionMode), ExecutionMode, "Expected Sequential or Parallel.");
        if (!Enum.IsDefined(ExecutionProvider))
            throw new ArgumentOutOfRangeException(nameof(ExecutionProvider), ExecutionProvider, "Expected Cpu or Cuda.");
        if (LogLevel is { } level && !Enum.IsDefined(level))
            throw new ArgumentOutOfRangeException(nameof(LogLevel), level, "Expected Verbose, Info, Warning, Error or Fatal.");
        ArgumentNullException.ThrowIfNull(Cuda, nameof(Cuda));
        if (ExecutionProvider == OnnxExecutionProvider.Cuda)
            Cuda.Validate();
        else if (AllowCpuFallback)
            throw new ArgumentException("AllowCpuFallback applies to ExecutionProvider = Cuda only.", nameof(AllowCpuFallback));
    }
}
