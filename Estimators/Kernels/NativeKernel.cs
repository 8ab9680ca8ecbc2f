using System.Runtime.InteropServices;

namespace MlNetRnn.Kernels;

/// <summary>
/// The native kernel (Native/: C++, its own GEMM and worker threads) behind <see cref="ISequenceKernel"/>. Arguments
/// are checked here with the same rules as the reference kernel before any native call. One instance owns one native
/// context; calls on it are serialised, so give each concurrent user its own instance.
/// </summary>
public sealed unsafe class NativeKernel : ISequenceKernel, IDisposable
{
    private readonly NativeContextHandle _context;
    private readonly object _gate = new();

    /// <summary>The most threads a native kernel runs on (MLNR_MAX_THREADS).</summary>
    public const int MaxThreads = NativeMethods.MaxThreads;

    /// <summary>A kernel on <paramref name="threads"/> threads (1 to <see cref="MaxThreads"/>), on the code path the CPU
    /// runs best (or the one MLNETRNN_KERNEL_ISA names).</summary>
    public NativeKernel(int threads = 1)
        : this(threads, instructionSet: null)
    {
    }

    /// <summary>A kernel on a given code path ("avx512", "avx2" or "scalar"; null: as the public constructor): the tests
    /// run every path the CPU has in one process.</summary>
    internal NativeKernel(int threads, string? instructionSet)
    {
        ArgumentChecks.Threads(threads, nameof(threads));
        Threads = threads;
        _context = NativeContextHandle.Create(threads);
        if (instructionSet is not null)
            NativeKernelException.ThrowIfFailed(NativeMethods.ContextSetIsa(_context, instructionSet), "mlnr_context_set_isa");
        NativeKernelException.ThrowIfFailed(NativeMethods.ContextIsa(_context, out var name), "mlnr_context_isa");
        InstructionSet = Marshal.PtrToStringUTF8(name) ?? "";
    }

    public int Threads { get; }

    /// <summary>
    /// The code path this kernel runs: "avx512" (AVX-512), "avx2" (AVX2 and FMA) or "scalar" (any x86-64). The best the
    /// CPU supports, unless the environment variable MLNETRNN_KERNEL_ISA names another when the library loads.
    /// </summary>
    public string InstructionSet { get; }

    /// <summary>
    /// Sequence steps (compact rows) per chunk: the kernel runs the input projection and the weight and input
    /// gradients as one GEMM per chunk of steps, next to the chunk's recurrence while its rows are in cache. 0 (the
    /// default) picks about 1 MiB of rows. A tuning knob; results differ only by float rounding.
    /// </summary>
    public long ChunkRows
    {
        get => _chunkRows;
        set
        {
            ArgumentOutOfRangeException.ThrowIfNegative(value, nameof(ChunkRows));
            lock (_gate)
                NativeKernelException.ThrowIfFailed(NativeMethods.ContextSetChunkRows(_context, value), "mlnr_context_set_chunk_rows");
            _chunkRows = value;
        }
    }

    private long _chunkRows;

    public long ReserveSize(RecurrentDescriptor descriptor, int seqLength, int batch)
    {
        ArgumentNullException.ThrowIfNull(descriptor);
        var desc = ToNative(descriptor);
        NativeKernelException.ThrowIfFailed(NativeMethods.RnnReserveSize(desc, seqLength, batch, out var floats), "mlnr_rnn_reserve_size");
        return floats;
    }

    public void Forward(RecurrentDescriptor d, in RecurrentInputs x, in RecurrentOutputs y, Span<float> reserve)
    {
        RecurrentArguments.ValidateInputs(d, x);
        RecurrentArguments.ValidateOutputs(d, x, y);
        if (!reserve.IsEmpty)
            RecurrentArguments.ValidateReserve(ReserveSize(d, x.SeqLength, x.Batch), reserve.Length, nameof(NativeKernel));
        var desc = ToNative(d);
        lock (_gate)
        {
            fixed (float* px = x.X, pw = x.W, pr = x.R, pb = x.B, ph0 = x.InitialH, pc0 = x.InitialC, pp = x.P)
            fixed (int* plens = x.SequenceLengths)
            fixed (float* py = y.Y, pyh = y.YH, pyc = y.YC, pres = reserve)
            {
                NativeKernelException.ThrowIfFailed(NativeMethods.RnnForward(_context, desc, x.SeqLength, x.Batch,
                    px, pw, pr, pb, plens, ph0, pc0, pp, py, pyh, pyc, pres), "mlnr_rnn_forward");
            }
        }
    }

    /// <summary>
    /// Inference forward of a layer whose inputs are token ids, from their input projections: step t of sequence b
    /// reads row ids[t, b] of <paramref name="table"/> [D, V, G*H] (direction d's rows at d*V*G*H), X W^T without bias.
    /// With table[d] = E W[d]^T from <see cref="Gemm"/> (no transposition of E, W transposed, alpha 1, beta 0), the
    /// outputs are those of <see cref="Forward"/> on X = E[ids] in inference mode, bit for bit, and each step's
    /// projection (2 I G H FLOPs) becomes a copy of G*H floats. <paramref name="inputs"/> gives everything but X and W
    /// (both empty). An id outside [0, V) at a valid step is an error naming it.
    /// </summary>
    public void ForwardFromTable(RecurrentDescriptor d, ReadOnlySpan<float> table, int vocabulary, ReadOnlySpan<int> ids,
        in RecurrentInputs inputs, in RecurrentOutputs y)
    {
        RecurrentArguments.ValidateInputs(d, inputs, fromTable: true);
        RecurrentArguments.ValidateOutputs(d, inputs, y);
        if (vocabulary <= 0)
            throw new ArgumentOutOfRangeException(nameof(vocabulary), vocabulary, "The vocabulary size V must be positive.");
        var gh = (long)d.GateCount * d.HiddenSize;
        if (table.Length != d.NumDirections * vocabulary * gh)
            throw new ArgumentException($"The projection table must hold [D={d.NumDirections}, V={vocabulary}, G*H={gh}] = " +
                $"{d.NumDirections * vocabulary * gh} values, got {table.Length}.", nameof(table));
        EmbeddingArguments.ValidateIds(ids, inputs.SequenceLengths, inputs.SeqLength, inputs.Batch, vocabulary);
        var desc = ToNative(d);
        lock (_gate)
        {
            fixed (float* pt = table, pr = inputs.R, pb = inputs.B, ph0 = inputs.InitialH, pc0 = inputs.InitialC, pp = inputs.P)
            fixed (int* pids = ids, plens = inputs.SequenceLengths)
            fixed (float* py = y.Y, pyh = y.YH, pyc = y.YC)
            {
                NativeKernelException.ThrowIfFailed(NativeMethods.RnnForwardTable(_context, desc, inputs.SeqLength, inputs.Batch,
                    pt, vocabulary, pids, pr, pb, plens, ph0, pc0, pp, py, pyh, pyc), "mlnr_rnn_forward_table");
            }
        }
    }

    public void Backward(RecurrentDescriptor d, in RecurrentInputs x, Span<float> reserve,
        in RecurrentOutputGradients dy, in RecurrentGradients g)
    {
        RecurrentArguments.ValidateInputs(d, x);
        RecurrentArguments.ValidateGradients(d, x, dy, g);
        RecurrentArguments.ValidateReserve(ReserveSize(d, x.SeqLength, x.Batch), reserve.Length, nameof(NativeKernel));
        var desc = ToNative(d);
        lock (_gate)
        {
            fixed (float* px = x.X, pw = x.W, pr = x.R, pb = x.B, ph0 = x.InitialH, pc0 = x.InitialC, pp = x.P, pres = reserve)
            fixed (int* plens = x.SequenceLengths)
            fixed (float* pdy = dy.DY, pdyh = dy.DYH, pdyc = dy.DYC)
            fixed (float* pdx = g.DX, pdw = g.DW, pdr = g.DR, pdb = g.DB, pdp = g.DP, pdh0 = g.DInitialH, pdc0 = g.DInitialC)
            {
                NativeKernelException.ThrowIfFailed(NativeMethods.RnnBackward(_context, desc, x.SeqLength, x.Batch,
                    px, pw, pr, pb, plens, ph0, pc0, pp, pres, pdy, pdyh, pdyc, pdx, pdw, pdr, pdb, pdp, pdh0, pdc0), "mlnr_rnn_backward");
            }
        }
    }

    public void Gemm(bool transposeA, bool transposeB, int m, int n, int k, float alpha,
        ReadOnlySpan<float> a, int lda, ReadOnlySpan<float> b, int ldb, float beta, Span<float> c, int ldc)
    {
        GemmArguments.Validate(transposeA, transposeB, m, n, k, a.Length, lda, b.Length, ldb, c.Length, ldc);
        if (m == 0 || n == 0)
            return;
        lock (_gate)
        {
            fixed (float* pa = a, pb = b, pc = c)
            {
                NativeKernelException.ThrowIfFailed(NativeMethods.Gemm(_context, transposeA ? 1 : 0, transposeB ? 1 : 0,
                    m, n, k, alpha, pa, lda, a.Length, pb, ldb, b.Length, beta, pc, ldc, c.Length), "mlnr_gemm");
            }
        }
    }

    public void EmbeddingForward(ReadOnlySpan<float> table, int vocabulary, int size, ReadOnlySpan<int> ids,
        ReadOnlySpan<int> lengths, int seqLength, int batch, Span<float> output)
    {
        EmbeddingArguments.Validate(table.Length, vocabulary, size, ids, lengths, seqLength, batch, output.Length, nameof(output));
        lock (_gate)
        {
            fixed (float* pt = table, po = output)
            fixed (int* pi = ids, pl = lengths)
            {
                NativeKernelException.ThrowIfFailed(NativeMethods.EmbeddingForward(_context, pt, vocabulary, size, pi, pl,
                    seqLength, batch, po), "mlnr_embedding_forward");
            }
        }
    }

    public void EmbeddingBackward(Span<float> dtable, int vocabulary, int size, ReadOnlySpan<int> ids,
        ReadOnlySpan<int> lengths, int seqLength, int batch, ReadOnlySpan<float> doutput)
    {
        EmbeddingArguments.Validate(dtable.Length, vocabulary, size, ids, lengths, seqLength, batch, doutput.Length, nameof(doutput));
        lock (_gate)
        {
            fixed (float* pt = dtable, pd = doutput)
            fixed (int* pi = ids, pl = lengths)
            {
                NativeKernelException.ThrowIfFailed(NativeMethods.EmbeddingBackward(_context, pt, vocabulary, size, pi, pl,
                    seqLength, batch, pd), "mlnr_embedding_backward");
            }
        }
    }

    public void AdamUpdate(in AdamStep step, Span<float> values, ReadOnlySpan<float> gradients, Span<float> m, Span<float> v)
    {
        UpdateArguments.Validate(values.Length, gradients.Length, m.Length, nameof(m), stateRequired: true);
        UpdateArguments.Validate(values.Length, gradients.Length, v.Length, nameof(v), stateRequired: true);
        var native = new NativeMethods.AdamStepDesc
        {
            Beta1 = step.Beta1, Beta2 = step.Beta2, Epsilon = step.Epsilon,
            StepSize = step.StepSize, Correction2 = step.Correction2, Decay = step.Decay,
        };
        lock (_gate)
        {
            fixed (float* pw = values, pg = gradients, pm = m, pv = v)
                NativeKernelException.ThrowIfFailed(NativeMethods.AdamUpdate(_context, values.Length, native, pw, pg, pm, pv), "mlnr_adam_update");
        }
    }

    public void SgdUpdate(float learningRate, float momentum, bool nesterov, Span<float> values, ReadOnlySpan<float> gradients,
        Span<float> velocity)
    {
        UpdateArguments.Validate(values.Length, gradients.Length, velocity.Length, nameof(velocity), stateRequired: momentum != 0f);
        lock (_gate)
        {
            fixed (float* pw = values, pg = gradients, pv = velocity)
            {
                NativeKernelException.ThrowIfFailed(NativeMethods.SgdUpdate(_context, values.Length, learningRate, momentum,
                    nesterov ? 1 : 0, pw, pg, pv), "mlnr_sgd_update");
            }
        }
    }

    /// <summary>values[i] = f(values[i]) through the native activation code the cells of this kernel's path use (tests
    /// hold it to its bound).</summary>
    internal void Activate(Activation f, Span<float> values)
    {
        var desc = new NativeMethods.ActivationDesc { Kind = (int)f.Kind, Alpha = f.Alpha, Beta = f.Beta };
        lock (_gate)
        {
            fixed (float* px = values)
                NativeKernelException.ThrowIfFailed(NativeMethods.ActivationApply(_context, desc, px, values.Length), "mlnr_activation_apply");
        }
    }

    public void Dispose() => _context.Dispose();

    private static NativeMethods.RnnDesc ToNative(RecurrentDescriptor d)
    {
        NativeMethods.ActivationDesc Act(int direction, int k) =>
            direction < d.NumDirections && k < d.FunctionCount
                ? new NativeMethods.ActivationDesc { Kind = (int)d.ActivationOf(direction, k).Kind, Alpha = d.ActivationOf(direction, k).Alpha, Beta = d.ActivationOf(direction, k).Beta }
                : default;
        return new NativeMethods.RnnDesc
        {
            Cell = (int)d.Cell,
            Direction = (int)d.Direction,
            InputSize = d.InputSize,
            HiddenSize = d.HiddenSize,
            LinearBeforeReset = d.LinearBeforeReset ? 1 : 0,
            InputForget = d.InputForget ? 1 : 0,
            Clip = d.Clip,
            Activation0 = Act(0, 0),
            Activation1 = Act(0, 1),
            Activation2 = Act(0, 2),
            Activation3 = Act(1, 0),
            Activation4 = Act(1, 1),
            Activation5 = Act(1, 2),
        };
    }
}
