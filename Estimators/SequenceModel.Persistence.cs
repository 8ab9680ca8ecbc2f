using MlNetRnn.Featurization;
using MlNetRnn.Network;
using MlNetRnn.Persistence;
using MlNetRnn.Training;

namespace MlNetRnn;

public sealed partial class SequenceModel
{
    internal const string ModelEntry = "model.json";
    internal const string ParametersEntry = "parameters.bin";

    /// <summary>The library's version, written into saved models and ONNX exports.</summary>
    public static string ProducerVersion => typeof(SequenceModel).Assembly.GetName().Version?.ToString(3) ?? "0.0.0";

    /// <summary>Writes the model (schema, spec, options, history, weights) to one file, atomically.</summary>
    public void Save(string path) => AtomicFile.Write(path, Save);

    /// <summary>Writes the model to a stream (a zip archive, as <see cref="Save(string)"/> writes to a file).</summary>
    public void Save(Stream stream)
    {
        ArgumentNullException.ThrowIfNull(stream);
        using var archive = new ModelArchiveWriter(stream);
        WriteEntries(archive);
        archive.Complete();
    }

    /// <summary>Reads a model written by <see cref="Save(Stream)"/>; a damaged or foreign stream is refused with a
    /// <see cref="ModelFileException"/> (see <see cref="Load(string)"/>).</summary>
    /// <param name="origin">How errors name the stream.</param>
    public static SequenceModel Load(Stream stream, string origin = "(stream)")
    {
        using var archive = ModelArchiveReader.Open(stream, origin);
        return ReadEntries(archive);
    }

    /// <summary>
    /// Reads a model written by <see cref="Save(string)"/> (or the model inside a checkpoint). Every entry is verified
    /// before it is used (zip CRC-32, and SHA-256 against the file's checksum manifest where it has one), every size
    /// is checked against <see cref="SequenceModelLimits"/> before it is allocated, and the JSON is checked against
    /// the weights' shapes; the weights must be finite. A damaged file is refused with a
    /// <see cref="ModelFileException"/> naming the file, the entry and what is wrong; a missing one with a
    /// <see cref="FileNotFoundException"/>.
    /// </summary>
    public static SequenceModel Load(string path)
    {
        using var archive = ModelArchiveReader.Open(path);
        return ReadEntries(archive);
    }

    internal void WriteEntries(ModelArchiveWriter archive)
    {
        var document = new ModelDocument
        {
            Producer = $"MlNetRnn {ProducerVersion}",
            Spec = Spec,
            Schema = new SchemaDocument
            {
                Task = Schema.Task,
                Input = Schema.Input,
                FeatureWidth = Schema.FeatureWidth,
                VocabularySize = Schema.VocabularySize,
                Featurizer = Schema.Featurizer?.Options,
                Vocabulary = Schema.Featurizer?.Vocabulary.Tokens.ToList(),
                KeyNames = Schema.KeyNames?.ToList(),
                Labels = [.. Schema.Labels],
                ValueCount = Schema.ValueCount,
                ValuesPerStep = Schema.ValuesPerStep,
            },
            Options = Options,
            Parameters = Parameters.Tensors.Select(t => new ParameterDocument(t.Name, [.. t.Shape])).ToList(),
            History = History.Epochs.Select(e => new EpochDocument(e.Epoch, e.LearningRate, e.TrainLoss, e.Validation, e.Duration.TotalSeconds)).ToList(),
            RestoredEpoch = History.RestoredEpoch,
            StopReason = History.StopReason,
        };
        archive.WriteJson(ModelEntry, document);
        archive.WriteFloats(ParametersEntry, Parameters.Values);
    }

    internal static SequenceModel ReadEntries(ModelArchiveReader archive)
    {
        var document = archive.ReadJson<ModelDocument>(ModelEntry, SequenceModelLimits.MaxModelDocumentBytes);
        document.Validate(archive.Path);
        var layout = SequenceNetwork.Layout(document.Spec).ToList();
        archive.ExpectFloats(ParametersEntry, document.Spec.ParameterCount());
        var parameters = new ParameterSet(layout);
        archive.ReadFloats(ParametersEntry, parameters.Values);
        archive.RequireFinite(ParametersEntry, parameters.Values, parameters.Tensors);

        var schema = document.Schema.ToSchema((problem, inner) => new ModelFileException(archive.Path, ModelEntry, problem, inner));
        var history = new TrainingHistory(document.History.Select(e =>
            new EpochRecord(e.Epoch, e.LearningRate, e.TrainLoss, e.Validation, TimeSpan.FromSeconds(e.Seconds))))
        {
            RestoredEpoch = document.RestoredEpoch,
            StopReason = document.StopReason,
        };
        return new SequenceModel(schema, document.Spec, parameters, document.Options, history);
    }
}
