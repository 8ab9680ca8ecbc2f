using System.Numerics.Tensors;

namespace MlNetRnn.Training;

/// <summary>Gradient-norm clipping over the flat gradient buffer (PyTorch clip_grad_norm_ semantics).</summary>
public static class GradientClipping
{
    /// <summary>The L2 norm of all gradients, accumulated in double.</summary>
    public static double GlobalNorm(ReadOnlySpan<float> gradients)
    {
        double sum = 0;
        const int chunk = 4096;
        for (var i = 0; i < gradients.Length; i += chunk)
            sum += TensorPrimitives.SumOfSquares(gradients.Slice(i, Math.Min(chunk, gradients.Length - i)));
        return Math.Sqrt(sum);
    }

    /// <summary>Scales the gradients so their global norm is at most maxNorm; returns the norm before clipping.</summary>
    public static double ClipByGlobalNorm(Span<float> gradients, float maxNorm)
    {
        if (!(maxNorm > 0f))
            throw new ArgumentOutOfRangeException(nameof(maxNorm), maxNorm, "The clipping norm must be positive.");
        var norm = GlobalNorm(gradients);
        if (norm > maxNorm)
            TensorPrimitives.Multiply(gradients, (float)(maxNorm / (norm + 1e-6)), gradients);
        return norm;
    }
}
