using MlNetRnn.Featurization;
using MlNetRnn.Network;

namespace MlNetRnn;

/// <summary>
/// What a trained model reads and predicts, besides its network: the input form, the featurizer built at Fit,
/// and the names of its classes (or tags).
/// </summary>
public sealed record SequenceModelSchema
{
    public required SequenceTask Task { get; init; }

    public required SequenceInputKindOfData Input { get; init; }

    /// <summary>Dense input: features per step.</summary>
    public int FeatureWidth { get; init; }

    /// <summary>Token input: ids 0 .. VocabularySize-1 (the featurizer's vocabulary for text).</summary>
    public int VocabularySize { get; init; }

    /// <summary>Text input: tokenizer settings and vocabulary.</summary>
    public TextFeaturizer? Featurizer { get; init; }

    /// <summary>Class names (binary: negative then positive), tag names, or empty.</summary>
    public IReadOnlyList<string> Labels { get; init; } = [];

    /// <summary>Regression: values per sequence (or per step).</summary>
    public int ValueCount { get; init; }

    public bool ValuesPerStep { get; init; }
}
