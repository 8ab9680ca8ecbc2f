using System.IO.Compression;
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
        using var zip = new ZipArchive(stream, ZipArchiveMode.Create, leaveOpen: true);
        WriteEntries(zip);
    }

    /// <summary>Reads a model written by <see cref="Save(Stream)"/>.</summary>
    public static SequenceModel Load(Stream stream, string origin = "(stream)")
    {
        ArgumentNullException.ThrowIfNull(stream);
        ZipArchive zip;
        try
        {
            zip = new ZipArchive(stream, ZipArchiveMode.Read, leaveOpen: true);
        }
        catch (InvalidDataException e)
        {
            throw new InvalidDataException($"{origin} is not an MlNetRnn model (not a zip archive): {e.Message}", e);
        }
        using (zip)
            return ReadEntries(zip, origin);
    }

    /// <summary>Reads a model written by <see cref="Save(string)"/> (or the model inside a checkpoint).</summary>
    public static SequenceModel Load(string path)
    {
        using var zip = ModelArchive.OpenRead(path, out var file);
        using (file)
            return ReadEntries(zip, path);
    }

    internal void WriteEntries(ZipArchive zip)
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
        ModelArchive.WriteJson(zip, ModelEntry, document);
        ModelArchive.WriteFloats(zip, ParametersEntry, Parameters.Values);
    }

    internal static SequenceModel ReadEntries(ZipArchive zip, string path)
    {
        var document = ModelArchive.ReadJson<ModelDocument>(zip, ModelEntry, path);
        if (document.Format != ModelDocument.FormatName)
            throw new InvalidDataException($"'{path}' is a '{document.Format}' file, not an MlNetRnn model.");
        if (document.FormatVersion > ModelDocument.CurrentFormatVersion)
            throw new InvalidDataException($"'{path}' uses model format {document.FormatVersion}; this MlNetRnn ({ProducerVersion}) reads up to {ModelDocument.CurrentFormatVersion}. Update MlNetRnn.");
        try
        {
            document.Spec.Validate();
        }
        catch (ArgumentException e)
        {
            throw new InvalidDataException($"'{path}' describes an invalid network: {e.Message}", e);
        }
        var parameters = new ParameterSet(SequenceNetwork.Layout(document.Spec));
        var saved = document.Parameters;
        if (saved.Count != parameters.Tensors.Count || saved.Zip(parameters.Tensors).Any(p => p.First.Name != p.Second.Name || !p.First.Shape.SequenceEqual(p.Second.Shape)))
            throw new InvalidDataException($"'{path}': the parameter list does not match the network its spec describes.");
        ModelArchive.ReadFloats(zip, ParametersEntry, parameters.Count, path).CopyTo(parameters.Values, 0);

        var s = document.Schema;
        TextFeaturizer? featurizer = null;
        if (s.Featurizer is not null)
        {
            if (s.Vocabulary is null)
                throw new InvalidDataException($"'{path}': a text model without its vocabulary.");
            featurizer = new TextFeaturizer(s.Featurizer.AsRead(), new Vocabulary(s.Vocabulary));
        }
        var schema = new SequenceModelSchema
        {
            Task = s.Task,
            Input = s.Input,
            FeatureWidth = s.FeatureWidth,
            VocabularySize = s.VocabularySize,
            Featurizer = featurizer,
            KeyNames = s.KeyNames,
            Labels = s.Labels,
            ValueCount = s.ValueCount,
            ValuesPerStep = s.ValuesPerStep,
        };
        var history = new TrainingHistory(document.History.Select(e =>
            new EpochRecord(e.Epoch, e.LearningRate, e.TrainLoss, e.Validation, TimeSpan.FromSeconds(e.Seconds))))
        {
            RestoredEpoch = document.RestoredEpoch,
            StopReason = document.StopReason,
        };
        return new SequenceModel(schema, document.Spec, parameters, document.Options, history);
    }
}
