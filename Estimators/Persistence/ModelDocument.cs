using MlNetRnn.Featurization;
using MlNetRnn.Network;

namespace MlNetRnn.Persistence;

/// <summary>The JSON part of a saved model ("model.json"); the weights follow in "parameters.bin".</summary>
internal sealed partial record ModelDocument
{
    public const string FormatName = "mlnetrnn-model";
    public const int CurrentFormatVersion = 1;

    public string Format { get; init; } = FormatName;

    public int FormatVersion { get; init; } = CurrentFormatVersion;

    public string Producer { get; init; } = "";

    public required SequenceNetworkSpec Spec { get; init; }

    public required SchemaDocument Schema { get; init; }

    public required SequenceModelOptions Options { get; init; }

    public required List<ParameterDocument> Parameters { get; init; }

    public List<EpochDocument> History { get; init; } = [];

    public int? RestoredEpoch { get; init; }

    public string StopReason { get; init; } = "completed";
}

internal sealed partial record SchemaDocument
{
    public SequenceTask Task { get; init; }

    public SequenceInputKindOfData Input { get; init; }

    public int FeatureWidth { get; init; }

    public int VocabularySize { get; init; }

    public TextFeaturizerOptions? Featurizer { get; init; }

    public List<string>? Vocabulary { get; init; }

    public List<string>? KeyNames { get; init; }

    public List<string> Labels { get; init; } = [];

    public int ValueCount { get; init; }

    public bool ValuesPerStep { get; init; }

    /// <summary>The schema a model is built with, from a document that passed <see cref="Validate"/>: the featurizer is
    /// made here, and a tokenizer that refuses the vocabulary is reported through <paramref name="bad"/>.</summary>
    public SequenceModelSchema ToSchema(Func<string, Exception?, ModelFileException> bad)
    {
        TextFeaturizer? featurizer = null;
        if (Featurizer is not null)
        {
            try
            {
                featurizer = new TextFeaturizer(Featurizer.AsRead(), new Vocabulary(Vocabulary!));
            }
            catch (ArgumentException e)
            {
                throw bad($"the tokenizer and vocabulary do not fit together: {e.Message}", e);
            }
        }
        return new SequenceModelSchema
        {
            Task = Task,
            Input = Input,
            FeatureWidth = FeatureWidth,
            VocabularySize = VocabularySize,
            Featurizer = featurizer,
            KeyNames = KeyNames,
            Labels = Labels,
            ValueCount = ValueCount,
            ValuesPerStep = ValuesPerStep,
        };
    }
}

internal sealed record ParameterDocument(string Name, int[] Shape);

internal sealed record EpochDocument(int Epoch, float LearningRate, double TrainLoss, EvaluationMetrics? Validation, double Seconds);
