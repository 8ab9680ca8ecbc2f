using Google.Protobuf;
using MlNetRnn.Kernels;
using MlNetRnn.OnnxExport.Runtime;

namespace MlNetRnn.Tests.Runtime;

/// <summary>Names, element types, shapes (fixed and symbolic) and metadata read back through ORT.</summary>
public sealed class OnnxSessionDescribeTests : IDisposable
{
    // What the exporter stores: vocabulary, labels and options as text; one value non-ASCII, one long.
    private static readonly Dictionary<string, string> Metadata = new()
    {
        ["mlnetrnn.vocabulary"] = string.Join("\n", Enumerable.Range(0, 2000).Select(i => $"token{i}")),
        ["mlnetrnn.labels"] = "ham\nspam",
        ["mlnetrnn.options"] = "{\"cell\":\"gru\",\"hidden\":64}",
        ["note"] = "caf\u00e9 \u2713",
    };

    private readonly string _directory = Directory.CreateTempSubdirectory("mlnetrnn-ort-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Fact]
    public void ReadsInputsOutputsAndMetadataFromFile()
    {
        var path = Path.Combine(_directory, "described.onnx");
        File.WriteAllBytes(path, TestModels.Described(Metadata).ToByteArray());
        using var session = OnnxSession.FromFile(path);
        AssertDescribed(session);
        Assert.Contains(path, session.Origin);
    }

    [Fact]
    public void ReadsTheSameFromBytes()
    {
        using var session = OnnxSession.FromBytes(TestModels.Described(Metadata).ToByteArray());
        AssertDescribed(session);
    }

    [Fact]
    public void RunsFloatAndInt64OutputsIncludingEmptyTensors()
    {
        using var session = OnnxSession.FromBytes(TestModels.Described(Metadata).ToByteArray());
        var outputs = session.Run([OnnxRuntimeTensor.FromFloats("X", new float[] { 1, 2, 3, 4, 5, 6 }, 2, 3)]);
        Assert.Equal(["Y", "Count"], outputs.Select(o => o.Name));
        Assert.Equal([2L, 3L], outputs[0].Shape);
        Assert.Equal([1.5f, 1f, 5f, 4.5f, 4f, 8f], outputs[0].Floats.ToArray());
        Assert.Equal(OnnxElementType.Int64, outputs[1].ElementType);
        Assert.Equal([2L, 3L], outputs[1].Int64s.ToArray());

        var empty = session.Run([OnnxRuntimeTensor.FromFloats("X", Array.Empty<float>(), 0, 3)]);
        Assert.Equal([0L, 3L], empty[0].Shape);
        Assert.Equal(0, empty[0].ElementCount);
        Assert.Equal([0L, 3L], empty[1].Int64s.ToArray());

        var countOnly = session.Run([OnnxRuntimeTensor.FromFloats("X", new float[3], 1, 3)], ["Count"]);
        Assert.Equal("Count", Assert.Single(countOnly).Name);
        Assert.Equal([1L, 3L], countOnly[0].Int64s.ToArray());
    }

    [Fact]
    public void DescribesRecurrentNodeInputsWithSymbolicDimensions()
    {
        var lstm = new RecurrentDescriptor(RecurrentCell.Lstm, inputSize: 5, hiddenSize: 7, RecurrentDirection.Bidirectional);
        using var session = OnnxSession.FromBytes(TestModels.Recurrent(lstm).ToByteArray());
        Assert.Equal(["X", "W", "R", "B", "sequence_lens", "initial_h", "initial_c", "P"], session.Inputs.Select(i => i.Name));
        Assert.Equal(["Y", "Y_h", "Y_c"], session.Outputs.Select(o => o.Name));
        var x = session.Inputs[0];
        Assert.Equal([-1L, -1L, 5L], x.Shape);
        Assert.Equal(["T", "B", ""], x.SymbolicDimensions);
        Assert.Equal("X: Float[T, B, 5]", x.ToString());
        Assert.Equal([2L, 28L, 5L], session.Inputs[1].Shape);
        Assert.Equal(OnnxElementType.Int32, session.Inputs[4].ElementType);
        Assert.Equal("[T, 2, B, 7]", session.Outputs[0].ShapeText);
    }

    private static void AssertDescribed(OnnxSession session)
    {
        var input = Assert.Single(session.Inputs);
        Assert.Equal("X", input.Name);
        Assert.Equal(OnnxValueKind.Tensor, input.Kind);
        Assert.Equal(OnnxElementType.Float, input.ElementType);
        Assert.Equal([-1L, 3L], input.Shape);
        Assert.Equal(["batch", ""], input.SymbolicDimensions);

        Assert.Equal(["Y", "Count"], session.Outputs.Select(o => o.Name));
        Assert.Equal(OnnxElementType.Float, session.Outputs[0].ElementType);
        Assert.Equal("[batch, 3]", session.Outputs[0].ShapeText);
        Assert.Equal(OnnxElementType.Int64, session.Outputs[1].ElementType);
        Assert.Equal([2L], session.Outputs[1].Shape);

        var metadata = session.Metadata;
        Assert.Equal("MlNetRnn.Tests", metadata.ProducerName);
        Assert.Equal("described_graph", metadata.GraphName);
        Assert.Equal("mlnetrnn.test", metadata.Domain);
        Assert.Equal("model doc", metadata.Description);
        Assert.Equal("graph doc", metadata.GraphDescription);
        Assert.Equal(7, metadata.Version);
        Assert.Equal(Metadata.OrderBy(p => p.Key), metadata.Custom.OrderBy(p => p.Key));

        Assert.Equal(OnnxExecutionProvider.Cpu, session.ExecutionProvider);
        Assert.Null(session.FallbackReason);
    }
}
