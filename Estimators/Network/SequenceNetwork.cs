using MlNetRnn.Kernels;

namespace MlNetRnn.Network;

/// <summary>
/// input -> [embedding] -> recurrent layers (ONNX layout, on an <see cref="ISequenceKernel"/>) -> read-out -> dense head.
/// Parameters live in one <see cref="ParameterSet"/>: "embedding" [V, E]; per layer l "rnn.l.W" [D, G*H, I],
/// "rnn.l.R" [D, G*H, H], "rnn.l.B" [D, 2*G*H] (LSTM with peepholes: "rnn.l.P" [D, 3*H]); "head.W" [K, F],
/// "head.b" [K] with F = D*H.
/// Forward keeps what Backward needs in buffers reused across batches; one network serves one thread at a time.
/// </summary>
public sealed partial class SequenceNetwork
{
    public const string EmbeddingName = "embedding";
    public const string HeadWeightName = "head.W";
    public const string HeadBiasName = "head.b";

    public static string WeightName(int layer) => $"rnn.{layer}.W";

    public static string RecurrenceName(int layer) => $"rnn.{layer}.R";

    public static string BiasName(int layer) => $"rnn.{layer}.B";

    /// <summary>LSTM peepholes of a layer, [D, 3*H] in ONNX order i, o, f.</summary>
    public static string PeepholeName(int layer) => $"rnn.{layer}.P";

    private readonly RecurrentDescriptor[] _descriptors;
    private readonly LayerBuffers[] _layers;

    public SequenceNetwork(SequenceNetworkSpec spec, ISequenceKernel kernel, ParameterSet? parameters = null)
    {
        ArgumentNullException.ThrowIfNull(spec);
        ArgumentNullException.ThrowIfNull(kernel);
        spec.Validate();
        Spec = spec;
        Kernel = kernel;
        Parameters = parameters ?? new ParameterSet(Layout(spec));
        if (parameters is not null)
            Parameters.EnsureLayout(Layout(spec));
        _descriptors = Enumerable.Range(0, spec.Layers).Select(spec.LayerDescriptor).ToArray();
        _layers = Enumerable.Range(0, spec.Layers).Select(_ => new LayerBuffers()).ToArray();
    }

    public SequenceNetworkSpec Spec { get; }

    public ISequenceKernel Kernel { get; }

    public ParameterSet Parameters { get; }

    public IReadOnlyList<RecurrentDescriptor> Descriptors => _descriptors;

    // The peephole weights of layer l, or empty (no peepholes: the kernel reads P as absent).
    private Span<float> Peepholes(int layer) => Spec.Peepholes ? Parameters[PeepholeName(layer)].Values : Span<float>.Empty;

    private Span<float> PeepholeGradients(int layer) => Spec.Peepholes ? Parameters[PeepholeName(layer)].Gradients : Span<float>.Empty;

    /// <summary>Names and shapes of every parameter of a network with this spec, in buffer order.</summary>
    public static IEnumerable<(string Name, int[] Shape)> Layout(SequenceNetworkSpec spec)
    {
        if (spec.InputKind == SequenceInputKind.Tokens)
            yield return (EmbeddingName, [spec.InputWidth, spec.EmbeddingSize]);
        for (var l = 0; l < spec.Layers; l++)
        {
            var d = spec.LayerDescriptor(l);
            yield return (WeightName(l), [d.NumDirections, d.GateCount * d.HiddenSize, d.InputSize]);
            yield return (RecurrenceName(l), [d.NumDirections, d.GateCount * d.HiddenSize, d.HiddenSize]);
            yield return (BiasName(l), [d.NumDirections, 2 * d.GateCount * d.HiddenSize]);
            if (spec.Peepholes)
                yield return (PeepholeName(l), [d.NumDirections, 3 * d.HiddenSize]);
        }
        yield return (HeadWeightName, [spec.OutputSize, spec.FeatureSize]);
        yield return (HeadBiasName, [spec.OutputSize]);
    }

    /// <summary>
    /// Initial states per layer for the next forward (h [D, B, H] and, for LSTM, c), e.g. the final states of the
    /// previous batch in truncated BPTT; null starts from zeros. Gradients do not flow into them.
    /// </summary>
    public RecurrentState[]? InitialStates { get; set; }

    /// <summary>The default of <see cref="TokenProjectionCacheLimit"/>: 64 MiB.</summary>
    public const long DefaultTokenProjectionCacheLimit = 64L << 20;

    /// <summary>
    /// Bytes an inference network that reads tokens may spend on a cache of its first layer's input projections (one
    /// row of G*H floats per direction and vocabulary entry, with a copy of the embedding rows and W it was computed
    /// from): a step's projection, 2 I G H FLOPs, becomes a copy, and the outputs keep every bit. The cache checks the
    /// weights it was computed from on every call, so weights changed in place are never scored stale. Used on the
    /// native kernel only, where the cache fits this limit (W4's GRU(128) over 20000 tokens: 38 MiB); 0 turns it off.
    /// </summary>
    public long TokenProjectionCacheLimit
    {
        get => _tokenProjectionCacheLimit;
        set
        {
            ArgumentOutOfRangeException.ThrowIfNegative(value, nameof(TokenProjectionCacheLimit));
            _tokenProjectionCacheLimit = value;
        }
    }

    private long _tokenProjectionCacheLimit = DefaultTokenProjectionCacheLimit;
    private TokenProjectionCache? _projectionCache;

    /// <summary>
    /// Truncated BPTT with a MaxPool or MeanPool read-out: the pool of each sequence's steps before the next forward
    /// (e.g. <see cref="FinalPool"/> of the previous window), which that forward joins to its own; null starts empty.
    /// Gradients do not flow into it.
    /// </summary>
    public PooledReadOut? InitialPool { get; set; }

    /// <summary>
    /// Gradient checks: a MaxPool read-out keeps the winning steps of the last forward that ran without this (the
    /// batch must have the same shape), so that a perturbed forward stays on the smooth piece its gradient belongs to.
    /// </summary>
    internal bool FreezeMaxPool { get; set; }

    /// <summary>The pool of the last forward joined to <see cref="InitialPool"/>: the read-out before dropout and the
    /// steps it covers per sequence.</summary>
    public PooledReadOut FinalPool()
    {
        if (Spec.ReadOut is not (ReadOutKind.MaxPool or ReadOutKind.MeanPool))
            throw new InvalidOperationException($"FinalPool needs a MaxPool or MeanPool read-out; this network reads {Spec.ReadOut}.");
        var steps = new int[_batch];
        for (var b = 0; b < _batch; b++)
            steps[b] = (InitialPool?.Steps[b] ?? 0) + Math.Min(_lengths[b], _seqLength);
        return new PooledReadOut(_readOut.AsSpan(0, _batch * Spec.FeatureSize).ToArray(), steps);
    }

    /// <summary>The state of every layer after each sequence's last valid step in the last forward.</summary>
    public RecurrentState[] FinalStates()
    {
        var states = new RecurrentState[Spec.Layers];
        for (var l = 0; l < Spec.Layers; l++)
        {
            var n = _descriptors[l].StateLength(_batch);
            states[l] = new RecurrentState(
                _layers[l].YH.AsSpan(0, n).ToArray(),
                Spec.Cell == RecurrentCell.Lstm ? _layers[l].YC.AsSpan(0, n).ToArray() : []);
        }
        return states;
    }

    /// <summary>Head rows of the last forward: B, or T*B when the head runs at every step.</summary>
    public int OutputRows => Spec.PerStep ? _seqLength * _batch : _batch;

    /// <summary>The read-out vectors of the last forward, [B, F] (or [T*B, F] for AllSteps), before dropout.</summary>
    public ReadOnlySpan<float> ReadOutFeatures => Spec.PerStep
        ? _layers[^1].Features.AsSpan(0, _seqLength * _batch * Spec.FeatureSize)
        : _readOut.AsSpan(0, _batch * Spec.FeatureSize);

    /// <summary>
    /// The top layer's outputs of the last forward, [T, B, F] with directions concatenated; empty when that forward did
    /// not produce them (ReadOut LastState reads the final states only).
    /// </summary>
    internal ReadOnlySpan<float> TopLayerFeatures => _usesOutputY
        ? _layers[^1].Features.AsSpan(0, _seqLength * _batch * Spec.FeatureSize)
        : ReadOnlySpan<float>.Empty;

    // Per-layer buffers, grown on demand and reused across batches.
    private sealed class LayerBuffers
    {
        public float[] Input = [];       // [T, B, I] for l > 0: features of l-1 after dropout
        public float[] Y = [];           // [T, D, B, H]
        public float[] Features = [];    // [T, B, D*H] (Y itself when D == 1)
        public float[] YH = [];          // [D, B, H]
        public float[] YC = [];          // [D, B, H]
        public float[] Reserve = [];
        public float[] DropoutMask = []; // [T, B, D*H], applied to Features to make the next layer's Input
        public float[] DY = [];          // [T, D, B, H]
        public float[] DFeatures = [];   // [T, B, D*H]
        public float[] DYH = [];         // [D, B, H]
    }

    private int _seqLength;
    private int _batch;
    private int[] _lengths = [];         // [B] of the last forward
    private bool _trained;               // whether the last forward kept what backward needs
    private bool _usesOutputY;           // whether the last layer's Y was produced
    private float[] _embedded = [];      // [T, B, E]
    private float[] _dEmbedded = [];
    private float[] _readOut = [];       // [B, F]
    private int[] _argmax = [];          // [B, F] for max pooling
    private float[] _headInput = [];     // [N, F] after dropout
    private float[] _headMask = [];      // [N, F]
    private float[] _dHeadInput = [];
    private float[] _outputs = [];       // [N, K]

    private static float[] Grow(ref float[] buffer, long length)
    {
        if (buffer.Length < length)
            buffer = new float[checked((int)length)];
        return buffer;
    }

    private static int[] Grow(ref int[] buffer, long length)
    {
        if (buffer.Length < length)
            buffer = new int[checked((int)length)];
        return buffer;
    }
}

/// <summary>A recurrent layer's state: h [D, B, H] and, for LSTM, c [D, B, H] (empty otherwise).</summary>
public sealed record RecurrentState(float[] H, float[] C);

/// <summary>A pooled read-out over the steps seen so far: Values [B, F] (max, or mean) and the Steps [B] it covers.</summary>
public sealed record PooledReadOut(float[] Values, int[] Steps);
