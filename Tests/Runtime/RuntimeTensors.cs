using MlNetRnn.OnnxExport.Onnx;
using MlNetRnn.OnnxExport.Proto;

namespace MlNetRnn.Tests.Runtime;

/// <summary>Conversions between ONNX file tensors (<see cref="OnnxTensor"/>) and the runtime binding's tensors, and comparison.</summary>
internal static class RuntimeTensors
{
    public static RuntimeInput ToRuntime(OnnxTensor tensor, string name)
    {
        var shape = tensor.Shape.ToArray();
        return tensor.ElementType switch
        {
            TensorProto.Types.DataType.Float => RuntimeInput.Floats(name, tensor.Floats.ToArray(), shape),
            TensorProto.Types.DataType.Int32 => RuntimeInput.Int32s(name, tensor.Int32s.ToArray(), shape),
            TensorProto.Types.DataType.Int64 => RuntimeInput.Int64s(name, tensor.Int64s.ToArray(), shape),
            var other => throw new NotSupportedException($"{name}: {other}"),
        };
    }

    /// <summary>
    /// Reorders the axes of a row-major tensor: result axis i is source axis <paramref name="permutation"/>[i]
    /// (numpy's transpose). Returns the new values and shape.
    /// </summary>
    public static (float[] Values, long[] Shape) Permute(ReadOnlySpan<float> values, IReadOnlyList<long> shape, params int[] permutation)
    {
        var rank = shape.Count;
        Assert.Equal(rank, permutation.Length);
        var newShape = permutation.Select(p => shape[p]).ToArray();
        var sourceStrides = new long[rank];
        for (long d = rank - 1, stride = 1; d >= 0; stride *= shape[(int)d], d--)
            sourceStrides[d] = stride;
        var result = new float[values.Length];
        var index = new long[rank];
        for (var flat = 0; flat < result.Length; flat++)
        {
            long source = 0;
            for (var d = 0; d < rank; d++)
                source += index[d] * sourceStrides[permutation[d]];
            result[flat] = values[(int)source];
            for (var d = rank - 1; d >= 0 && ++index[d] == newShape[d]; d--)
                index[d] = 0;
        }
        return (result, newShape);
    }

    /// <summary>|a - e| &lt;= atol + rtol*|e| everywhere; a failure names the worst index and both values.</summary>
    public static void AssertClose(string what, ReadOnlySpan<float> expected, ReadOnlySpan<float> actual, float atol, float rtol = 0f)
    {
        Assert.True(expected.Length == actual.Length, $"{what}: expected {expected.Length} values, got {actual.Length}.");
        var worst = -1;
        var worstExcess = 0f;
        for (var i = 0; i < expected.Length; i++)
        {
            var excess = MathF.Abs(actual[i] - expected[i]) - (atol + rtol * MathF.Abs(expected[i]));
            if (float.IsNaN(excess))
                excess = float.PositiveInfinity;
            if (excess > worstExcess)
            {
                worstExcess = excess;
                worst = i;
            }
        }
        Assert.True(worst < 0, worst < 0 ? "" :
            $"{what}: index {worst} expected {expected[worst]:G9}, got {actual[worst]:G9} (|diff| {MathF.Abs(actual[worst] - expected[worst]):G3}, atol {atol}, rtol {rtol}).");
    }
}
