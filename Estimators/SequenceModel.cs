using System.Collections.Concurrent;
using MlNetRnn.Kernels;
using MlNetRnn.Network;
using MlNetRnn.Network.Losses;
using MlNetRnn.Training;

namespace MlNetRnn;

/// <summary>
/// A trained sequence model: its schema (input form, featurizer, labels), network spec and weights, the options it
/// was trained with and its training history. Predict, Evaluate, Encode and Generate are safe to call from several
/// threads at once (each call rents its own network and kernel). Save writes one file atomically; Load reads it back.
/// </summary>
public sealed partial class SequenceModel : IDisposable
{
    /// <summary>Sequences per inference batch.</summary>
    public const int InferenceBatchSize = 64;

    private readonly ConcurrentBag<(SequenceNetwork Network, ISequenceKernel Kernel)> _pool = new();
    private readonly DataEncoder _encoder;
    private KernelKind _kernelKind;
    private int _threads;
    private bool _disposed;

    public SequenceModel(SequenceModelSchema schema, SequenceNetworkSpec spec, ParameterSet parameters,
        SequenceModelOptions options, TrainingHistory? history = null)
    {
        ArgumentNullException.ThrowIfNull(schema);
        ArgumentNullException.ThrowIfNull(spec);
        ArgumentNullException.ThrowIfNull(parameters);
        ArgumentNullException.ThrowIfNull(options);
        spec.Validate();
        parameters.EnsureLayout(SequenceNetwork.Layout(spec));
        Schema = schema;
        Spec = spec;
        Parameters = parameters;
        Options = options;
        History = history ?? new TrainingHistory();
        _encoder = new DataEncoder(schema);
        _kernelKind = options.Kernel;
        _threads = options.Threads;
        // Made when the first network is: sized for the spec, filled as tokens are scored; a network uses it only where
        // it may (the native kernel, the limit).
        _projectionCache = new(() => spec.InputKind == SequenceInputKind.Tokens
            ? new TokenProjectionCache(spec.LayerDescriptor(0), spec.InputWidth) : null);
    }

    public SequenceModelSchema Schema { get; }

    /// <summary>This model with another schema (the same network, weights and history); disposes this one.</summary>
    internal SequenceModel WithSchema(SequenceModelSchema schema)
    {
        var model = new SequenceModel(schema, Spec, Parameters, Options, History);
        Dispose();
        return model;
    }

    public SequenceNetworkSpec Spec { get; }

    /// <summary>The trained weights (ONNX layout; see <see cref="SequenceNetwork"/> for names and shapes).</summary>
    public ParameterSet Parameters { get; }

    /// <summary>The options the model was trained with.</summary>
    public SequenceModelOptions Options { get; }

    public TrainingHistory History { get; }

    public SequenceTask Task => Spec.Task;

    /// <summary>Class (or tag) names in index order; empty for regression and language models.</summary>
    public IReadOnlyList<string> Labels => Schema.Labels;

    /// <summary>Chooses the kernel and thread count inference runs on (default: those of training).</summary>
    public void UseKernel(KernelKind kind, int threads)
    {
        ArgumentChecks.Defined(kind, nameof(kind));
        ArgumentChecks.Threads(threads, nameof(threads));
        _kernelKind = kind;
        _threads = threads;
        DrainPool();
    }

    /// <summary>
    /// Bytes this model may spend on its token projection cache (see <see cref="SequenceNetwork.TokenProjectionCacheLimit"/>:
    /// a token model's first-layer projections looked up instead of computed, the same bits, checked against the weights
    /// on every call); 0 turns it off. One cache serves every concurrent caller of the model.
    /// </summary>
    public long TokenProjectionCacheLimit
    {
        get => _tokenProjectionCacheLimit;
        set
        {
            ArgumentOutOfRangeException.ThrowIfNegative(value, nameof(TokenProjectionCacheLimit));
            _tokenProjectionCacheLimit = value;
            DrainPool();
        }
    }

    private long _tokenProjectionCacheLimit = SequenceNetwork.DefaultTokenProjectionCacheLimit;
    private readonly Lazy<TokenProjectionCache?> _projectionCache;

    public void Dispose()
    {
        if (_disposed)
            return;
        _disposed = true;
        DrainPool();
    }

    internal ILoss CreateLoss() => LossFactory.Create(Spec, Options.ClassWeights, Options.HuberDelta);

    internal DataEncoder Encoder => _encoder;

    /// <summary>Runs <paramref name="body"/> with a network (and its kernel) rented from the pool.</summary>
    internal T WithNetwork<T>(Func<SequenceNetwork, T> body)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (!_pool.TryTake(out var entry))
        {
            var kernel = KernelFactory.Create(_kernelKind, _threads);
            entry = (CreateInferenceNetwork(kernel), kernel);
        }
        try
        {
            entry.Network.InitialStates = null;
            return body(entry.Network);
        }
        finally
        {
            _pool.Add(entry);
        }
    }

    /// <summary>An inference network of this model on <paramref name="kernel"/>: a pooled one, or a stream's. Its token
    /// projection cache is the model's, shared by every caller (memory grows with the model, not with the callers).</summary>
    internal SequenceNetwork CreateInferenceNetwork(ISequenceKernel kernel) => new(Spec, kernel, Parameters)
    {
        TokenProjectionCacheLimit = _tokenProjectionCacheLimit,
        SharedTokenProjectionCache = _projectionCache.Value,
    };

    /// <summary>Inference over a data set in length-sorted batches; the callback sees each batch and its outputs.</summary>
    internal void RunBatches(EncodedData data, SequenceBatchCallback onBatch)
    {
        WithNetwork(network =>
        {
            var batches = SequenceBatcher.Plan(Enumerable.Range(0, data.Count).ToArray(), data.Lengths,
                InferenceBatchSize, bucket: true, random: null);
            foreach (var indices in batches)
            {
                var batch = SequenceBatcher.Gather(data, indices);
                var outputs = network.Forward(batch, training: false);
                onBatch(batch, outputs, network);
            }
            return 0;
        });
    }

    internal delegate void SequenceBatchCallback(SequenceBatch batch, ReadOnlySpan<float> outputs, SequenceNetwork network);

    private void DrainPool()
    {
        while (_pool.TryTake(out var entry))
            (entry.Kernel as IDisposable)?.Dispose();
    }
}
