using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;

namespace MlNetRnn.Tests.Runtime;

/// <summary>A named input for <see cref="OrtTest.Run"/>: row-major values and their shape.</summary>
internal sealed record RuntimeInput(string Name, Array Values, long[] Shape)
{
    public static RuntimeInput Floats(string name, float[] values, params long[] shape) => new(name, values, shape);

    public static RuntimeInput Int32s(string name, int[] values, params long[] shape) => new(name, values, shape);

    public static RuntimeInput Int64s(string name, long[] values, params long[] shape) => new(name, values, shape);

    public static RuntimeInput Strings(string name, string[] values, params long[] shape) => new(name, values, shape);

    public OrtValue ToOrtValue() => Values switch
    {
        float[] f => OrtValue.CreateTensorValueFromMemory(f, Shape),
        int[] i => OrtValue.CreateTensorValueFromMemory(i, Shape),
        long[] l => OrtValue.CreateTensorValueFromMemory(l, Shape),
        string[] s => StringTensor(s, Shape),
        _ => throw new NotSupportedException($"{Name}: {Values.GetType()}"),
    };

    private static OrtValue StringTensor(string[] values, long[] shape)
    {
        var value = OrtValue.CreateTensorWithEmptyStrings(OrtAllocator.DefaultInstance, shape);
        for (var i = 0; i < values.Length; i++)
            value.StringTensorSetElementAt(values[i].AsSpan(), i);
        return value;
    }
}

/// <summary>An output of <see cref="OrtTest.Run"/>, copied out of ORT: float, int64 or bool values as floats or longs.</summary>
internal sealed record RuntimeOutput(string Name, long[] Shape, float[] Floats, long[] Int64s, string[] Strings);

/// <summary>The official ONNX Runtime API as the tests use it: a session from bytes, named inputs in, outputs out.</summary>
internal static class OrtTest
{
    public static InferenceSession Open(byte[] model, int threads = 1)
    {
        using var options = new SessionOptions { IntraOpNumThreads = threads, InterOpNumThreads = 1 };
        return new InferenceSession(model, options);
    }

    /// <summary>Runs the session; every output of the model when <paramref name="outputs"/> is null, in model order.</summary>
    public static List<RuntimeOutput> Run(InferenceSession session, IEnumerable<RuntimeInput> inputs, IReadOnlyList<string>? outputs = null)
    {
        var given = inputs.ToList();
        var values = given.Select(i => i.ToOrtValue()).ToList();
        try
        {
            var names = outputs ?? session.OutputNames;
            using var runOptions = new RunOptions();
            using var results = session.Run(runOptions, given.Select(i => i.Name).ToList(), values, names);
            return names.Select((name, k) => Copy(name, results[k])).ToList();
        }
        finally
        {
            values.ForEach(v => v.Dispose());
        }
    }

    private static RuntimeOutput Copy(string name, OrtValue value)
    {
        var info = value.GetTensorTypeAndShape();
        var shape = info.Shape;
        return info.ElementDataType switch
        {
            TensorElementType.Float => new(name, shape, value.GetTensorDataAsSpan<float>().ToArray(), [], []),
            TensorElementType.Int64 => new(name, shape, [], value.GetTensorDataAsSpan<long>().ToArray(), []),
            TensorElementType.Int32 => new(name, shape, [], value.GetTensorDataAsSpan<int>().ToArray().Select(v => (long)v).ToArray(), []),
            TensorElementType.Bool => new(name, shape, [], value.GetTensorDataAsSpan<bool>().ToArray().Select(v => v ? 1L : 0L).ToArray(), []),
            TensorElementType.String => new(name, shape, [], [], value.GetStringTensorAsArray()),
            var other => throw new NotSupportedException($"{name}: {other}"),
        };
    }
}
