namespace MlNetRnn.Kernels;

/// <summary>
/// The compute primitives a training step runs on: recurrent layers forward and backward through time, GEMM, the token
/// embedding, and the optimizers' element-wise updates (so that one set of worker threads serves the whole step).
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

    /// <summary>output[t, b, :] = table[ids[t, b], :] for t &lt; lengths[b], zero elsewhere.</summary>
    /// <param name="table">[V, E]</param>
    /// <param name="ids">[T, B]; an id outside [0, V) at a valid step is an error naming it.</param>
    /// <param name="lengths">[B], each in [0, T]</param>
    /// <param name="output">[T, B, E]</param>
    void EmbeddingForward(ReadOnlySpan<float> table, int vocabulary, int size, ReadOnlySpan<int> ids,
        ReadOnlySpan<int> lengths, int seqLength, int batch, Span<float> output);

    /// <summary>
    /// dtable[ids[t, b], :] += doutput[t, b, :] for t &lt; lengths[b]; each row adds its steps in (t, b) order, so the
    /// result does not depend on the number of threads.
    /// </summary>
    void EmbeddingBackward(Span<float> dtable, int vocabulary, int size, ReadOnlySpan<int> ids,
        ReadOnlySpan<int> lengths, int seqLength, int batch, ReadOnlySpan<float> doutput);

    /// <summary>
    /// One Adam step over a flat buffer: m = b1 m + (1 - b1) g; v = b2 v + (1 - b2) g g;
    /// w = w Decay - StepSize m / (sqrt(v) Correction2 + epsilon).
    /// </summary>
    void AdamUpdate(in AdamStep step, Span<float> values, ReadOnlySpan<float> gradients, Span<float> m, Span<float> v);

    /// <summary>
    /// One SGD step: momentum 0: w = g (-lr) + w. Otherwise buf = momentum buf + g and w -= lr buf, or with Nesterov
    /// w -= lr (g + momentum buf). <paramref name="velocity"/> may be empty when momentum is 0.
    /// </summary>
    void SgdUpdate(float learningRate, float momentum, bool nesterov, Span<float> values, ReadOnlySpan<float> gradients,
        Span<float> velocity);
}
