using MlNetRnn.Kernels;
using MlNetRnn.Training;

namespace MlNetRnn.Network;

public sealed partial class SequenceNetwork
{
    /// <summary>
    /// Runs the network on a batch and returns the head's outputs [N, K] (logits for classification, values for
    /// regression), N = B or T*B. In training mode it keeps what <see cref="Backward"/> needs and applies dropout
    /// drawn from <paramref name="random"/>.
    /// </summary>
    public ReadOnlySpan<float> Forward(SequenceBatch batch, bool training, SeededRandom? random = null)
    {
        ValidateBatch(batch);
        if (training && Spec.Dropout > 0f && random is null)
            throw new ArgumentNullException(nameof(random), "Training with dropout needs a random generator.");
        int T = batch.SeqLength, B = batch.Batch, F = Spec.FeatureSize, K = Spec.OutputSize;
        _seqLength = T;
        _batch = B;
        _lengths = batch.Lengths;
        _trained = training;

        // Layer 0 input: the embedded tokens or the dense features as they are; in inference, tokens' projections from
        // the cache where it holds (TokenProjectionCacheLimit), which layer 0 reads in place of the embedded tokens.
        ReadOnlySpan<float> input;
        var cache = training ? null : ProjectionCache();
        var fromTable = cache is not null && cache.Prepare((NativeKernel)Kernel, Parameters[EmbeddingName].Values,
            Parameters[WeightName(0)].Values, batch.Tokens, batch.Lengths, T, B);
        if (fromTable)
        {
            input = ReadOnlySpan<float>.Empty;
        }
        else if (Spec.InputKind == SequenceInputKind.Tokens)
        {
            var embedded = Grow(ref _embedded, (long)T * B * Spec.EmbeddingSize);
            Kernel.EmbeddingForward(Parameters[EmbeddingName].Values, Spec.InputWidth, Spec.EmbeddingSize, batch.Tokens,
                batch.Lengths, T, B, embedded);
            input = embedded.AsSpan(0, T * B * Spec.EmbeddingSize);
        }
        else
        {
            input = batch.Features.AsSpan(0, T * B * Spec.InputWidth);
        }

        for (var l = 0; l < Spec.Layers; l++)
        {
            var d = _descriptors[l];
            var buffers = _layers[l];
            var last = l == Spec.Layers - 1;
            var wantY = !last || Spec.ReadOut != ReadOutKind.LastState;
            if (last)
                _usesOutputY = wantY;
            var yLength = d.OutputLength(T, B);
            var stateLength = d.StateLength(B);
            var y = wantY ? Grow(ref buffers.Y, yLength).AsSpan(0, yLength) : Span<float>.Empty;
            var yh = Grow(ref buffers.YH, stateLength).AsSpan(0, stateLength);
            var yc = Spec.Cell == RecurrentCell.Lstm ? Grow(ref buffers.YC, stateLength).AsSpan(0, stateLength) : Span<float>.Empty;
            var reserve = Span<float>.Empty;
            if (training)
            {
                var reserveLength = Kernel.ReserveSize(d, T, B);
                reserve = Grow(ref buffers.Reserve, reserveLength).AsSpan(0, (int)reserveLength);
            }
            var initial = InitialStates?[l];
            var tableLayer = fromTable && l == 0;
            var inputs = new RecurrentInputs
            {
                SeqLength = T,
                Batch = B,
                X = input,
                W = tableLayer ? Span<float>.Empty : Parameters[WeightName(l)].Values,
                R = Parameters[RecurrenceName(l)].Values,
                B = Parameters[BiasName(l)].Values,
                P = Peepholes(l),
                SequenceLengths = batch.Lengths,
                InitialH = initial?.H,
                InitialC = Spec.Cell == RecurrentCell.Lstm ? initial?.C : null,
            };
            if (tableLayer)
                ((NativeKernel)Kernel).ForwardFromTable(d, cache!.Table, Spec.InputWidth, batch.Tokens.AsSpan(0, T * B), inputs,
                    new RecurrentOutputs { Y = y, YH = yh, YC = yc });
            else
                Kernel.Forward(d, inputs, new RecurrentOutputs { Y = y, YH = yh, YC = yc }, reserve);

            if (!wantY)
                continue;
            var featureLength = T * B * F;
            Span<float> features;
            if (d.NumDirections == 1)
            {
                buffers.Features = buffers.Y;
                features = y;
            }
            else
            {
                features = Grow(ref buffers.Features, featureLength).AsSpan(0, featureLength);
                DirectionLayout.ToFeatures(y, T, d.NumDirections, B, d.HiddenSize, features);
            }
            if (last)
                break;

            var next = _layers[l + 1];
            var nextInput = Grow(ref next.Input, featureLength).AsSpan(0, featureLength);
            if (training && Spec.Dropout > 0f)
            {
                var mask = Grow(ref buffers.DropoutMask, featureLength).AsSpan(0, featureLength);
                Dropout.SampleMask(mask, Spec.Dropout, random!);
                System.Numerics.Tensors.TensorPrimitives.Multiply(features, mask, nextInput);
            }
            else
            {
                features.CopyTo(nextInput);
            }
            input = nextInput;
        }

        // Read-out -> [N, F].
        var lastLayer = _layers[^1];
        var rows = Spec.PerStep ? T * B : B;
        ReadOnlySpan<float> readOut;
        switch (Spec.ReadOut)
        {
            case ReadOutKind.LastState:
                ReadOut.LastStateForward(lastLayer.YH, Spec.NumDirections, B, Spec.HiddenSize, Grow(ref _readOut, (long)B * F));
                readOut = _readOut.AsSpan(0, B * F);
                break;
            case ReadOutKind.MaxPool when FreezeMaxPool:
                ReadOut.MaxPoolAt(lastLayer.Features, _argmax, InitialPool?.Values, B, F, Grow(ref _readOut, (long)B * F));
                readOut = _readOut.AsSpan(0, B * F);
                break;
            case ReadOutKind.MaxPool:
                ReadOut.MaxPoolForward(lastLayer.Features, batch.Lengths, T, B, F, Grow(ref _readOut, (long)B * F), Grow(ref _argmax, (long)B * F));
                if (InitialPool is { } maxBefore)
                    ReadOut.MaxPoolCarry(maxBefore.Values, maxBefore.Steps, batch.Lengths, T, B, F, _readOut, _argmax);
                readOut = _readOut.AsSpan(0, B * F);
                break;
            case ReadOutKind.MeanPool:
                ReadOut.MeanPoolForward(lastLayer.Features, batch.Lengths, T, B, F, Grow(ref _readOut, (long)B * F));
                if (InitialPool is { } meanBefore)
                    ReadOut.MeanPoolCarry(meanBefore.Values, meanBefore.Steps, batch.Lengths, T, B, F, _readOut);
                readOut = _readOut.AsSpan(0, B * F);
                break;
            default:
                readOut = lastLayer.Features.AsSpan(0, T * B * F);
                break;
        }

        var headInput = readOut;
        if (training && Spec.Dropout > 0f)
        {
            var mask = Grow(ref _headMask, (long)rows * F).AsSpan(0, rows * F);
            Dropout.SampleMask(mask, Spec.Dropout, random!);
            var dropped = Grow(ref _headInput, (long)rows * F).AsSpan(0, rows * F);
            System.Numerics.Tensors.TensorPrimitives.Multiply(readOut, mask, dropped);
            headInput = dropped;
        }

        var outputs = Grow(ref _outputs, (long)rows * K).AsSpan(0, rows * K);
        Dense.Forward(Kernel, Parameters[HeadWeightName].Values, Parameters[HeadBiasName].Values, headInput, rows, F, K, outputs);
        return outputs;
    }

    // The token projection cache, where this network reads tokens, runs on the native kernel and may hold it: the one
    // shared with it (SharedTokenProjectionCache), or its own, made on the first inference call and dropped when the
    // limit no longer allows it.
    private TokenProjectionCache? ProjectionCache()
    {
        if (!UsesTokenProjectionCache)
        {
            _projectionCache = null;
            return null;
        }
        return SharedTokenProjectionCache ?? (_projectionCache ??= new TokenProjectionCache(_descriptors[0], Spec.InputWidth));
    }

    /// <summary>A cache this network shares with others of the same spec and weights (a SequenceModel's pool), in place
    /// of its own; used within <see cref="TokenProjectionCacheLimit"/> as its own would be.</summary>
    internal TokenProjectionCache? SharedTokenProjectionCache { get; set; }

    /// <summary>Whether inference reads the first layer's input projections from the cache (TokenProjectionCacheLimit).</summary>
    internal bool UsesTokenProjectionCache => Spec.InputKind == SequenceInputKind.Tokens && Kernel is NativeKernel
        && TokenProjectionCache.Bytes(_descriptors[0], Spec.InputWidth) <= TokenProjectionCacheLimit
        && TokenProjectionCache.Fits(_descriptors[0], Spec.InputWidth);

    private void ValidateBatch(SequenceBatch batch)
    {
        ArgumentNullException.ThrowIfNull(batch);
        if (batch.SeqLength < 0 || batch.Batch <= 0)
            throw new ArgumentException($"A batch needs B > 0 sequences and T >= 0 steps, got B={batch.Batch}, T={batch.SeqLength}.", nameof(batch));
        if (batch.Lengths.Length != batch.Batch)
            throw new ArgumentException($"Lengths must have B={batch.Batch} entries, got {batch.Lengths.Length}.", nameof(batch));
        long cells = (long)batch.SeqLength * batch.Batch;
        if (Spec.InputKind == SequenceInputKind.Tokens)
        {
            if (batch.Tokens is null || batch.Tokens.Length < cells)
                throw new ArgumentException($"This network reads token ids: the batch needs Tokens [T={batch.SeqLength}, B={batch.Batch}].", nameof(batch));
        }
        else if (batch.Features is null || batch.Features.Length < cells * Spec.InputWidth)
        {
            throw new ArgumentException($"This network reads dense features: the batch needs Features [T={batch.SeqLength}, B={batch.Batch}, D={Spec.InputWidth}].", nameof(batch));
        }
        if (InitialPool is { } pool && (Spec.ReadOut is not (ReadOutKind.MaxPool or ReadOutKind.MeanPool)
            || pool.Values.Length != batch.Batch * Spec.FeatureSize || pool.Steps.Length != batch.Batch))
            throw new ArgumentException($"InitialPool is for a MaxPool or MeanPool read-out and must hold [B={batch.Batch}, F={Spec.FeatureSize}] values and [B] step counts.", nameof(InitialPool));
        if (InitialStates is { } states)
        {
            if (states.Length != Spec.Layers)
                throw new ArgumentException($"InitialStates must hold one state per layer ({Spec.Layers}), got {states.Length}.", nameof(InitialStates));
            for (var l = 0; l < states.Length; l++)
            {
                var n = _descriptors[l].StateLength(batch.Batch);
                if (states[l].H.Length != n || (Spec.Cell == RecurrentCell.Lstm && states[l].C.Length != n))
                    throw new ArgumentException($"InitialStates[{l}] must hold [D, B={batch.Batch}, H] = {n} values for h (and c for LSTM).", nameof(InitialStates));
            }
        }
    }
}
