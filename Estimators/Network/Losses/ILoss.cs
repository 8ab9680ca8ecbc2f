using MlNetRnn.Training;

namespace MlNetRnn.Network.Losses;

/// <summary>
/// A loss over the head's outputs [N, K] (N = B per sequence, or T*B per step, time-major). Compute returns the
/// summed loss with its weight and writes the gradient of the mean loss (Sum / Weight) into doutputs, zero on rows
/// that carry no target (padded steps, ignored labels).
/// </summary>
public interface ILoss
{
    LossValue Compute(ReadOnlySpan<float> outputs, SequenceBatch batch, Span<float> doutputs);
}
