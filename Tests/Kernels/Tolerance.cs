namespace MlNetRnn.Tests.Kernels;

/// <summary>Named tolerance tiers |actual - expected| &lt;= Absolute + Relative * |expected|; a failure names the worst index.</summary>
internal readonly record struct Tolerance(string Name, double Absolute, double Relative)
{
    /// <summary>Outputs of two float32 implementations of the same equations (fast exp in one).</summary>
    public static readonly Tolerance Outputs = new("outputs", 1e-5, 1e-4);

    /// <summary>Gradients: sums over steps and batch accumulate rounding in a different order.</summary>
    public static readonly Tolerance Gradients = new("gradients", 5e-5, 1e-3);

    public void AssertClose(ReadOnlySpan<float> expected, ReadOnlySpan<float> actual, string what)
    {
        Assert.True(expected.Length == actual.Length, $"{what}: {actual.Length} values, expected {expected.Length}.");
        var worst = -1;
        double worstExcess = 0, worstDiff = 0;
        for (var i = 0; i < expected.Length; i++)
        {
            double e = expected[i], a = actual[i];
            var diff = Math.Abs(a - e);
            var excess = double.IsNaN(diff) ? double.PositiveInfinity : diff - (Absolute + Relative * Math.Abs(e));
            if (excess > worstExcess)
            {
                worstExcess = excess;
                worst = i;
                worstDiff = diff;
            }
        }
        Assert.True(worst < 0, worst < 0 ? "" :
            $"{what}: worst at index {worst}: expected {expected[worst]:G9}, actual {actual[worst]:G9}, |diff| {worstDiff:G3} beyond the {Name} tolerance ({Absolute:G2} + {Relative:G2}*|e|).");
    }
}
