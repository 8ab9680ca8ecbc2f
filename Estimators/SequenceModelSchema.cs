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

    /// <summary>
    /// Token-id models trained on ML.NET key columns: the name of each key (id k is KeyNames[k - 1]; id 0 is a missing
    /// key, which is also what an unknown token reads as), from the column's KeyValues annotation. With them an
    /// export can take raw text (split on the export's separators, as TokenizeIntoWords did) and look the words up.
    /// </summary>
    public IReadOnlyList<string>? KeyNames { get; init; }

    /// <summary>Class names (binary: negative then positive), tag names, or empty.</summary>
    public IReadOnlyList<string> Labels { get; init; } = [];

    /// <summary>Regression: values per sequence (or per step).</summary>
    public int ValueCount { get; init; }

    public bool ValuesPerStep { get; init; }
}
