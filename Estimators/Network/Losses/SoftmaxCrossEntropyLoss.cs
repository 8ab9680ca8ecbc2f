using System.Numerics.Tensors;
using MlNetRnn.Training;

namespace MlNetRnn.Network.Losses;

/// <summary>
/// Softmax cross-entropy over K classes with optional class weights w: loss = sum_rows w[y] * -log softmax(z)[y]
/// averaged by sum_rows w[y] (PyTorch's weighted mean). Targets are batch.ClassTargets; -1 marks no target.
/// </summary>
public sealed class SoftmaxCrossEntropyLoss : ILoss
{
    private readonly int _classes;
    private readonly bool _perStep;
    private readonly float[]? _classWeights;

    public SoftmaxCrossEntropyLoss(int classes, bool perStep, IReadOnlyList<float>? classWeights = null)
    {
        if (classes < 2)
            throw new ArgumentOutOfRangeException(nameof(classes), classes, "Softmax cross-entropy needs at least 2 classes.");
        if (classWeights is not null && (classWeights.Count != classes || classWeights.Any(w => !(w >= 0f) || float.IsInfinity(w))))
            throw new ArgumentException($"Class weights must be {classes} finite non-negative numbers.", nameof(classWeights));
        _classes = classes;
        _perStep = perStep;
        _classWeights = classWeights?.ToArray();
    }

    public LossValue Compute(ReadOnlySpan<float> outputs, SequenceBatch batch, Span<float> doutputs)
    {
        var targets = batch.ClassTargets ?? throw new ArgumentException("The batch has no class targets.", nameof(batch));
        var rows = RowMask.Rows(batch, _perStep);
        int K = _classes;
        double sum = 0, weight = 0;
        doutputs.Slice(0, rows * K).Clear();
        for (var n = 0; n < rows; n++)
        {
            var y = targets[n];
            if (y < 0 || !RowMask.IsValid(batch, _perStep, n))
                continue;
            if (y >= K)
                throw new ArgumentOutOfRangeException(nameof(batch), y, $"Class target {y} is outside [0, {K}).");
            var z = outputs.Slice(n * K, K);
            var d = doutputs.Slice(n * K, K);
            // Vectorised in float (TensorPrimitives.Exp is within a few ulp): exp(z - max) <= 1, so the sum of K of
            // them loses nothing that matters, and the per-element double Exp was most of a per-step head's loss time.
            var max = TensorPrimitives.Max(z);
            TensorPrimitives.Subtract(z, max, d);
            TensorPrimitives.Exp(d, d);
            double denominator = TensorPrimitives.Sum(d);
            var w = _classWeights?[y] ?? 1f;
            sum += w * (Math.Log(denominator) - (z[y] - max));
            weight += w;
            TensorPrimitives.Multiply(d, (float)(w / denominator), d);
            d[y] -= w;
        }
        if (weight > 0)
        {
            TensorPrimitives.Multiply(doutputs.Slice(0, rows * K), (float)(1.0 / weight), doutputs.Slice(0, rows * K));
        }
        return new LossValue(sum, weight);
    }
}
