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
    private float[] _shifted = [];  // per row: the target's logit minus the row's max

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
        var block = doutputs.Slice(0, rows * K);
        if (_shifted.Length < rows)
            _shifted = new float[rows];
        bool Counted(int n) => targets[n] >= 0 && RowMask.IsValid(batch, _perStep, n);
        // Pass 1, row by row: z - max(z) (rows without a target: -inf, whose exp is 0), and the target's shifted
        // logit. Then one vectorised Exp over the whole block: per-row calls cost more than the work for a few
        // classes (W3's 1120 rows of 28: 410 us per row against 80 us for the block, 235 us for scalar double Exp).
        for (var n = 0; n < rows; n++)
        {
            var d = block.Slice(n * K, K);
            if (!Counted(n))
            {
                d.Fill(float.NegativeInfinity);
                continue;
            }
            var y = targets[n];
            if (y >= K)
                throw new ArgumentOutOfRangeException(nameof(batch), y, $"Class target {y} is outside [0, {K}).");
            var z = outputs.Slice(n * K, K);
            var max = z[0];
            foreach (var v in z)
                max = MathF.Max(max, v);  // NaN propagates: the loss is then NaN and training stops
            for (var k = 0; k < z.Length && k < d.Length; k++)
                d[k] = z[k] - max;
            _shifted[n] = z[y] - max;
        }
        TensorPrimitives.Exp(block, block);
        // Pass 2: loss += w (log sum exp - shifted target), d = w (softmax - onehot), then all / sum of w.
        double sum = 0, weight = 0;
        for (var n = 0; n < rows; n++)
        {
            if (!Counted(n))
                continue;
            var y = targets[n];
            var d = block.Slice(n * K, K);
            float denominator = 0f;
            foreach (var e in d)
                denominator += e;  // each term <= 1, one of them 1
            var w = _classWeights?[y] ?? 1f;
            sum += w * (Math.Log(denominator) - _shifted[n]);
            weight += w;
            var scale = w / denominator;
            for (var k = 0; k < d.Length; k++)
                d[k] *= scale;
            d[y] -= w;
        }
        if (weight > 0)
            TensorPrimitives.Multiply(block, (float)(1.0 / weight), block);
        return new LossValue(sum, weight);
    }
}
