using MlNetRnn.Training;

namespace MlNetRnn.Network.Losses;

/// <summary>
/// Sigmoid binary cross-entropy on one logit per sequence: loss = w_y * (log(1 + e^z) - y z), computed stably,
/// averaged by the total weight; w_0/w_1 are optional class weights. Targets are batch.ClassTargets in {0, 1}; -1 marks
/// a sequence without a target here (a truncated-BPTT window before its last).
/// </summary>
public sealed class BinaryCrossEntropyLoss : ILoss
{
    private readonly float _negativeWeight;
    private readonly float _positiveWeight;

    public BinaryCrossEntropyLoss(IReadOnlyList<float>? classWeights = null)
    {
        if (classWeights is not null && (classWeights.Count != 2 || classWeights.Any(w => !(w >= 0f) || float.IsInfinity(w))))
            throw new ArgumentException("Binary class weights must be 2 finite non-negative numbers (negative, positive).", nameof(classWeights));
        _negativeWeight = classWeights?[0] ?? 1f;
        _positiveWeight = classWeights?[1] ?? 1f;
    }

    public LossValue Compute(ReadOnlySpan<float> outputs, SequenceBatch batch, Span<float> doutputs)
    {
        var targets = batch.ClassTargets ?? throw new ArgumentException("The batch has no class targets.", nameof(batch));
        double sum = 0, weight = 0;
        for (var b = 0; b < batch.Batch; b++)
        {
            var y = targets[b];
            if (y == -1)
            {
                doutputs[b] = 0f;
                continue;
            }
            if (y is not (0 or 1))
                throw new ArgumentOutOfRangeException(nameof(batch), y, "Binary targets must be 0 or 1 (-1: none).");
            double z = outputs[b];
            var w = y == 1 ? _positiveWeight : _negativeWeight;
            sum += w * (Math.Max(z, 0) - z * y + Math.Log(1 + Math.Exp(-Math.Abs(z))));
            weight += w;
            doutputs[b] = (float)(w * (1 / (1 + Math.Exp(-z)) - y));
        }
        if (weight > 0)
        {
            for (var b = 0; b < batch.Batch; b++)
                doutputs[b] = (float)(doutputs[b] / weight);
        }
        return new LossValue(sum, weight);
    }
}
