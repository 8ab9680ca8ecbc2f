using MlNetRnn.Kernels;
using MlNetRnn.OnnxExport.Onnx;

namespace MlNetRnn.Tests.Kernels;

/// <summary>ONNX's own GRU/LSTM/RNN node tests (Debian libonnx-testdata) through each kernel.</summary>
public class OnnxNodeTests
{
    public const string NodeTestRoot = "/usr/share/libonnx-testdata/data/node";

    public static readonly string[] Cases =
    [
        "test_gru_batchwise", "test_gru_defaults", "test_gru_seq_length", "test_gru_with_initial_bias",
        "test_lstm_batchwise", "test_lstm_defaults", "test_lstm_with_initial_bias", "test_lstm_with_peepholes",
        "test_rnn_seq_length", "test_simple_rnn_batchwise", "test_simple_rnn_defaults", "test_simple_rnn_with_initial_bias",
    ];

    public static TheoryData<string> CaseNames => new(Cases);

    internal static OnnxNodeTestCase LoadCase(string name)
    {
        var dir = Path.Combine(NodeTestRoot, name);
        Assert.True(Directory.Exists(dir), $"{dir} is missing: install Debian's libonnx-testdata (scripts/setup.sh does).");
        return OnnxNodeTestCase.Load(dir);
    }

    internal static void AssertPassed(OnnxNodeTestResult result)
    {
        var report = string.Join("\n", result.Outputs.Select(o =>
            $"{o.Name}: max |diff| {o.MaxAbsDifference:G3} at index {o.WorstIndex}{(o.Problem is null ? "" : " (" + o.Problem + ")")}"));
        Assert.True(result.Passed, $"{result.CaseName} failed:\n{report}");
    }

    [Theory]
    [MemberData(nameof(CaseNames))]
    public void ReferenceKernelMatchesOnnx(string name) =>
        AssertPassed(OnnxNodeTestRunner.Run(LoadCase(name), ReferenceKernel.Instance));
}

public class OnnxRecurrentNodeTests
{
    private static MlNetRnn.OnnxExport.Proto.NodeProto Node(string op, params MlNetRnn.OnnxExport.Proto.AttributeProto[] attributes)
    {
        var node = new MlNetRnn.OnnxExport.Proto.NodeProto { OpType = op, Name = "n" };
        node.Input.AddRange(["X", "W", "R"]);
        node.Attribute.Add(new MlNetRnn.OnnxExport.Proto.AttributeProto { Name = "hidden_size", I = 3, Type = MlNetRnn.OnnxExport.Proto.AttributeProto.Types.AttributeType.Int });
        node.Attribute.AddRange(attributes);
        return node;
    }

    [Fact]
    public void UnsupportedAttributeIsNamed()
    {
        var attribute = new MlNetRnn.OnnxExport.Proto.AttributeProto { Name = "mystery", I = 1, Type = MlNetRnn.OnnxExport.Proto.AttributeProto.Types.AttributeType.Int };
        var error = Assert.Throws<NotSupportedException>(() => OnnxRecurrentNode.FromNode(Node("GRU", attribute), 2));
        Assert.Contains("'mystery'", error.Message);
    }

    [Fact]
    public void UnsupportedActivationAndOperatorAreNamed()
    {
        var activations = new MlNetRnn.OnnxExport.Proto.AttributeProto { Name = "activations", Type = MlNetRnn.OnnxExport.Proto.AttributeProto.Types.AttributeType.Strings };
        activations.Strings.Add(Google.Protobuf.ByteString.CopyFromUtf8("Gelu"));
        Assert.Contains("'Gelu'", Assert.Throws<NotSupportedException>(() => OnnxRecurrentNode.FromNode(Node("RNN", activations), 2)).Message);
        Assert.Contains("'Relu' is not a recurrent operator", Assert.Throws<NotSupportedException>(() => OnnxRecurrentNode.FromNode(Node("Relu"), 2)).Message);
    }

    [Fact]
    public void ActivationParametersAreConsumedInOrder()
    {
        var activations = new MlNetRnn.OnnxExport.Proto.AttributeProto { Name = "activations", Type = MlNetRnn.OnnxExport.Proto.AttributeProto.Types.AttributeType.Strings };
        foreach (var name in new[] { "LeakyRelu", "Tanh", "ScaledTanh" })
            activations.Strings.Add(Google.Protobuf.ByteString.CopyFromUtf8(name));
        var alpha = new MlNetRnn.OnnxExport.Proto.AttributeProto { Name = "activation_alpha", Type = MlNetRnn.OnnxExport.Proto.AttributeProto.Types.AttributeType.Floats };
        alpha.Floats.AddRange([0.3f, 2f]);
        var beta = new MlNetRnn.OnnxExport.Proto.AttributeProto { Name = "activation_beta", Type = MlNetRnn.OnnxExport.Proto.AttributeProto.Types.AttributeType.Floats };
        beta.Floats.Add(0.5f);
        var node = OnnxRecurrentNode.FromNode(Node("LSTM", activations, alpha, beta), 2);
        Assert.Equal(new MlNetRnn.Kernels.Activation(MlNetRnn.Kernels.ActivationKind.LeakyRelu, 0.3f, 0f), node.Descriptor.ActivationOf(0, 0));
        Assert.Equal(new MlNetRnn.Kernels.Activation(MlNetRnn.Kernels.ActivationKind.ScaledTanh, 2f, 0.5f), node.Descriptor.ActivationOf(0, 2));
    }
}
