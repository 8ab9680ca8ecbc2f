using System.IO.Compression;
using System.Text.Json;
using System.Text.Json.Serialization;
using MlNetRnn.Kernels;
using MlNetRnn.Persistence;

namespace MlNetRnn.Tests.Export;

/// <summary>
/// The JSON of model files and ONNX metadata is source-generated (no reflection, so the library runs under
/// NativeAOT). It must stay byte for byte what the reflection-based serializer with the files' historic options
/// writes, so files written before and after the switch read the same way.
/// </summary>
public class JsonFormatTests
{
    private static readonly JsonSerializerOptions Reflection = new()
    {
        WriteIndented = true,
        Converters = { new JsonStringEnumConverter() },
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
    };

    [Theory]
    [InlineData("binary gru text last")]
    [InlineData("multiclass lstm tokens mean bidirectional 2layers")]
    [InlineData("regression-steps rnn-relu dense")]
    [InlineData("tagging gru-lbr0 tokens")]
    [InlineData("lm lstm")]
    public void ModelFileJsonIsWhatTheReflectionSerializerWrites(string configuration)
    {
        using var model = RandomModels.Create(configuration, KernelKind.Reference);
        var path = Path.Combine(Path.GetTempPath(), $"mlnetrnn-json-{Guid.NewGuid():N}.mlnr");
        try
        {
            model.Save(path);
            string written;
            using (var zip = ZipFile.OpenRead(path))
            using (var reader = new StreamReader(zip.GetEntry(SequenceModel.ModelEntry)!.Open()))
                written = reader.ReadToEnd();
            var document = JsonSerializer.Deserialize<ModelDocument>(written, Reflection)!;
            Assert.Equal(JsonSerializer.Serialize(document, Reflection), written);
            Assert.Equal(written, ModelArchive.Serialize(document));
            Assert.Equal(JsonSerializer.Serialize(model.Options, Reflection), ModelArchive.Serialize(model.Options));
            Assert.Equal(JsonSerializer.Serialize(model.Spec, Reflection), ModelArchive.Serialize(model.Spec));
            IReadOnlyList<string> labels = model.Schema.Labels;
            Assert.Equal(JsonSerializer.Serialize(labels, Reflection), ModelArchive.Serialize(labels));
            using var loaded = SequenceModel.Load(path);
            Assert.Equal(model.Spec, loaded.Spec);
            Assert.Equal(ModelArchive.Serialize(model.Options), ModelArchive.Serialize(loaded.Options));
            Assert.Equal(written, ModelArchive.Serialize(ModelArchive.Deserialize<ModelDocument>(written)));
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void NonFiniteNumbersAndEnumsKeepTheirSpelling()
    {
        var options = new SequenceModelOptions { HuberDelta = float.PositiveInfinity, Cell = RecurrentCell.Lstm, ClassWeights = [1f, float.NaN] };
        var json = ModelArchive.Serialize(options);
        Assert.Contains("\"Infinity\"", json);
        Assert.Contains("\"NaN\"", json);
        Assert.Contains("\"Lstm\"", json);
        Assert.Equal(JsonSerializer.Serialize(options, Reflection), json);
        var back = ModelArchive.Deserialize<SequenceModelOptions>(json)!;
        Assert.Equal(float.PositiveInfinity, back.HuberDelta);
        Assert.True(float.IsNaN(back.ClassWeights![1]));
    }
}
