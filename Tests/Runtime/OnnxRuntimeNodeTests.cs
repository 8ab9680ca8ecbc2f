using Google.Protobuf;
using MlNetRnn.OnnxExport.Onnx;
using MlNetRnn.OnnxExport.Proto;
using Microsoft.ML.OnnxRuntime;
using MlNetRnn.Tests.Kernels;

namespace MlNetRnn.Tests.Runtime;

/// <summary>
/// ONNX's own GRU/LSTM/RNN node tests run by ONNX Runtime through the binding, every output within 1e-5 of ONNX's
/// expected values: proves the binding end to end (tensors in, names, Run, tensors out).
/// ORT's CPU provider rejects layout = 1, so the three *_batchwise cases run as the equivalent layout-0 graph
/// (the form the exporter writes): X and the initial states transposed in, Y and the final states transposed back.
/// </summary>
public class OnnxRuntimeNodeTests
{
    private const float Tolerance = 1e-5f;

    [Theory]
    [MemberData(nameof(OnnxNodeTests.CaseNames), MemberType = typeof(OnnxNodeTests))]
    public void OnnxRuntimeMatchesExpectedOutputs(string name)
    {
        var testCase = OnnxNodeTests.LoadCase(name);
        var node = testCase.Node;
        var batchwise = node.Attribute.Any(a => a.Name == "layout" && a.I == 1);
        var model = batchwise ? TimeMajor(testCase.Model) : testCase.Model;
        using var session = OrtTest.Open(model.ToByteArray());
        var graphInputs = testCase.Model.Graph.Input.Select(i => i.Name).ToList();
        foreach (var set in testCase.DataSets)
        {
            var inputs = set.Inputs.Select((t, k) => Input(t, graphInputs[k], node, batchwise)).ToArray();
            var outputs = OrtTest.Run(session, inputs);
            Assert.Equal(set.ExpectedOutputs.Count, outputs.Count);
            for (var k = 0; k < outputs.Count; k++)
            {
                var (values, shape) = Output(outputs[k], node, batchwise);
                var expected = set.ExpectedOutputs[k];
                Assert.Equal(expected.Shape, shape);
                RuntimeTensors.AssertClose($"{name}/{set.Name}/{outputs[k].Name}", expected.Floats, values, Tolerance);
            }
        }
    }

    [Fact]
    public void OnnxRuntimeRejectsBatchwiseLayoutWithItsOwnMessage()
    {
        var testCase = OnnxNodeTests.LoadCase("test_gru_batchwise");
        var error = Assert.Throws<OnnxRuntimeException>(() => OrtTest.Open(testCase.Model.ToByteArray()));
        Assert.Contains("layout", error.Message);
    }

    // X [B, T, I] -> [T, B, I]; initial_h/initial_c [B, D, H] -> [D, B, H].
    private static RuntimeInput Input(OnnxTensor tensor, string name, NodeProto node, bool batchwise)
    {
        var position = node.Input.IndexOf(name);
        if (!batchwise || position is not (0 or 5 or 6))
            return RuntimeTensors.ToRuntime(tensor, name);
        var (values, shape) = RuntimeTensors.Permute(tensor.Floats, tensor.Shape, 1, 0, 2);
        return RuntimeInput.Floats(name, values, shape);
    }

    // Y [T, D, B, H] -> [B, T, D, H]; Y_h/Y_c [D, B, H] -> [B, D, H].
    private static (float[] Values, long[] Shape) Output(RuntimeOutput tensor, NodeProto node, bool batchwise)
    {
        var values = tensor.Floats;
        if (!batchwise)
            return (values, tensor.Shape);
        return node.Output.IndexOf(tensor.Name) == 0
            ? RuntimeTensors.Permute(values, tensor.Shape, 2, 0, 1, 3)
            : RuntimeTensors.Permute(values, tensor.Shape, 1, 0, 2);
    }

    // The same graph with layout = 0 and the declared shapes of X, states and outputs permuted to match.
    private static ModelProto TimeMajor(ModelProto batchwise)
    {
        var model = batchwise.Clone();
        var node = model.Graph.Node[0];
        node.Attribute.Single(a => a.Name == "layout").I = 0;
        foreach (var input in model.Graph.Input)
        {
            if (node.Input.IndexOf(input.Name) is 0 or 5 or 6)
                PermuteDeclaredShape(input, 1, 0, 2);
        }
        foreach (var output in model.Graph.Output)
        {
            var position = node.Output.IndexOf(output.Name);
            if (position == 0)
                PermuteDeclaredShape(output, 1, 2, 0, 3);
            else if (position is 1 or 2)
                PermuteDeclaredShape(output, 1, 0, 2);
        }
        return model;
    }

    private static void PermuteDeclaredShape(ValueInfoProto value, params int[] permutation)
    {
        var shape = value.Type?.TensorType?.Shape;
        if (shape is null || shape.Dim.Count != permutation.Length)
            return;
        var dims = permutation.Select(p => shape.Dim[p].Clone()).ToList();
        shape.Dim.Clear();
        shape.Dim.AddRange(dims);
    }
}
