using MlNetRnn.Kernels;

namespace MlNetRnn.Network;

/// <summary>A fully connected layer y = x W^T + b over N rows (ONNX Gemm with transB = 1).</summary>
public static class Dense
{
    /// <param name="weight">[K, F]</param>
    /// <param name="bias">[K]</param>
    /// <param name="input">[N, F]</param>
    /// <param name="output">[N, K]</param>
    public static void Forward(ISequenceKernel kernel, ReadOnlySpan<float> weight, ReadOnlySpan<float> bias,
        ReadOnlySpan<float> input, int rows, int inFeatures, int outFeatures, Span<float> output)
    {
        for (var n = 0; n < rows; n++)
            bias.CopyTo(output.Slice(n * outFeatures, outFeatures));
        kernel.Gemm(false, true, rows, outFeatures, inFeatures, 1f, input, inFeatures, weight, inFeatures, 1f, output, outFeatures);
    }

    /// <summary>
    /// dW += dy^T x, db += sum over rows of dy, dx += dy W (dx may be empty); with <paramref name="overwriteInput"/>
    /// dx = dy W instead, so the caller need not clear dx first.
    /// </summary>
    public static void Backward(ISequenceKernel kernel, ReadOnlySpan<float> weight, ReadOnlySpan<float> input,
        ReadOnlySpan<float> doutput, int rows, int inFeatures, int outFeatures,
        Span<float> dweight, Span<float> dbias, Span<float> dinput, bool overwriteInput = false)
    {
        if (rows == 0)
        {
            if (overwriteInput)
                dinput.Clear();
            return;
        }
        kernel.Gemm(true, false, outFeatures, inFeatures, rows, 1f, doutput, outFeatures, input, inFeatures, 1f, dweight, inFeatures);
        // Row by row in order (a plain loop: a TensorPrimitives call per row of a few outputs costs more than its adds).
        for (var n = 0; n < rows; n++)
        {
            var row = doutput.Slice(n * outFeatures, outFeatures);
            for (var k = 0; k < row.Length && k < dbias.Length; k++)
                dbias[k] += row[k];
        }
        if (!dinput.IsEmpty)
            kernel.Gemm(false, false, rows, inFeatures, outFeatures, 1f, doutput, outFeatures, weight, inFeatures, overwriteInput ? 0f : 1f, dinput, inFeatures);
    }
}
