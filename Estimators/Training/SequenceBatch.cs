namespace MlNetRnn.Training;

/// <summary>
/// One time-major batch as the network reads it: B sequences padded to T steps, their real lengths, the inputs
/// (token ids or dense features) and the targets of the task. Values past a sequence's length are ignored.
/// </summary>
public sealed class SequenceBatch
{
    /// <summary>T: steps of the longest sequence in the batch.</summary>
    public required int SeqLength { get; init; }

    /// <summary>B: sequences in the batch.</summary>
    public required int Batch { get; init; }

    /// <summary>[B] real lengths, 0 &lt;= len &lt;= T.</summary>
    public required int[] Lengths { get; init; }

    /// <summary>[T, B] token ids (token input), or null.</summary>
    public int[]? Tokens { get; init; }

    /// <summary>[T, B, D] features (dense input), or null.</summary>
    public float[]? Features { get; init; }

    /// <summary>Class targets: [B] per sequence, or [T, B] per step; -1 marks a sequence or step without a target.</summary>
    public int[]? ClassTargets { get; init; }

    /// <summary>Regression targets: [B, K] per sequence, or [T, B, K] per step; NaN marks a row without a target.</summary>
    public float[]? ValueTargets { get; init; }

    /// <summary>[B] index of each sequence in its data set, to put predictions back in order.</summary>
    public int[]? ExampleIndices { get; init; }

    /// <summary>Steps that carry data: the sum of the lengths.</summary>
    public long RealSteps => Lengths.Sum(l => (long)l);
}
