using MlNetRnn.Training;

namespace MlNetRnn.Network.Losses;

/// <summary>
/// Mean squared error, or Huber with threshold delta, over K values per sequence (or per valid step), averaged over
/// the elements. Huber: 0.5 e^2 for |e| &lt;= delta, delta (|e| - 0.5 delta) beyond. Targets are batch.ValueTargets; a row
/// whose targets are NaN carries none (a text's steps before a word's last token, a truncated-BPTT window before a
/// sequence's last).
/// </summary>
public sealed class RegressionLoss : ILoss
{
    private readonly int _outputs;
    private readonly bool _perStep;
    private readonly float _huberDelta;

    /// <param name="huberDelta">0 for MSE; a positive threshold for Huber.</param>
    public RegressionLoss(int outputs, bool perStep, float huberDelta = 0f)
    {
        if (outputs <= 0)
            throw new ArgumentOutOfRangeException(nameof(outputs), outputs, "Regression needs at least one output.");
        if (!(huberDelta >= 0f) || float.IsInfinity(huberDelta))
            throw new ArgumentOutOfRangeException(nameof(huberDelta), huberDelta, "The Huber delta must be finite and >= 0 (0 means MSE).");
        _outputs = outputs;
        _perStep = perStep;
        _huberDelta = huberDelta;
    }

    public LossValue Compute(ReadOnlySpan<float> outputs, SequenceBatch batch, Span<float> doutputs)
    {
        var targets = batch.ValueTargets ?? throw new ArgumentException("The batch has no value targets.", nameof(batch));
        var rows = RowMask.Rows(batch, _perStep);
        int K = _outputs;
        double sum = 0;
        long count = 0;
        doutputs.Slice(0, rows * K).Clear();
        for (var n = 0; n < rows; n++)
        {
            if (!RowMask.IsValid(batch, _perStep, n) || float.IsNaN(targets[n * K]))
                continue;
            for (var k = 0; k < K; k++)
            {
                double e = outputs[n * K + k] - targets[n * K + k];
                if (_huberDelta > 0 && Math.Abs(e) > _huberDelta)
                {
                    sum += _huberDelta * (Math.Abs(e) - 0.5 * _huberDelta);
                    doutputs[n * K + k] = _huberDelta * Math.Sign(e);
                }
                else
                {
                    sum += _huberDelta > 0 ? 0.5 * e * e : e * e;
                    doutputs[n * K + k] = (float)(_huberDelta > 0 ? e : 2 * e);
                }
            }
            count += K;
        }
        if (count > 0)
        {
            var inverse = (float)(1.0 / count);
            for (var i = 0; i < rows * K; i++)
                doutputs[i] *= inverse;
        }
        return new LossValue(sum, count);
    }
}
