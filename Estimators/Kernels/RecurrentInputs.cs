namespace MlNetRnn.Kernels;

/// <summary>
/// The inputs of one recurrent layer call, named as in the ONNX operators. An empty span means the optional
/// input is absent: zero bias, zero initial state, no peepholes, every sequence full length.
/// </summary>
public ref struct RecurrentInputs
{
    /// <summary>T: steps in the (padded) batch.</summary>
    public int SeqLength;

    /// <summary>B: sequences in the batch.</summary>
    public int Batch;

    /// <summary>[T, B, I]</summary>
    public ReadOnlySpan<float> X;

    /// <summary>[D, G*H, I]</summary>
    public ReadOnlySpan<float> W;

    /// <summary>[D, G*H, H]</summary>
    public ReadOnlySpan<float> R;

    /// <summary>[D, 2*G*H]: Wb then Rb per direction, or empty.</summary>
    public ReadOnlySpan<float> B;

    /// <summary>[B] real lengths, 0 &lt;= len &lt;= T, or empty.</summary>
    public ReadOnlySpan<int> SequenceLengths;

    /// <summary>[D, B, H] or empty.</summary>
    public ReadOnlySpan<float> InitialH;

    /// <summary>[D, B, H] (LSTM) or empty.</summary>
    public ReadOnlySpan<float> InitialC;

    /// <summary>[D, 3*H] LSTM peepholes (i, o, f) or empty.</summary>
    public ReadOnlySpan<float> P;
}
