using System.Numerics.Tensors;
using MlNetRnn.Kernels;
using MlNetRnn.Training;

namespace MlNetRnn.Network;

public sealed partial class SequenceNetwork
{
    /// <summary>
    /// Backpropagates the gradient of the loss with respect to the head's outputs [N, K] through the training-mode
    /// forward of the same batch, accumulating (+=) into <see cref="ParameterSet.Gradients"/>.
    /// </summary>
    public void Backward(SequenceBatch batch, ReadOnlySpan<float> doutputs)
    {
        if (!_trained || batch.SeqLength != _seqLength || batch.Batch != _batch)
            throw new InvalidOperationException("Backward needs a training-mode Forward of the same batch first.");
        int T = _seqLength, B = _batch, F = Spec.FeatureSize, K = Spec.OutputSize, H = Spec.HiddenSize, D = Spec.NumDirections;
        var rows = Spec.PerStep ? T * B : B;
        if (doutputs.Length != rows * K)
            throw new ArgumentException($"doutputs must be [N={rows}, K={K}], got {doutputs.Length} values.", nameof(doutputs));

        var lastLayer = _layers[^1];
        var dropout = Spec.Dropout > 0f;

        // Head: its input is the read-out (after dropout); dHeadInput [N, F].
        ReadOnlySpan<float> headInput = dropout ? _headInput.AsSpan(0, rows * F)
            : Spec.PerStep ? lastLayer.Features.AsSpan(0, rows * F) : _readOut.AsSpan(0, rows * F);
        var dReadOut = Spec.PerStep
            ? Grow(ref lastLayer.DFeatures, (long)rows * F).AsSpan(0, rows * F)
            : Grow(ref _dHeadInput, (long)rows * F).AsSpan(0, rows * F);
        Dense.Backward(Kernel, Parameters[HeadWeightName].Values, headInput, doutputs, rows, F, K,
            Parameters[HeadWeightName].Gradients, Parameters[HeadBiasName].Gradients, dReadOut, overwriteInput: true);
        if (dropout)
            TensorPrimitives.Multiply(dReadOut, _headMask.AsSpan(0, rows * F), dReadOut);

        // Read-out: to dYH of the last layer (LastState) or to its per-step features.
        Span<float> dYHLast = Span<float>.Empty;
        switch (Spec.ReadOut)
        {
            case ReadOutKind.LastState:
                dYHLast = Grow(ref lastLayer.DYH, (long)D * B * H).AsSpan(0, D * B * H);
                ReadOut.LastStateBackward(dReadOut, D, B, H, dYHLast);
                break;
            case ReadOutKind.MaxPool:
            {
                var dFeatures = Grow(ref lastLayer.DFeatures, (long)T * B * F).AsSpan(0, T * B * F);
                dFeatures.Clear();
                ReadOut.MaxPoolBackward(dReadOut, _argmax, B, F, dFeatures);
                break;
            }
            case ReadOutKind.MeanPool:
            {
                var dFeatures = Grow(ref lastLayer.DFeatures, (long)T * B * F).AsSpan(0, T * B * F);
                dFeatures.Clear();
                if (InitialPool is { } before)
                    ReadOut.MeanPoolCarryBackward(before.Steps, batch.Lengths, T, B, F, dReadOut);
                ReadOut.MeanPoolBackward(dReadOut, batch.Lengths, T, B, F, dFeatures);
                break;
            }
        }

        // Recurrent layers, top down. Each layer's dX lands in the layer below's DFeatures (then through dropout),
        // or in the embedding's gradient buffer; dense input needs no dX.
        for (var l = Spec.Layers - 1; l >= 0; l--)
        {
            var d = _descriptors[l];
            var buffers = _layers[l];
            var last = l == Spec.Layers - 1;
            ReadOnlySpan<float> dy = Span<float>.Empty;
            if (!last || _usesOutputY)
            {
                var length = d.OutputLength(T, B);
                if (d.NumDirections == 1)
                {
                    dy = buffers.DFeatures.AsSpan(0, length);
                }
                else
                {
                    var dY = Grow(ref buffers.DY, length).AsSpan(0, length);
                    DirectionLayout.FromFeatures(buffers.DFeatures, T, d.NumDirections, B, d.HiddenSize, dY);
                    dy = dY;
                }
            }

            Span<float> dx;
            if (l > 0)
            {
                var below = _layers[l - 1];
                var length = T * B * d.InputSize;
                dx = Grow(ref below.DFeatures, length).AsSpan(0, length);
                dx.Clear();
            }
            else if (Spec.InputKind == SequenceInputKind.Tokens)
            {
                var length = T * B * Spec.EmbeddingSize;
                dx = Grow(ref _dEmbedded, length).AsSpan(0, length);
                dx.Clear();
            }
            else
            {
                dx = Span<float>.Empty;
            }

            var initial = InitialStates?[l];
            var inputs = new RecurrentInputs
            {
                SeqLength = T,
                Batch = B,
                X = l > 0 ? buffers.Input.AsSpan(0, T * B * d.InputSize)
                    : Spec.InputKind == SequenceInputKind.Tokens ? _embedded.AsSpan(0, T * B * Spec.EmbeddingSize)
                    : batch.Features.AsSpan(0, T * B * Spec.InputWidth),
                W = Parameters[WeightName(l)].Values,
                R = Parameters[RecurrenceName(l)].Values,
                B = Parameters[BiasName(l)].Values,
                P = Peepholes(l),
                SequenceLengths = batch.Lengths,
                InitialH = initial?.H,
                InitialC = Spec.Cell == RecurrentCell.Lstm ? initial?.C : null,
            };
            var reserveLength = (int)Kernel.ReserveSize(d, T, B);
            Kernel.Backward(d, inputs, buffers.Reserve.AsSpan(0, reserveLength),
                new RecurrentOutputGradients { DY = dy, DYH = last ? dYHLast : Span<float>.Empty },
                new RecurrentGradients
                {
                    DX = dx,
                    DW = Parameters[WeightName(l)].Gradients,
                    DR = Parameters[RecurrenceName(l)].Gradients,
                    DB = Parameters[BiasName(l)].Gradients,
                    DP = PeepholeGradients(l),
                });

            if (l > 0 && dropout)
                TensorPrimitives.Multiply(dx, _layers[l - 1].DropoutMask.AsSpan(0, dx.Length), dx);
        }

        if (Spec.InputKind == SequenceInputKind.Tokens)
        {
            Kernel.EmbeddingBackward(Parameters[EmbeddingName].Gradients, Spec.InputWidth, Spec.EmbeddingSize, batch.Tokens, batch.Lengths,
                T, B, _dEmbedded.AsSpan(0, T * B * Spec.EmbeddingSize));
        }
    }
}
