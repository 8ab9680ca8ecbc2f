namespace MlNetRnn.Kernels;

/// <summary>
/// Where a recurrent backward call accumulates (+=) its gradients; an empty span means the gradient is not wanted.
/// Shapes are those of the matching inputs in <see cref="RecurrentInputs"/>.
/// </summary>
public ref struct RecurrentGradients
{
    public Span<float> DX;
    public Span<float> DW;
    public Span<float> DR;
    public Span<float> DB;
    public Span<float> DP;
    public Span<float> DInitialH;
    public Span<float> DInitialC;
}
