using System.Text.Json;
using Google.Protobuf;
using MlNetRnn.Featurization;
using MlNetRnn.Network;
using MlNetRnn.OnnxExport.Export;
using MlNetRnn.OnnxExport.Import;
using MlNetRnn.OnnxExport.Onnx;
using MlNetRnn.OnnxExport.Proto;
using MlNetRnn.Persistence;

namespace MlNetRnn;

/// <summary>
/// Reads an ONNX file exported by MlNetRnn back into a trainable <see cref="SequenceModel"/> (to score natively,
/// continue training with SequenceModelEstimator.Fit(model, data), or fine-tune). Anything it cannot represent is
/// rejected with an <see cref="InvalidDataException"/> naming what. A file without MlNetRnn's metadata (from
/// torch.onnx.export, say) is read from its graph instead,
/// with what the graph cannot say taken from <see cref="OnnxImportOptions"/>.
/// </summary>
public static class OnnxImporter
{
    /// <param name="importOptions">For files from other producers (see <see cref="OnnxImportOptions"/>); MlNetRnn's own
    /// exports carry everything in their metadata and ignore them.</param>
    public static SequenceModel Import(string path, OnnxImportOptions? importOptions = null)
    {
        if (!File.Exists(path))
            throw new FileNotFoundException($"No ONNX file at '{path}'.", path);
        return Import(File.ReadAllBytes(path), path, importOptions);
    }

    public static SequenceModel Import(byte[] bytes, string origin = "(bytes)", OnnxImportOptions? importOptions = null)
    {
        ModelProto proto;
        try
        {
            proto = ModelProto.Parser.ParseFrom(bytes);
        }
        catch (InvalidProtocolBufferException e)
        {
            throw new InvalidDataException($"'{origin}' is not an ONNX model: {e.Message}", e);
        }
        return Import(proto, origin, importOptions);
    }

    public static SequenceModel Import(ModelProto proto, string origin, OnnxImportOptions? importOptions = null)
    {
        if (!proto.MetadataProps.Any(p => p.Key == OnnxModelContract.FormatKey))
            return ForeignModelImporter.Import(proto, origin, importOptions ?? new OnnxImportOptions());
        var metadata = proto.MetadataProps.ToDictionary(p => p.Key, p => p.Value);
        var (spec, schema, options) = ReadDescription(metadata, origin, proto.ProducerName);

        // What the exporter writes (OnnxExporter, TextGraph); anything else means the graph was changed after export.
        var allowed = new HashSet<string> { "Transpose", "Gather", "RNN", "GRU", "LSTM", "Squeeze", "Reshape", "Identity", "Shape", "Slice", "Range",
            "Unsqueeze", "Cast", "Less", "Where", "ReduceMax", "ReduceSum", "Mul", "Div", "MatMul", "Add", "Gemm", "Sigmoid", "Softmax",
            "GreaterOrEqual", "ArgMax", "LabelEncoder", "StringSplit", "StringConcat", "StringNormalizer", "Equal", "Not", "Expand", "Concat",
            "Compress", "ConstantOfShape", "ScatterElements", "ScatterND", "CumSum", "Sub", "Min", "Max", "Loop", "If", "Greater", "Mod" };
        var foreign = proto.Graph.Node.FirstOrDefault(n => !allowed.Contains(n.OpType) || (n.Domain is not ("" or "ai.onnx" or "ai.onnx.ml")));
        if (foreign is not null)
            throw new InvalidDataException($"'{origin}' contains a {foreign.OpType} node ('{foreign.Name}') that an MlNetRnn export never has; the graph was changed after export and cannot be imported.");

        var initializers = proto.Graph.Initializer.ToDictionary(t => t.Name, t => t);
        var parameters = new ParameterSet(SequenceNetwork.Layout(spec));
        foreach (var tensor in parameters.Tensors)
        {
            float[] values;
            if (tensor.Name == SequenceNetwork.HeadWeightName && spec.PerStep)
            {
                var transposed = Initializer(initializers, OnnxExporter.HeadWeightTransposedName, [tensor.Shape[1], tensor.Shape[0]], origin);
                int K = tensor.Shape[0], F = tensor.Shape[1];
                values = new float[K * F];
                for (var f = 0; f < F; f++)
                    for (var k = 0; k < K; k++)
                        values[k * F + f] = transposed[f * K + k];
            }
            else
            {
                values = Initializer(initializers, tensor.Name, tensor.Shape, origin);
            }
            values.CopyTo(tensor.Values);
        }

        return new SequenceModel(schema, spec, parameters, options);
    }

    /// <summary>The network, schema and training options an MlNetRnn export describes in its metadata.</summary>
    internal static (SequenceNetworkSpec Spec, SequenceModelSchema Schema, SequenceModelOptions Options) ReadDescription(
        IReadOnlyDictionary<string, string> metadata, string origin, string producer)
    {
        if (!metadata.TryGetValue(OnnxModelContract.FormatKey, out var format))
            throw new InvalidDataException($"'{origin}' was not exported by MlNetRnn (producer '{producer}'): it has no '{OnnxModelContract.FormatKey}' metadata, so its vocabulary, labels and network cannot be recovered.");
        if (!int.TryParse(format, out var version) || version > OnnxModelContract.FormatVersion || version < 1)
            throw new InvalidDataException($"'{origin}' has MlNetRnn metadata format '{format}'; this version reads 1 to {OnnxModelContract.FormatVersion}.");
        var spec = Read<SequenceNetworkSpec>(metadata, OnnxModelContract.SpecKey, origin);
        var document = Read<SchemaDocument>(metadata, OnnxModelContract.SchemaKey, origin);
        var options = Read<SequenceModelOptions>(metadata, OnnxModelContract.OptionsKey, origin);
        try
        {
            spec.Validate();
        }
        catch (ArgumentException e)
        {
            throw new InvalidDataException($"'{origin}': the network in its metadata is invalid: {e.Message}", e);
        }
        TextFeaturizer? featurizer = null;
        if (document.Featurizer is { } textOptions)
        {
            var tokens = Read<List<string>>(metadata, OnnxModelContract.VocabularyKey, origin);
            try
            {
                featurizer = new TextFeaturizer(textOptions.AsRead(), new Vocabulary(tokens));
            }
            catch (ArgumentException e)
            {
                throw new InvalidDataException($"'{origin}': the vocabulary in its metadata is invalid: {e.Message}", e);
            }
        }
        var schema = new SequenceModelSchema
        {
            Task = document.Task,
            Input = document.Input,
            FeatureWidth = document.FeatureWidth,
            VocabularySize = document.VocabularySize,
            Featurizer = featurizer,
            KeyNames = metadata.ContainsKey(OnnxModelContract.KeyNamesKey) ? Read<List<string>>(metadata, OnnxModelContract.KeyNamesKey, origin) : null,
            Labels = document.Labels,
            ValueCount = document.ValueCount,
            ValuesPerStep = document.ValuesPerStep,
        };
        return (spec, schema, options);
    }

    private static float[] Initializer(Dictionary<string, TensorProto> initializers, string name, IReadOnlyList<int> shape, string origin)
    {
        if (!initializers.TryGetValue(name, out var proto))
            throw new InvalidDataException($"'{origin}' has no initializer '{name}' [{string.Join(", ", shape)}] that its network needs.");
        var tensor = OnnxTensor.FromProto(proto, $"'{origin}' initializer '{name}'");
        if (!tensor.Shape.SequenceEqual(shape.Select(s => (long)s)))
            throw new InvalidDataException($"'{origin}': initializer '{name}' has shape {tensor.ShapeText}; its network needs [{string.Join(", ", shape)}].");
        return tensor.Floats;
    }

    private static T Read<T>(IReadOnlyDictionary<string, string> metadata, string key, string origin)
    {
        if (!metadata.TryGetValue(key, out var text))
            throw new InvalidDataException($"'{origin}' lacks the '{key}' metadata an MlNetRnn export carries.");
        try
        {
            return ModelArchive.Deserialize<T>(text) ?? throw new InvalidDataException($"'{origin}': metadata '{key}' is empty.");
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"'{origin}': metadata '{key}' is not valid: {e.Message}", e);
        }
    }
}
