using Google.Protobuf;
using MlNetRnn.OnnxExport.Proto;

namespace MlNetRnn.OnnxExport.Onnx;

/// <summary>
/// One ONNX backend node test in its on-disk format: <c>DIR/model.onnx</c> holding a single-node graph and
/// <c>DIR/test_data_set_N/{input,output}_K.pb</c> tensors, inputs matched to graph inputs by position.
/// </summary>
public sealed class OnnxNodeTestCase
{
    private OnnxNodeTestCase(string directory, ModelProto model, IReadOnlyList<OnnxNodeTestDataSet> dataSets)
    {
        Directory = directory;
        Model = model;
        DataSets = dataSets;
    }

    public string Directory { get; }

    public string Name => Path.GetFileName(Path.TrimEndingDirectorySeparator(Directory));

    public ModelProto Model { get; }

    /// <summary>The graph's single node (node tests hold exactly one).</summary>
    public NodeProto Node => Model.Graph.Node.Count == 1
        ? Model.Graph.Node[0]
        : throw new InvalidDataException($"{Name}: a node test holds one node, model.onnx has {Model.Graph.Node.Count}.");

    public IReadOnlyList<OnnxNodeTestDataSet> DataSets { get; }

    public static OnnxNodeTestCase Load(string directory)
    {
        var modelPath = Path.Combine(directory, "model.onnx");
        if (!File.Exists(modelPath))
            throw new FileNotFoundException($"'{directory}' is not an ONNX node test: it has no model.onnx.", modelPath);
        ModelProto model;
        try
        {
            model = ModelProto.Parser.ParseFrom(File.ReadAllBytes(modelPath));
        }
        catch (InvalidProtocolBufferException e)
        {
            throw new InvalidDataException($"'{modelPath}' is not an ONNX model: {e.Message}", e);
        }

        var sets = new List<OnnxNodeTestDataSet>();
        foreach (var dir in System.IO.Directory.GetDirectories(directory, "test_data_set_*").Order(StringComparer.Ordinal))
        {
            var inputs = LoadNumbered(dir, "input_", model.Graph.Input.Select(i => i.Name).ToList());
            var outputs = LoadNumbered(dir, "output_", model.Graph.Output.Select(o => o.Name).ToList());
            sets.Add(new OnnxNodeTestDataSet(Path.GetFileName(dir), inputs, outputs));
        }
        if (sets.Count == 0)
            throw new InvalidDataException($"'{directory}' has no test_data_set_* folder.");
        return new OnnxNodeTestCase(directory, model, sets);
    }

    // input_0.pb, input_1.pb, ... in order; a tensor without a name takes the graph's name at that position.
    private static IReadOnlyList<OnnxTensor> LoadNumbered(string dir, string prefix, IReadOnlyList<string> graphNames)
    {
        var tensors = new List<OnnxTensor>();
        for (var k = 0; ; k++)
        {
            var path = Path.Combine(dir, $"{prefix}{k}.pb");
            if (!File.Exists(path))
                break;
            var proto = TensorProto.Parser.ParseFrom(File.ReadAllBytes(path));
            if (string.IsNullOrEmpty(proto.Name) && k < graphNames.Count)
                proto.Name = graphNames[k];
            tensors.Add(OnnxTensor.FromProto(proto, path));
        }
        return tensors;
    }
}

/// <summary>One test_data_set_N folder: the input tensors and the expected outputs.</summary>
public sealed record OnnxNodeTestDataSet(string Name, IReadOnlyList<OnnxTensor> Inputs, IReadOnlyList<OnnxTensor> ExpectedOutputs);
