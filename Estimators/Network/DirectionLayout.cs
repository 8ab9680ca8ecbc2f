namespace MlNetRnn.Network;

/// <summary>
/// Converts between the kernel's (and ONNX's) output layout Y [T, D, B, H] and the per-step feature layout
/// [T, B, D*H] that the next layer and the read-outs read. For one direction the two are the same memory.
/// </summary>
public static class DirectionLayout
{
    /// <summary>features[t, b, d*H + j] = y[t, d, b, j].</summary>
    public static void ToFeatures(ReadOnlySpan<float> y, int seqLength, int directions, int batch, int hidden, Span<float> features)
    {
        for (var t = 0; t < seqLength; t++)
            for (var d = 0; d < directions; d++)
                for (var b = 0; b < batch; b++)
                    y.Slice(((t * directions + d) * batch + b) * hidden, hidden)
                        .CopyTo(features.Slice(((t * batch + b) * directions + d) * hidden, hidden));
    }

    /// <summary>y[t, d, b, j] = features[t, b, d*H + j].</summary>
    public static void FromFeatures(ReadOnlySpan<float> features, int seqLength, int directions, int batch, int hidden, Span<float> y)
    {
        for (var t = 0; t < seqLength; t++)
            for (var d = 0; d < directions; d++)
                for (var b = 0; b < batch; b++)
                    features.Slice(((t * batch + b) * directions + d) * hidden, hidden)
                        .CopyTo(y.Slice(((t * directions + d) * batch + b) * hidden, hidden));
    }
}
