namespace MlNetRnn.Examples.Datasets.Baselines;

/// <summary>A sparse feature vector: strictly increasing <see cref="Indices"/> with their <see cref="Values"/>.</summary>
public sealed record SparseVector(int[] Indices, float[] Values)
{
    /// <summary>w . x, reading only the stored entries.</summary>
    public double Dot(ReadOnlySpan<double> weights)
    {
        var sum = 0.0;
        for (var entry = 0; entry < Indices.Length; entry++)
            sum += weights[Indices[entry]] * Values[entry];
        return sum;
    }
}
