namespace MlNetRnn.Kernels;

/// <summary>
/// The compute primitives the network runs on: recurrent layers forward and backward through time, and GEMM.
/// <see cref="ReferenceKernel"/> is the plain C# specification; <see cref="NativeKernel"/> is the fast native path
/// and is tested against it. Kernels are stateless apart from their threads: every buffer is the caller's.
/// </summary>
public interface ISequenceKernel
{
    /// <summary>Worker threads the kernel uses (1 for the reference).</summary>
    int Threads { get; }

    /// <summary>Floats the training-mode forward keeps for backward. The layout is private to each kernel.</summary>
    long ReserveSize(RecurrentDescriptor descriptor, int seqLength, int batch);

    /// <summary>
    /// Forward through time. An empty <paramref name="reserve"/> runs inference mode; otherwise it must hold
    /// <see cref="ReserveSize"/> floats and is filled for <see cref="Backward"/>.
    /// </summary>
    void Forward(RecurrentDescriptor descriptor, in RecurrentInputs inputs, in RecurrentOutputs outputs, Span<float> reserve);

    /// <summary>
    /// Backward through time for the forward call that filled <paramref name="reserve"/> with the same inputs.
    /// Gradients accumulate (+=) into <paramref name="gradients"/>. The reserve is consumed: a kernel may use it as
    /// scratch (the native kernel writes the gate gradients over the gates), so a second backward needs a new forward.
    /// </summary>
    void Backward(RecurrentDescriptor descriptor, in RecurrentInputs inputs, Span<float> reserve,
        in RecurrentOutputGradients outputGradients, in RecurrentGradients gradients);

    /// <summary>C = alpha * op(A) op(B) + beta * C, row-major, op(A) [M, K], op(B) [K, N].</summary>
    void Gemm(bool transposeA, bool transposeB, int m, int n, int k, float alpha,
        ReadOnlySpan<float> a, int lda, ReadOnlySpan<float> b, int ldb, float beta, Span<float> c, int ldc);
}
