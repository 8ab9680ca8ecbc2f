using MlNetRnn.Kernels;

namespace MlNetRnn.OnnxExport.Onnx;

/// <summary>
/// Runs an ONNX RNN/GRU/LSTM node test through an <see cref="ISequenceKernel"/>: reads the node's attributes and
/// the .pb tensors, converts layout 1 to the kernel's layout 0 and back, and compares every expected output.
/// </summary>
public static class OnnxNodeTestRunner
{
    /// <summary>The absolute tolerance the node tests are held to.</summary>
    public const float DefaultTolerance = 1e-5f;

    public static OnnxNodeTestResult Run(OnnxNodeTestCase testCase, ISequenceKernel kernel, float tolerance = DefaultTolerance)
    {
        ArgumentNullException.ThrowIfNull(testCase);
        ArgumentNullException.ThrowIfNull(kernel);
        var outputs = new List<OnnxNodeTestOutput>();
        foreach (var set in testCase.DataSets)
            outputs.AddRange(RunDataSet(testCase, set, kernel, tolerance));
        return new OnnxNodeTestResult(testCase.Name, outputs);
    }

    private static IEnumerable<OnnxNodeTestOutput> RunDataSet(OnnxNodeTestCase testCase, OnnxNodeTestDataSet set,
        ISequenceKernel kernel, float tolerance)
    {
        var node = testCase.Node;
        OnnxRecurrentNode.CellOf(node.OpType);
        var graphInputs = testCase.Model.Graph.Input.Select(i => i.Name).ToList();
        var byName = new Dictionary<string, OnnxTensor>();
        for (var k = 0; k < set.Inputs.Count && k < graphInputs.Count; k++)
            byName[graphInputs[k]] = set.Inputs[k];

        OnnxTensor? Get(string name) => name == "" ? null
            : byName.TryGetValue(name, out var t) ? t
            : throw new InvalidDataException($"{testCase.Name}/{set.Name}: no tensor for node input '{name}'.");

        var xNames = node.Input.Count > 1 ? node.Input : throw new InvalidDataException($"{testCase.Name}: the node needs inputs X, W and R.");
        var w = Get(xNames[1]) ?? throw new InvalidDataException($"{testCase.Name}: W is missing.");
        if (w.Shape.Count != 3)
            throw new InvalidDataException($"{testCase.Name}: W must be [D, G*H, I], got {w.ShapeText}.");
        var recurrent = OnnxRecurrentNode.FromNode(node, checked((int)w.Shape[2]));
        var d = recurrent.Descriptor;
        var x = Get(recurrent.Inputs[0]) ?? throw new InvalidDataException($"{testCase.Name}: X is missing.");
        if (x.Shape.Count != 3)
            throw new InvalidDataException($"{testCase.Name}: X must be rank 3, got {x.ShapeText}.");
        var layout1 = recurrent.Layout == 1;
        int T = (int)x.Shape[layout1 ? 1 : 0], B = (int)x.Shape[layout1 ? 0 : 1], H = d.HiddenSize, D = d.NumDirections;

        var xData = layout1 ? Swap01(x.Floats, B, T, d.InputSize) : x.Floats;
        float[]? State(string name) => Get(name) is { } s ? (layout1 ? Swap01(s.Floats, B, D, H) : s.Floats) : null;

        var inputs = new RecurrentInputs
        {
            SeqLength = T,
            Batch = B,
            X = xData,
            W = w.Floats,
            R = (Get(recurrent.Inputs[2]) ?? throw new InvalidDataException($"{testCase.Name}: R is missing.")).Floats,
            B = Get(recurrent.Inputs[3])?.Floats,
            SequenceLengths = Get(recurrent.Inputs[4])?.Int32s,
            InitialH = State(recurrent.Inputs[5]),
            InitialC = State(recurrent.Inputs[6]),
            P = Get(recurrent.Inputs[7])?.Floats,
        };
        var y = new float[d.OutputLength(T, B)];
        var yH = new float[d.StateLength(B)];
        var yC = d.Cell == RecurrentCell.Lstm ? new float[d.StateLength(B)] : [];
        kernel.Forward(d, inputs, new RecurrentOutputs { Y = y, YH = yH, YC = yC }, Span<float>.Empty);

        var results = new List<OnnxNodeTestOutput>();
        var graphOutputs = testCase.Model.Graph.Output.Select(o => o.Name).ToList();
        for (var k = 0; k < set.ExpectedOutputs.Count && k < graphOutputs.Count; k++)
        {
            var position = recurrent.Outputs.ToList().IndexOf(graphOutputs[k]);
            if (position < 0)
                throw new InvalidDataException($"{testCase.Name}: graph output '{graphOutputs[k]}' is not an output of the node.");
            var actual = position switch
            {
                0 => layout1 ? ToLayout1Y(y, T, D, B, H) : y,
                1 => layout1 ? Swap01(yH, D, B, H) : yH,
                _ => layout1 ? Swap01(yC, D, B, H) : yC,
            };
            results.Add(Compare($"{set.Name}/{OnnxRecurrentNode.OutputNames[position]}", set.ExpectedOutputs[k], actual, tolerance));
        }
        return results;
    }

    private static OnnxNodeTestOutput Compare(string name, OnnxTensor expected, float[] actual, float tolerance)
    {
        var e = expected.Floats;
        if (e.Length != actual.Length)
            return new OnnxNodeTestOutput(name, float.PositiveInfinity, -1, false,
                $"expected {e.Length} values {expected.ShapeText}, the kernel produced {actual.Length}");
        float worst = 0;
        var worstIndex = -1;
        for (var i = 0; i < e.Length; i++)
        {
            var diff = MathF.Abs(actual[i] - e[i]);
            if (float.IsNaN(diff))
                diff = float.PositiveInfinity;
            if (diff > worst || worstIndex < 0)
            {
                worst = diff;
                worstIndex = i;
            }
        }
        return new OnnxNodeTestOutput(name, worst, worstIndex, worst <= tolerance, null);
    }

    // [a, b, c] -> [b, a, c]
    private static float[] Swap01(float[] src, int a, int b, int c)
    {
        var dst = new float[src.Length];
        for (var i = 0; i < a; i++)
            for (var j = 0; j < b; j++)
                Array.Copy(src, (i * b + j) * c, dst, (j * a + i) * c, c);
        return dst;
    }

    // [T, D, B, H] -> [B, T, D, H]
    private static float[] ToLayout1Y(float[] y, int T, int D, int B, int H)
    {
        var dst = new float[y.Length];
        for (var t = 0; t < T; t++)
            for (var dir = 0; dir < D; dir++)
                for (var b = 0; b < B; b++)
                    Array.Copy(y, ((t * D + dir) * B + b) * H, dst, ((b * T + t) * D + dir) * H, H);
        return dst;
    }
}

/// <summary>The comparison of one output of one data set: the largest absolute difference and where it is.</summary>
public sealed record OnnxNodeTestOutput(string Name, float MaxAbsDifference, int WorstIndex, bool Passed, string? Problem);

/// <summary>All outputs of one node test.</summary>
public sealed record OnnxNodeTestResult(string CaseName, IReadOnlyList<OnnxNodeTestOutput> Outputs)
{
    public bool Passed => Outputs.Count > 0 && Outputs.All(o => o.Passed);
}
