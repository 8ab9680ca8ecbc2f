namespace MlNetRnn;

/// <summary>
/// Everything a <see cref="SequenceStream"/> carries from one Feed to the next, for each of its B streams: per layer the
/// hidden state h and, for LSTM, the cell state c; for the MaxPool and MeanPool read-outs the running pool over the
/// steps fed so far; and how many steps each stream has seen.
/// <para>
/// Keras: <c>return_state=True</c> gives a GRU's or SimpleRNN's one state h and an LSTM's two, [state_h, state_c];
/// here they are <see cref="H"/> and <see cref="C"/>, per layer. The layer's output at a step is its h after that step.
/// </para>
/// A state read from <see cref="SequenceStream.State"/> is a copy: change its arrays and assign it back to continue
/// from there, or keep it to return to a point of the sequence later.
/// </summary>
public sealed class SequenceStreamState
{
    internal SequenceStreamState(int batch, int hiddenSize, float[][] h, float[][] c, float[] pool, long[] steps)
    {
        Batch = batch;
        HiddenSize = hiddenSize;
        H = h;
        C = c;
        Pool = pool;
        Steps = steps;
    }

    /// <summary>B: streams.</summary>
    public int Batch { get; }

    /// <summary>H: units per layer.</summary>
    public int HiddenSize { get; }

    /// <summary>Per layer, bottom first: h [B, H] (stream b's units at b*H .. b*H + H - 1).</summary>
    public IReadOnlyList<float[]> H { get; }

    /// <summary>LSTM: per layer the cell state c [B, H]; empty for GRU and RNN, which have one state.</summary>
    public IReadOnlyList<float[]> C { get; }

    /// <summary>MaxPool: the element-wise maximum of the top layer's outputs so far [B, H]; MeanPool: their sum
    /// (the mean is the sum over <see cref="Steps"/>); empty for the other read-outs.</summary>
    public float[] Pool { get; }

    /// <summary>[B] steps each stream has been fed since its last reset.</summary>
    public long[] Steps { get; }

    /// <summary>A deep copy.</summary>
    public SequenceStreamState Clone() => new(Batch, HiddenSize, H.Select(h => (float[])h.Clone()).ToArray(),
        C.Select(c => (float[])c.Clone()).ToArray(), (float[])Pool.Clone(), (long[])Steps.Clone());
}
