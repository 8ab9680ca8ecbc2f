using Google.Protobuf;
using MlNetRnn.OnnxExport.Import;
using MlNetRnn.OnnxExport.Onnx;
using MlNetRnn.OnnxExport.Proto;

namespace MlNetRnn.Tests.Import;

/// <summary>
/// Graphs from other producers that are not an MlNetRnn network are refused with a ModelFileException naming the
/// node, its operator and what was expected; options that contradict the graph with an ArgumentException. The
/// refuse_*.onnx models are PyTorch's own exports; the others are fixtures with one attribute or input changed.
/// </summary>
public class ForeignOnnxRefusalTests
{
    [Theory]
    [InlineData("refuse_conv", "entry '/conv/Conv': Conv node: expected Gather (embedding), GRU/LSTM/RNN, Squeeze/Unsqueeze/Slice/Gather/Concat/Transpose/Reshape/Flatten (read-out)")]
    [InlineData("refuse_mlp_head", "entry '/Relu': Relu node: expected Gather (embedding), GRU/LSTM/RNN")]
    [InlineData("refuse_learned_initial_state", "entry '/rnn/GRU': GRU node: initial_h ('/Expand_output_0', from node '/Expand' (Expand)) is not known to be zero")]
    [InlineData("refuse_bidirectional_last_step", "entry '/head/Gemm': Gemm node: reads the last step of the outputs of bidirectional node '/rnn/GRU' (GRU)")]
    [InlineData("refuse_cell_state", "entry '/head/Gemm': Gemm node: reads the LSTM cell state (Y_c of node '/rnn/LSTM' direction 0)")]
    [InlineData("refuse_two_hidden_sizes", "node '/second/GRU' (GRU) has hidden_size 6 where the bottom layer has 7 (node '/first/GRU' (GRU))")]
    [InlineData("refuse_multilabel_sigmoid", "entry '/Sigmoid': Sigmoid node: a sigmoid over 3 outputs gives independent probabilities (multi-label)")]
    public void PyTorchGraphsOutsideMlNetRnnAreRefused(string name, string message)
    {
        var path = Path.Combine(PyTorchOnnxFixture.Folder, name + ".onnx");
        var error = Assert.Throws<ModelFileException>(() => OnnxImporter.Import(path));
        Assert.Contains(message, error.Message);
        Assert.StartsWith($"'{path}', entry '", error.Message);
        Assert.Equal(path, error.Path);
    }

    [Fact]
    public void UnsupportedRecurrentAttributesAreRefused()
    {
        Assert.Contains("entry '/rnn/LSTM': LSTM node: input_forget=1 is not supported",
            Refusal("lstm_tagging", g => Recurrent(g).Attribute.Add(new AttributeProto { Name = "input_forget", Type = AttributeProto.Types.AttributeType.Int, I = 1 })));
        Assert.Contains("entry '/rnn/GRU': GRU node: clip=3 is not supported",
            Refusal("gru_tokens_binary", g => Recurrent(g).Attribute.Add(new AttributeProto { Name = "clip", Type = AttributeProto.Types.AttributeType.Float, F = 3f })));
        Assert.Contains("entry '/rnn/GRU': GRU node: layout=1 is not supported",
            Refusal("gru_tokens_binary", g => Recurrent(g).Attribute.Add(new AttributeProto { Name = "layout", Type = AttributeProto.Types.AttributeType.Int, I = 1 })));
        Assert.Contains("entry '/rnn/GRU': GRU node: direction=reverse is not supported",
            Refusal("gru_tokens_binary", g => Recurrent(g).Attribute.Add(new AttributeProto { Name = "direction", Type = AttributeProto.Types.AttributeType.String, S = ByteString.CopyFromUtf8("reverse") })));
        Assert.Contains("entry '/rnn/LSTM': LSTM node: P ('peepholes') has shape [1, 17]; [1, 18] is expected", Refusal("lstm_tagging", g =>
        {
            g.Initializer.Add(OnnxTensor.FromFloats("peepholes", new float[17], 1, 17).ToProto());
            var lstm = Recurrent(g);
            while (lstm.Input.Count < 7)
                lstm.Input.Add("");
            lstm.Input.Add("peepholes");
        }));
    }

    [Fact]
    public void GivenInitialStatesAreRefused()
    {
        var message = Refusal("gru_tokens_binary", g =>
        {
            g.Input.Add(new ValueInfoProto { Name = "h0" });
            Recurrent(g).Input[5] = "h0";
        });
        Assert.Contains("entry '/rnn/GRU': GRU node: initial_h ('h0', from a graph input) is not known to be zero; MlNetRnn starts every sequence from zero states", message);
    }

    [Fact]
    public void OutputsThatAreNotAHeadAreRefused()
    {
        var path = PyTorchOnnxFixture.Load("gru_tokens_binary").OnnxPath;
        Assert.Contains("entry 'probability': is not an output of the graph; its outputs are 'output'",
            Assert.Throws<ModelFileException>(() => OnnxImporter.Import(path, new OnnxImportOptions { OutputName = "probability" })).Message);
        var states = Refusal("gru_tokens_binary", g => g.Output.Add(new ValueInfoProto { Name = Recurrent(g).Output[1] }), new OnnxImportOptions { OutputName = "/rnn/GRU_output_1" });
        Assert.Contains("entry '/rnn/GRU_output_1': is the graph output to import, and it is final states (Y_h of node '/rnn/GRU' direction 0) [states(1), batch, hidden(7)], not a dense head's output", states);
    }

    [Fact]
    public void OptionsThatContradictTheGraphAreRefused()
    {
        var binary = PyTorchOnnxFixture.Load("gru_tokens_binary").OnnxPath;
        ArgumentException Options(string path, OnnxImportOptions options) => Assert.Throws<ArgumentException>(() => OnnxImporter.Import(path, options));
        Assert.Contains("OnnxImportOptions.Task is Regression, but the graph computes 1 output(s) per sequence through Sigmoid (node '/Sigmoid'), which is BinaryClassification",
            Options(binary, new OnnxImportOptions { Task = SequenceTask.Regression }).Message);
        Assert.Contains("OnnxImportOptions.Labels must hold 2 distinct labels (the negative class, then the positive), got 3",
            Options(binary, new OnnxImportOptions { Labels = ["a", "b", "c"] }).Message);
        Assert.Contains("OnnxImportOptions.Vocabulary has 3 tokens; the graph's embedding has 13 rows",
            Options(binary, new OnnxImportOptions { Vocabulary = ["<pad>", "<unk>", "x"] }).Message);
        Assert.Contains("A vocabulary starts with '<pad>' and '<unk>' at ids 0 and 1",
            Options(binary, new OnnxImportOptions { Vocabulary = Enumerable.Range(0, 13).Select(i => $"w{i}").ToArray() }).Message);
        Assert.Contains("OnnxImportOptions.VocabularySize is 20; the graph's embedding has 13 rows",
            Options(binary, new OnnxImportOptions { VocabularySize = 20 }).Message);
        var lm = PyTorchOnnxFixture.Load("gru_2layers_language_model").OnnxPath;
        Assert.Contains("A language model reads text: give OnnxImportOptions.Vocabulary",
            Options(lm, new OnnxImportOptions { Task = SequenceTask.LanguageModel }).Message);
        var dense = PyTorchOnnxFixture.Load("lstm_dense_2layers_regression").OnnxPath;
        Assert.Contains("OnnxImportOptions.InputWidth is 5; the graph reads 4 features per step",
            Options(dense, new OnnxImportOptions { InputWidth = 5 }).Message);
    }

    private static NodeProto Recurrent(GraphProto graph) => graph.Node.First(n => n.OpType is "GRU" or "LSTM" or "RNN");

    /// <summary>The importer's message for fixture <paramref name="name"/> changed by <paramref name="change"/>.</summary>
    private static string Refusal(string name, Action<GraphProto> change, OnnxImportOptions? options = null)
    {
        var model = ModelProto.Parser.ParseFrom(File.ReadAllBytes(PyTorchOnnxFixture.Load(name).OnnxPath));
        change(model.Graph);
        return Assert.Throws<ModelFileException>(() => OnnxImporter.Import(model, name + "-changed.onnx", options)).Message;
    }
}
