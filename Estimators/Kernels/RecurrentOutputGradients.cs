namespace MlNetRnn.Kernels;

/// <summary>Gradients of the loss with respect to a layer's outputs; an empty span means zero.</summary>
public ref struct RecurrentOutputGradients
{
    /// <summary>[T, D, B, H]</summary>
    public ReadOnlySpan<float> DY;

    /// <summary>[D, B, H]</summary>
    public ReadOnlySpan<float> DYH;

    /// <summary>[D, B, H]</summary>
    public ReadOnlySpan<float> DYC;
}
