using MlNetRnn.Kernels;

namespace MlNetRnn.Tests.Kernels;

/// <summary>
/// The native sigmoid and tanh are built on a fast exp (Native/src/activation.cpp): stated bound 1e-6 absolute against
/// the exact functions. Checked here on every code path over the whole float range that matters, through every vector
/// tail length, and for saturation and non-finite inputs.
/// </summary>
public sealed class NativeActivationTests
{
    private const double Bound = 1e-6;

    public static TheoryData<ActivationKind, string> FastKinds()
    {
        var data = new TheoryData<ActivationKind, string>();
        foreach (var kind in new[] { ActivationKind.Sigmoid, ActivationKind.Tanh })
            foreach (var path in InstructionSets.Supported)
                data.Add(kind, path);
        return data;
    }

    private static double Exact(ActivationKind kind, double x) =>
        kind == ActivationKind.Sigmoid ? 1.0 / (1.0 + Math.Exp(-x)) : Math.Tanh(x);

    [Theory]
    [MemberData(nameof(FastKinds))]
    public void StaysWithinTheStatedBoundOverTheRange(ActivationKind kind, string path)
    {
        using var native = InstructionSets.Kernel(path, 1);
        // A dense grid over [-100, 100] (saturation on both sides included) plus every float near 0.
        var values = new List<float>();
        for (var i = -2_000_000; i <= 2_000_000; i++)
            values.Add(i * 5e-5f);
        for (var x = 1e-30f; x < 1e-3f; x *= 1.01f)
        {
            values.Add(x);
            values.Add(-x);
        }
        var y = values.ToArray();
        native.Activate(new Activation(kind, 0f, 0f), y);
        var worst = 0.0;
        var worstAt = 0f;
        for (var i = 0; i < y.Length; i++)
        {
            var error = Math.Abs(y[i] - Exact(kind, values[i]));
            if (error > worst)
            {
                worst = error;
                worstAt = values[i];
            }
        }
        Assert.True(worst <= Bound, $"{kind} ({path}): largest error {worst:G3} at x = {worstAt:R} (bound {Bound:G1})");
    }

    [Theory]
    [MemberData(nameof(FastKinds))]
    public void EveryLengthGivesTheSameValuesAsTheScalarTail(ActivationKind kind, string path)
    {
        using var native = InstructionSets.Kernel(path, 1);
        // Lengths 0..70 cover the 16- and 8-wide vector bodies and every tail; each element must not depend on where
        // it falls.
        var random = new Random(3);
        var source = Enumerable.Range(0, 70).Select(_ => (float)(random.NextDouble() * 20 - 10)).ToArray();
        var full = source.ToArray();
        native.Activate(new Activation(kind, 0f, 0f), full);
        for (var n = 0; n <= source.Length; n++)
        {
            var part = source[..n];
            native.Activate(new Activation(kind, 0f, 0f), part);
            for (var i = 0; i < n; i++)
                Assert.True(Math.Abs(part[i] - Exact(kind, source[i])) <= Bound, $"{kind} ({path}) length {n}, index {i}: {part[i]} vs {Exact(kind, source[i])}");
        }
    }

    [Theory]
    [MemberData(nameof(FastKinds))]
    public void SaturatesAndPassesNaN(ActivationKind kind, string path)
    {
        using var native = InstructionSets.Kernel(path, 1);
        float[] x = [float.NegativeInfinity, -1e30f, -200f, 200f, 1e30f, float.PositiveInfinity, float.NaN];
        native.Activate(new Activation(kind, 0f, 0f), x);
        // Saturated, within the bound (sigmoid's lower end is e^-88-ish, not an exact 0, which is just as good).
        var low = kind == ActivationKind.Sigmoid ? 0f : -1f;
        for (var i = 0; i < 3; i++)
            Assert.True(Math.Abs(x[i] - low) <= Bound && x[i] >= low, $"{kind} ({path}): x[{i}] = {x[i]:R}, expected {low}");
        for (var i = 3; i < 6; i++)
            Assert.True(Math.Abs(x[i] - 1f) <= Bound && x[i] <= 1f, $"{kind} ({path}): x[{i}] = {x[i]:R}, expected 1");
        Assert.True(float.IsNaN(x[6]), $"{kind}(NaN) = {x[6]} ({path})");
    }

    [Fact]
    public void UnknownKindIsRejectedWithAMessage()
    {
        using var native = new NativeKernel();
        var error = Assert.Throws<NativeKernelException>(() => native.Activate(new Activation((ActivationKind)99, 0f, 0f), new float[4]));
        Assert.Contains("unknown activation kind", error.Message);
    }
}
