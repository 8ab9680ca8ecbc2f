using MlNetRnn.Training;

namespace MlNetRnn.Network.Losses;

/// <summary>Which head rows carry a target: every sequence, or per step the rows t &lt; lengths[b].</summary>
internal static class RowMask
{
    public static int Rows(SequenceBatch batch, bool perStep) => perStep ? batch.SeqLength * batch.Batch : batch.Batch;

    public static bool IsValid(SequenceBatch batch, bool perStep, int row) =>
        !perStep || row / batch.Batch < batch.Lengths[row % batch.Batch];
}
