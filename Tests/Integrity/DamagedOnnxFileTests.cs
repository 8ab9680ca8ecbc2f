using System.Text.Json.Nodes;
using Google.Protobuf;
using MlNetRnn.Kernels;
using MlNetRnn.OnnxExport.Export;
using MlNetRnn.OnnxExport.Import;
using MlNetRnn.OnnxExport.Onnx;
using MlNetRnn.OnnxExport.Proto;
using MlNetRnn.Tests.Export;
using MlNetRnn.Tests.Import;

namespace MlNetRnn.Tests.Integrity;

/// <summary>
/// What the tester of the ONNX integrity issue found, one test each, through both readers (OnnxSequencePredictor.Load
/// and OnnxImporter.Import): NaN weights that scored, metadata that contradicted the graph and was ignored, a third
/// label, a null featurizer, a huge string, external data. Each is refused with <see cref="ModelFileException"/> naming
/// the file, the metadata key, node or initializer, and what was expected; in a current export (with its checksum) the
/// checksum refuses any change first, so each is also checked without it (as an older export). The fuzz campaign
/// (<see cref="ReaderFuzzTests"/>) covers the rest of the space.
/// </summary>
public sealed class DamagedOnnxFileTests : IDisposable
{
    private readonly DirectoryInfo _directory = Directory.CreateTempSubdirectory("mlnetrnn-damaged-onnx");

    public void Dispose() => _directory.Delete(recursive: true);

    private const string TextModel = "binary gru text max";

    private static ModelProto Export(string configuration, OnnxExportOptions? options = null)
    {
        using var model = RandomModels.Create(configuration, KernelKind.Native);
        return OnnxExporter.Build(model, options ?? new OnnxExportOptions()).Model;
    }

    [Fact]
    public void AnUndamagedExportLoadsInBothReaders()
    {
        var proto = Export(TextModel);
        Assert.Contains(proto.MetadataProps, p => p.Key == OnnxModelContract.ChecksumKey && OnnxChecksum.IsWellFormed(p.Value));
        using var predictor = OnnxSequencePredictor.Load(Write(proto));
        using var imported = OnnxImporter.Import(Write(proto));
        using var model = RandomModels.Create(TextModel, KernelKind.Native);
        Assert.Equal(model.Predict("the cat sat").PredictedLabel, predictor.Predict("the cat sat").PredictedLabel);
        Assert.Equal(model.Parameters.Values, imported.Parameters.Values);
        // Without the checksum (an export of an earlier version) it loads too.
        using var unsigned = OnnxSequencePredictor.Load(Write(OnnxExportTests.Unsigned(proto)));
        Assert.Equal(predictor.Predict("a dog ran").Score, unsigned.Predict("a dog ran").Score);
    }

    [Theory]
    [InlineData(float.NaN)]
    [InlineData(float.PositiveInfinity)]
    [InlineData(float.NegativeInfinity)]
    public void NonFiniteWeightsAreRefusedNamingTheTensor(float value)
    {
        var proto = Export(TextModel);
        SetFloat(proto.Graph.Initializer.Single(t => t.Name == "rnn.0.R"), 5, value);
        Assert.Equal(OnnxModelContract.ChecksumKey, Refused(proto).Entry);
        var error = Refused(OnnxExportTests.Unsigned(proto));
        Assert.Equal("rnn.0.R", error.Entry);
        Assert.Contains($"holds {(float.IsNaN(value) ? "NaN" : value > 0 ? "Infinity" : "-Infinity")} at element 5; every weight must be finite", error.Message);
    }

    [Fact]
    public void NonFiniteWeightsOfAForeignGraphAreRefused()
    {
        var proto = ModelProto.Parser.ParseFrom(File.ReadAllBytes(PyTorchOnnxFixture.Load("gru_tokens_binary").OnnxPath));
        var weight = proto.Graph.Initializer.First(t => t.DataType == (int)TensorProto.Types.DataType.Float && t.Dims.Count == 3);
        SetFloat(weight, 0, float.NaN);
        var error = Assert.Throws<ModelFileException>(() => OnnxImporter.Import(Write(proto)));
        Assert.Equal(weight.Name, error.Entry);
        Assert.Contains("holds NaN at element 0", error.Message);
    }

    [Theory]
    [InlineData("HiddenSize", 1_000_000_000, "mlnetrnn.spec", "HiddenSize")]
    [InlineData("Layers", 100_000, "mlnetrnn.spec", "Layers")]
    [InlineData("HiddenSize", 8, "rnn.0.W", "is FLOAT [1, 21, 6]; the network in the metadata needs FLOAT [1, 24, 6]")]
    [InlineData("Layers", 2, "rnn.1.W", "is missing")]
    [InlineData("Cell", "Lstm", "rnn.0.W", "needs FLOAT [1, 28, 6]")]
    [InlineData("Cell", "Rnn", "rnn.0.W", "needs FLOAT [1, 7, 6]")]
    [InlineData("LinearBeforeReset", false, "GRU_", "linear_before_reset=1")]
    [InlineData("Bidirectional", true, "rnn.0.W", "needs FLOAT [2, 21, 6]")]
    [InlineData("ReadOut", "LastState", "ReduceMax_", "writes 'encoding' with ReduceMax; an export computes it with Squeeze")]
    [InlineData("EmbeddingSize", 5, "embedding", "needs FLOAT [10, 5]")]
    public void MetadataThatContradictsTheGraphIsRefused(string field, object value, string entry, string message)
    {
        var proto = EditJson(Export(TextModel), OnnxModelContract.SpecKey, spec => spec[field] = JsonValue.Create(value));
        var error = Refused(OnnxExportTests.Unsigned(proto));
        Assert.True(error.Entry?.StartsWith(entry, StringComparison.Ordinal) == true && error.Message.Contains(message, StringComparison.Ordinal), error.Message);
    }

    [Fact]
    public void AThirdLabelIsRefused()
    {
        var proto = EditJson(Export(TextModel), OnnxModelContract.SchemaKey, schema => schema["Labels"]!.AsArray().Add("maybe"));
        var error = Refused(OnnxExportTests.Unsigned(proto));
        Assert.Equal(OnnxModelContract.SchemaKey, error.Entry);
        Assert.Contains("Schema.Labels holds 3 labels; the BinaryClassification head (OutputSize 1) needs 2", error.Message);
        // The same label added where both lists agree, on a multiclass model: its head has three outputs.
        var multiclass = Export("multiclass lstm tokens mean");
        foreach (var key in new[] { OnnxModelContract.SchemaKey, OnnxModelContract.LabelsKey })
        {
            multiclass = EditJson(multiclass, key, node => (key == OnnxModelContract.SchemaKey ? node["Labels"]! : node).AsArray().Add("d"));
        }
        Assert.Contains("Schema.Labels holds 4 labels; the MulticlassClassification head (OutputSize 3) needs 3", Refused(OnnxExportTests.Unsigned(multiclass)).Message);
    }

    [Fact]
    public void LabelsThatDisagreeWithTheGraphAreRefused()
    {
        var proto = Export("multiclass lstm tokens mean");
        foreach (var key in new[] { OnnxModelContract.SchemaKey, OnnxModelContract.LabelsKey })
            proto = EditJson(proto, key, node => (key == OnnxModelContract.SchemaKey ? node["Labels"]! : node).AsArray()[0] = "renamed");
        var error = Refused(OnnxExportTests.Unsigned(proto));
        Assert.StartsWith("LabelEncoder_", error.Entry);
        Assert.Contains("maps the classes to the names ['a', 'b', 'c']; the metadata's labels are ['renamed', 'b', 'c']", error.Message);
    }

    [Fact]
    public void AVocabularyThatDisagreesWithTheGraphIsRefused()
    {
        var proto = EditJson(Export(TextModel), OnnxModelContract.VocabularyKey, tokens => tokens.AsArray()[2] = "zebra");
        var error = Refused(OnnxExportTests.Unsigned(proto));
        Assert.StartsWith("LabelEncoder_", error.Entry);
        Assert.Contains("looks up 8 tokens (['the', 'cat',", error.Message);
    }

    [Theory]
    [InlineData(OnnxModelContract.SchemaKey, "Featurizer")]
    [InlineData(OnnxModelContract.SchemaKey, "Labels")]
    [InlineData(OnnxModelContract.SpecKey, "Cell")]
    [InlineData(OnnxModelContract.OptionsKey, "Text")]
    public void NullsWhereObjectsBelongAreRefused(string key, string field)
    {
        var proto = EditJson(Export(TextModel), key, node => node[field] = null);
        var error = Refused(OnnxExportTests.Unsigned(proto));
        Assert.Contains(error.Entry, new[] { key, OnnxModelContract.VocabularyKey });
    }

    [Theory]
    [InlineData(OnnxModelContract.SpecKey)]
    [InlineData(OnnxModelContract.VocabularyKey)]
    public void NullMetadataValuesAreRefused(string key)
    {
        var error = Refused(OnnxExportTests.Unsigned(SetMetadata(Export(TextModel), key, "null")));
        Assert.Equal(key, error.Entry);
        Assert.Contains("holds null", error.Message);
    }

    [Fact]
    public void HugeMetadataValuesAreRefusedBeforeTheyAreParsed()
    {
        var spec = Refused(SetMetadata(Export(TextModel), OnnxModelContract.SpecKey, "{\"Task\": \"" + new string('x', 2 << 20) + "\"}"));
        Assert.Equal(OnnxModelContract.SpecKey, spec.Entry);
        Assert.Contains($"holds a metadata value of {(2 << 20) + 12} bytes; a value under this key holds at most {SequenceModelLimits.MaxStateDocumentBytes}", spec.Message);
        var other = Refused(SetMetadata(Export(TextModel), "mlnetrnn.notes", "x"));
        Assert.Contains("is not a metadata key MlNetRnn writes", other.Message);
        var twice = Export(TextModel);
        twice.MetadataProps.Add(new StringStringEntryProto { Key = OnnxModelContract.TaskKey, Value = "Regression" });
        Assert.Contains("appears twice in the metadata", Refused(twice).Message);
    }

    [Fact]
    public void AFileLargerThanTheCapIsRefusedBeforeItIsRead()
    {
        var path = Path.Combine(_directory.FullName, "huge.onnx");
        using (var file = File.Create(path))
            file.SetLength(SequenceModelLimits.MaxOnnxFileBytes + 1);   // sparse: no disk or memory is used
        foreach (var read in new Action[] { () => OnnxImporter.Import(path), () => OnnxSequencePredictor.Load(path) })
        {
            var error = Assert.Throws<ModelFileException>(read);
            Assert.Contains($"is {SequenceModelLimits.MaxOnnxFileBytes + 1} bytes; an ONNX file MlNetRnn reads holds at most", error.Message);
        }
    }

    [Fact]
    public void AStringLongerThanTheFileIsRefusedByTheParse()
    {
        // A length prefix of 1.5 GB on the producer name in a file of a few KB.
        var bytes = Export("regression gru dense max").ToByteArray();
        byte[] hostile = [.. bytes, 0x12, 0x80, 0xDE, 0xA1, 0xCA, 0x05, (byte)'x'];
        var path = Path.Combine(_directory.FullName, "length.onnx");
        File.WriteAllBytes(path, hostile);
        Assert.Contains("is not an ONNX model: it does not parse", Assert.Throws<ModelFileException>(() => OnnxImporter.Import(path)).Message);
        Assert.Contains("is not an ONNX model: it does not parse", Assert.Throws<ModelFileException>(() => OnnxSequencePredictor.Load(path)).Message);
    }

    [Fact]
    public void ExternalDataIsRefusedBeforeOnnxRuntimeSeesIt()
    {
        var proto = Export(TextModel);
        var weight = proto.Graph.Initializer.Single(t => t.Name == "rnn.0.W");
        weight.RawData = ByteString.Empty;
        weight.DataLocation = TensorProto.Types.DataLocation.External;
        weight.ExternalData.Add(new StringStringEntryProto { Key = "location", Value = "/etc/passwd" });
        var error = Refused(OnnxExportTests.Unsigned(proto));
        Assert.Equal("rnn.0.W", error.Entry);
        Assert.Contains("keeps its data in an external file ('/etc/passwd')", error.Message);
    }

    [Fact]
    public void OnnxRuntimesRefusalIsWrappedWithItsMessage()
    {
        // A change no check of ours looks at: a Squeeze's axes become floats, which ONNX Runtime's type inference refuses.
        var proto = OnnxExportTests.Unsigned(Export("regression gru dense last"));
        var axes = proto.Graph.Initializer.First(t => t.Name.StartsWith("axis0_", StringComparison.Ordinal));
        axes.DataType = (int)TensorProto.Types.DataType.Float;
        axes.RawData = ByteString.CopyFrom(BitConverter.GetBytes(0f));
        var path = Write(proto);
        using (var imported = OnnxImporter.Import(path))
            Assert.Equal(1, imported.Spec.Layers);   // the importer reads the weights, not the rest of the graph
        var error = Assert.Throws<ModelFileException>(() => OnnxSequencePredictor.Load(path));
        Assert.Equal(path, error.Path);
        Assert.IsType<Microsoft.ML.OnnxRuntime.OnnxRuntimeException>(error.InnerException);
        Assert.Contains("ONNX Runtime refused the model: ", error.Message);
    }

    [Fact]
    public void AChangedWeightIsRefusedOnlyWhereTheChecksumCanSeeIt()
    {
        var proto = Export(TextModel);
        var weight = proto.Graph.Initializer.Single(t => t.Name == "head.W");
        SetFloat(weight, 0, 0.25f);
        var error = Refused(proto);
        Assert.Equal(OnnxModelContract.ChecksumKey, error.Entry);
        Assert.Contains("the model hashes to sha256:", error.Message);
        // An older export has no checksum: a finite weight is a weight.
        using var imported = OnnxImporter.Import(Write(OnnxExportTests.Unsigned(proto)));
        Assert.Equal(0.25f, imported.Parameters[MlNetRnn.Network.SequenceNetwork.HeadWeightName].Values[0]);
    }

    [Fact]
    public void AForeignGraphIsNotScoredByThePredictor()
    {
        var path = PyTorchOnnxFixture.Load("gru_tokens_binary").OnnxPath;
        var error = Assert.Throws<ModelFileException>(() => OnnxSequencePredictor.Load(path));
        Assert.Contains("was not exported by MlNetRnn", error.Message);
    }

    [Fact]
    public void TheChecksumCoversEveryFieldOfTheModel()
    {
        // A field added to Proto/onnx.proto's ModelProto must be added to OnnxChecksum.Compute.
        Assert.Equal(
            ["doc_string", "domain", "graph", "ir_version", "metadata_props", "model_version", "opset_import", "producer_name", "producer_version"],
            ModelProto.Descriptor.Fields.InFieldNumberOrder().Select(f => f.Name).Order(StringComparer.Ordinal));
        var proto = Export("tagging gru-lbr0 tokens");
        var stated = proto.MetadataProps.Single(p => p.Key == OnnxModelContract.ChecksumKey).Value;
        Assert.Equal(stated, OnnxChecksum.Compute(proto));
        foreach (var change in new Action<ModelProto>[]
        {
            m => m.IrVersion++, m => m.ProducerName += "x", m => m.ProducerVersion += "x", m => m.Domain += "x", m => m.ModelVersion++,
            m => m.DocString += "x", m => m.OpsetImport[0].Version--, m => m.Graph.Node[3].Name += "x", m => m.MetadataProps[0].Value += " ",
        })
        {
            var changed = proto.Clone();
            change(changed);
            Assert.NotEqual(stated, OnnxChecksum.Compute(changed));
        }
    }

    // ---- Helpers ----

    private ModelFileException Refused(ModelProto proto)
    {
        var path = Write(proto);
        var imported = Assert.Throws<ModelFileException>(() => OnnxImporter.Import(path));
        var loaded = Assert.Throws<ModelFileException>(() => OnnxSequencePredictor.Load(path));
        Assert.Equal(path, imported.Path);
        Assert.Equal(imported.Message, loaded.Message);
        return imported;
    }

    private string Write(ModelProto proto)
    {
        var path = Path.Combine(_directory.FullName, $"{Guid.NewGuid():N}.onnx");
        File.WriteAllBytes(path, proto.ToByteArray());
        return path;
    }

    private static void SetFloat(TensorProto tensor, int index, float value)
    {
        var bytes = tensor.RawData.ToByteArray();
        BitConverter.TryWriteBytes(bytes.AsSpan(index * 4, 4), value);
        tensor.RawData = ByteString.CopyFrom(bytes);
    }

    private static ModelProto SetMetadata(ModelProto proto, string key, string value)
    {
        var copy = proto.Clone();
        var entry = copy.MetadataProps.FirstOrDefault(p => p.Key == key);
        if (entry is null)
            copy.MetadataProps.Insert(0, new StringStringEntryProto { Key = key, Value = value });
        else
            entry.Value = value;
        return copy;
    }

    private static ModelProto EditJson(ModelProto proto, string key, Action<JsonNode> edit)
    {
        var node = JsonNode.Parse(proto.MetadataProps.Single(p => p.Key == key).Value)!;
        edit(node);
        return SetMetadata(proto, key, node.ToJsonString());
    }
}
