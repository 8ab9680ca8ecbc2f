using System.Numerics.Tensors;
using MlNetRnn.Featurization;
using MlNetRnn.Kernels;
using MlNetRnn.Network;
using MlNetRnn.Training;

namespace MlNetRnn;

/// <summary>
/// Runs a model over B sequences that arrive in pieces (a live sensor, tokens as they are typed, text generated a
/// token at a time), keeping the recurrent state between pieces: a stateful model in Keras' sense
/// (<c>stateful=True</c>). Made by <see cref="SequenceModel.CreateStream"/>.
/// <para>
/// Feeding a sequence in pieces gives the outputs one call on the whole sequence gives (on the reference kernel and
/// on AVX-512 machines the same bits): each Feed starts every layer from the state the previous one ended with, and
/// the MaxPool and MeanPool read-outs carry their running pool. Each call may feed each stream any number of steps,
/// none included (that stream's state is kept).
/// </para>
/// <list type="bullet">
/// <item>Keras <c>return_sequences=True</c>: per-step models (tagging, per-step regression, language models) give an
/// output row per step fed (<see cref="StreamOutput.Outputs"/>). With <c>return_sequences=False</c> (LastState,
/// MaxPool, MeanPool) each Feed gives the prediction for everything fed so far.</item>
/// <item>Keras <c>return_state=True</c>: <see cref="State"/> holds per layer h (GRU, RNN: one state) and h and c
/// (LSTM: two states); it can be read, copied and set (Keras' <c>initial_state</c>).</item>
/// <item>Keras <c>reset_states()</c>: <see cref="Reset()"/>, or <see cref="Reset(int)"/> for one stream.</item>
/// </list>
/// Bidirectional models cannot stream (their reverse direction starts from the end of the sequence).
/// A stream is used by one thread at a time; it runs on its own kernel with the model's kernel kind and threads.
/// </summary>
public sealed class SequenceStream : IDisposable
{
    private readonly SequenceModel _model;
    private readonly ISequenceKernel _kernel;
    private readonly SequenceNetwork _network;
    private readonly RecurrentState[] _states;   // per layer h [1, B, H] and, for LSTM, c
    private readonly float[] _pool;              // MaxPool: running max, MeanPool: running sum [B, F]; else empty
    private readonly long[] _steps;              // [B]
    private bool _disposed;

    internal SequenceStream(SequenceModel model, ISequenceKernel kernel, int batch)
    {
        _model = model;
        _kernel = kernel;
        _network = model.CreateInferenceNetwork(kernel);
        Batch = batch;
        var spec = model.Spec;
        var n = batch * spec.HiddenSize;
        _states = Enumerable.Range(0, spec.Layers)
            .Select(_ => new RecurrentState(new float[n], spec.Cell == RecurrentCell.Lstm ? new float[n] : []))
            .ToArray();
        _pool = spec.ReadOut is ReadOutKind.MaxPool or ReadOutKind.MeanPool ? new float[batch * spec.FeatureSize] : [];
        _steps = new long[batch];
    }

    /// <summary>The model the stream runs.</summary>
    public SequenceModel Model => _model;

    /// <summary>B: sequences streamed side by side.</summary>
    public int Batch { get; }

    /// <summary>[B] steps each stream has been fed since its last reset.</summary>
    public IReadOnlyList<long> Steps => [.. _steps];

    /// <summary>
    /// The state the next Feed starts from (a copy; see <see cref="SequenceStreamState"/>). Setting it copies the
    /// given state in: it must come from a stream of the same model and batch size, or have its shapes.
    /// </summary>
    public SequenceStreamState State
    {
        get
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            return new SequenceStreamState(Batch, _model.Spec.HiddenSize, _states.Select(s => (float[])s.H.Clone()).ToArray(),
                _model.Spec.Cell == RecurrentCell.Lstm ? _states.Select(s => (float[])s.C.Clone()).ToArray() : [],
                (float[])_pool.Clone(), (long[])_steps.Clone());
        }
        set
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            ArgumentNullException.ThrowIfNull(value);
            CheckState(value);
            for (var l = 0; l < _states.Length; l++)
            {
                value.H[l].CopyTo(_states[l].H, 0);
                if (value.C.Count > 0)
                    value.C[l].CopyTo(_states[l].C, 0);
            }
            value.Pool.CopyTo(_pool, 0);
            value.Steps.CopyTo(_steps, 0);
        }
    }

    /// <summary>Starts every stream afresh: zero states, empty pools, no steps seen.</summary>
    public void Reset()
    {
        for (var b = 0; b < Batch; b++)
            Reset(b);
    }

    /// <summary>Starts stream <paramref name="stream"/> afresh (the next sequence of that slot); the others go on.</summary>
    public void Reset(int stream)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if ((uint)stream >= (uint)Batch)
            throw new ArgumentOutOfRangeException(nameof(stream), stream, $"The stream has {Batch} sequence(s): 0 .. {Batch - 1}.");
        var H = _model.Spec.HiddenSize;
        foreach (var state in _states)
        {
            state.H.AsSpan(stream * H, H).Clear();
            if (state.C.Length > 0)
                state.C.AsSpan(stream * H, H).Clear();
        }
        if (_pool.Length > 0)
            _pool.AsSpan(stream * _model.Spec.FeatureSize, _model.Spec.FeatureSize).Clear();
        _steps[stream] = 0;
    }

    /// <summary>Batch 1, token models: the next token ids (0 .. vocabulary size - 1), one per step.</summary>
    public StreamOutput Feed(params int[] tokenIds)
    {
        ArgumentNullException.ThrowIfNull(tokenIds);
        return Feed([tokenIds]);
    }

    /// <summary>
    /// Batch 1, text models: the next piece of text. Each piece is tokenized on its own and in full (MaxLength does not
    /// apply to a stream), so cut text between tokens: anywhere for a character model, between words for a word model.
    /// </summary>
    public StreamOutput Feed(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        return Feed([text]);
    }

    /// <summary>Batch 1, dense models: the next steps, steps*D values (D features per step, row after row).</summary>
    public StreamOutput Feed(float[] features)
    {
        ArgumentNullException.ThrowIfNull(features);
        return Feed([features]);
    }

    /// <summary>Token models: the next token ids of each of the B streams (any number each, none included).</summary>
    public StreamOutput Feed(IReadOnlyList<int[]> tokenIds)
    {
        CheckPieces(tokenIds, nameof(tokenIds));
        if (_model.Spec.InputKind != SequenceInputKind.Tokens)
            throw new ArgumentException($"This model reads {_model.Spec.InputWidth} features per step, not token ids: feed float rows.", nameof(tokenIds));
        var V = _model.Spec.InputWidth;
        for (var b = 0; b < Batch; b++)
        {
            var bad = Array.FindIndex(tokenIds[b], id => (uint)id >= (uint)V);
            if (bad >= 0)
                throw new ArgumentException($"Stream {b} has token id {tokenIds[b][bad]} at step {bad} of this piece; the vocabulary has {V} ids (0 .. {V - 1}).", nameof(tokenIds));
        }
        var lengths = tokenIds.Select(t => t.Length).ToArray();
        var T = lengths.Max();
        var tokens = new int[T * Batch];   // [T, B], zero past each piece's length
        for (var b = 0; b < Batch; b++)
            for (var t = 0; t < lengths[b]; t++)
                tokens[t * Batch + b] = tokenIds[b][t];
        return Run(lengths, tokens, null);
    }

    /// <summary>Text models: the next piece of text of each of the B streams (see <see cref="Feed(string)"/>).</summary>
    public StreamOutput Feed(IReadOnlyList<string> texts)
    {
        CheckPieces(texts, nameof(texts));
        var featurizer = _model.Schema.Featurizer
            ?? throw new ArgumentException("This model has no text featurizer: feed token ids or feature rows.", nameof(texts));
        var vocabulary = featurizer.Vocabulary;
        return Feed(texts.Select(t => Tokenizer.Tokenize(t, featurizer.Options).Select(vocabulary.IdOf).ToArray()).ToArray());
    }

    /// <summary>Dense models: the next steps of each of the B streams, steps*D values each (none included).</summary>
    public StreamOutput Feed(IReadOnlyList<float[]> features)
    {
        CheckPieces(features, nameof(features));
        var D = _model.Spec.InputWidth;
        if (_model.Spec.InputKind != SequenceInputKind.Dense)
            throw new ArgumentException("This model reads token ids, not feature rows.", nameof(features));
        for (var b = 0; b < Batch; b++)
        {
            if (features[b].Length % D != 0)
                throw new ArgumentException($"Stream {b} has {features[b].Length} values, not a multiple of the {D} features per step.", nameof(features));
            var bad = Array.FindIndex(features[b], v => !float.IsFinite(v));
            if (bad >= 0)
                throw new ArgumentException($"Stream {b} has a non-finite value ({features[b][bad]}) at step {bad / D}, feature {bad % D} of this piece.", nameof(features));
        }
        var lengths = features.Select(f => f.Length / D).ToArray();
        var T = lengths.Max();
        var rows = new float[T * Batch * D];   // [T, B, D]
        for (var b = 0; b < Batch; b++)
            for (var t = 0; t < lengths[b]; t++)
                features[b].AsSpan(t * D, D).CopyTo(rows.AsSpan((t * Batch + b) * D, D));
        return Run(lengths, null, rows);
    }

    public void Dispose()
    {
        if (_disposed)
            return;
        _disposed = true;
        (_kernel as IDisposable)?.Dispose();
    }

    /// <summary>One forward over the pieces, from the carried states; updates states, pools and step counts.</summary>
    private StreamOutput Run(int[] lengths, int[]? tokens, float[]? features)
    {
        var spec = _model.Spec;
        int B = Batch, T = lengths.Max();
        float[] outputs;
        if (T == 0)
        {
            outputs = spec.PerStep ? [] : SequenceOutputs(ReadOnlySpan<float>.Empty, lengths);
            return new StreamOutput(_model, lengths, outputs, LastOutputs([], lengths));
        }

        _network.InitialStates = _states;
        var batch = new SequenceBatch { SeqLength = T, Batch = B, Lengths = lengths, Tokens = tokens, Features = features };
        var network = _network.Forward(batch, training: false);
        var final = _network.FinalStates();
        for (var l = 0; l < _states.Length; l++)
        {
            final[l].H.CopyTo(_states[l].H, 0);
            final[l].C.CopyTo(_states[l].C, 0);
        }
        outputs = spec.PerStep ? network.ToArray() : spec.ReadOut == ReadOutKind.LastState
            ? SequenceOutputs(network, lengths)
            : SequenceOutputs(_network.TopLayerFeatures, lengths);
        var last = LastOutputs(outputs, lengths);
        for (var b = 0; b < B; b++)
            _steps[b] += lengths[b];
        return new StreamOutput(_model, lengths, outputs, last);
    }

    /// <summary>
    /// Sequence models: the head outputs [B, K] for everything fed so far. LastState: the network's own
    /// (<paramref name="computed"/>; its head read the final states, which a stream fed nothing keeps), or with no
    /// forward, the head over the carried top-layer states. Pools: the running pool updated with this call's top-layer
    /// outputs (<paramref name="computed"/>, [T, B, F]) step by step, adding and comparing as ReadOut's pools do over a
    /// whole sequence, then the head over it.
    /// </summary>
    private float[] SequenceOutputs(ReadOnlySpan<float> computed, int[] lengths)
    {
        var spec = _model.Spec;
        int B = Batch, F = spec.FeatureSize, K = spec.OutputSize;
        var readOut = new float[B * F];
        if (spec.ReadOut == ReadOutKind.LastState)
        {
            if (!computed.IsEmpty)
                return computed.ToArray();
            ReadOut.LastStateForward(_states[^1].H, 1, B, F, readOut);
        }
        else
        {
            for (var b = 0; b < B; b++)
            {
                var pool = _pool.AsSpan(b * F, F);
                for (var t = 0; t < lengths[b]; t++)
                {
                    var row = computed.Slice((t * B + b) * F, F);
                    if (spec.ReadOut == ReadOutKind.MeanPool)
                        TensorPrimitives.Add(pool, row, pool);
                    else if (_steps[b] == 0 && t == 0)
                        row.CopyTo(pool);
                    else
                        KeepLarger(pool, row);
                }
                var seen = _steps[b] + lengths[b];
                if (seen == 0)
                    continue;   // nothing fed yet: the pools of an empty sequence are zero
                if (spec.ReadOut == ReadOutKind.MeanPool)
                    TensorPrimitives.Multiply(pool, 1f / seen, readOut.AsSpan(b * F, F));
                else
                    pool.CopyTo(readOut.AsSpan(b * F, F));
            }
        }
        var outputs = new float[B * K];
        Dense.Forward(_kernel, _model.Parameters[SequenceNetwork.HeadWeightName].Values, _model.Parameters[SequenceNetwork.HeadBiasName].Values,
            readOut, B, F, K, outputs);
        return outputs;
    }

    /// <summary>pool[f] = row[f] where row[f] &gt; pool[f]: ReadOut.MaxPoolForward's comparison, so ties and zeros keep their bits.</summary>
    private static void KeepLarger(Span<float> pool, ReadOnlySpan<float> row)
    {
        for (var f = 0; f < pool.Length; f++)
        {
            if (row[f] > pool[f])
                pool[f] = row[f];
        }
    }

    /// <summary>
    /// Language models: each stream's head outputs at its last step so far [B, K]: this call's last row where it fed
    /// the stream, else the head over its top-layer state (a one-direction layer's output at a step is its h).
    /// </summary>
    private float[] LastOutputs(float[] outputs, int[] lengths)
    {
        var spec = _model.Spec;
        if (spec.Task != SequenceTask.LanguageModel)
            return [];
        int B = Batch, H = spec.HiddenSize, K = spec.OutputSize;
        var last = new float[B * K];
        Dense.Forward(_kernel, _model.Parameters[SequenceNetwork.HeadWeightName].Values, _model.Parameters[SequenceNetwork.HeadBiasName].Values,
            _states[^1].H, B, H, K, last);
        for (var b = 0; b < B; b++)
        {
            if (lengths[b] > 0)
                outputs.AsSpan(((lengths[b] - 1) * B + b) * K, K).CopyTo(last.AsSpan(b * K, K));
        }
        return last;
    }

    private void CheckPieces<T>(IReadOnlyList<T> pieces, string name) where T : class
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        ArgumentNullException.ThrowIfNull(pieces, name);
        if (pieces.Count != Batch)
            throw new ArgumentException($"The stream has {Batch} sequence(s); give one piece for each, got {pieces.Count}." +
                (Batch > 1 && pieces.Count == 1 ? " The single-piece Feed overloads are for streams of batch 1." : ""), name);
        for (var b = 0; b < Batch; b++)
        {
            if (pieces[b] is null)
                throw new ArgumentException($"The piece for stream {b} is null; give an empty one to feed it nothing.", name);
        }
    }

    private void CheckState(SequenceStreamState state)
    {
        var spec = _model.Spec;
        var n = Batch * spec.HiddenSize;
        var lstm = spec.Cell == RecurrentCell.Lstm;
        if (state.H.Count != spec.Layers || state.H.Any(h => h is null || h.Length != n))
            throw new ArgumentException($"State.H must hold {spec.Layers} layer(s) of [B={Batch}, H={spec.HiddenSize}] = {n} values, got {state.H.Count} of {string.Join(", ", state.H.Select(h => h?.Length ?? 0))}.", nameof(State));
        if (state.C.Count != (lstm ? spec.Layers : 0) || state.C.Any(c => c is null || c.Length != n))
            throw new ArgumentException(lstm
                ? $"State.C must hold {spec.Layers} layer(s) of {n} values (an LSTM's cell state), got {state.C.Count}."
                : $"State.C must be empty: a {spec.Cell} layer has one state (h), got {state.C.Count} cell state(s).", nameof(State));
        if (state.Pool is null || state.Pool.Length != _pool.Length)
            throw new ArgumentException($"State.Pool must hold {_pool.Length} values for the {spec.ReadOut} read-out, got {state.Pool?.Length ?? 0}.", nameof(State));
        if (state.Steps is null || state.Steps.Length != Batch || state.Steps.Any(s => s < 0))
            throw new ArgumentException($"State.Steps must hold {Batch} counts >= 0.", nameof(State));
    }
}
