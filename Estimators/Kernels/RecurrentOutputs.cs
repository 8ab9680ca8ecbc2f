namespace MlNetRnn.Kernels;

/// <summary>The outputs of a recurrent forward call; an empty span means the output is not wanted.</summary>
public ref struct RecurrentOutputs
{
    /// <summary>[T, D, B, H]: hidden state at every step, zero past each sequence's length.</summary>
    public Span<float> Y;

    /// <summary>[D, B, H]: hidden state after each sequence's last valid step.</summary>
    public Span<float> YH;

    /// <summary>[D, B, H] (LSTM): cell state after each sequence's last valid step.</summary>
    public Span<float> YC;
}
