namespace MlNetRnn;

/// <summary>
/// A set of sequences with (optionally) their targets. Inputs are one of: raw texts (tokenized with the vocabulary
/// built at Fit), token-id sequences, or dense float sequences of <see cref="FeatureWidth"/> features per step
/// (each stored row-major as T*D values). Targets are one of: a class label per sequence, K values per sequence
/// (regression/forecasting), a label per step (tagging), or K values per step; a language model needs none. The steps
/// of a text are its white-space words or its tokens (TextFeaturizerOptions.StepAlignment).
/// </summary>
public sealed class SequenceData
{
    private SequenceData(int count)
    {
        Count = count;
    }

    public int Count { get; }

    public IReadOnlyList<string>? Texts { get; private init; }

    public IReadOnlyList<int[]>? TokenIds { get; private init; }

    public IReadOnlyList<float[]>? Features { get; private init; }

    /// <summary>Features per step (dense input), else 0.</summary>
    public int FeatureWidth { get; private init; }

    public IReadOnlyList<string>? Labels { get; private init; }

    public IReadOnlyList<float[]>? Values { get; private init; }

    public IReadOnlyList<string[]>? StepLabels { get; private init; }

    /// <summary>Whether <see cref="Values"/> hold K values per step rather than per sequence.</summary>
    public bool ValuesPerStep { get; private init; }

    public SequenceInputKindOfData InputKind => Texts is not null ? SequenceInputKindOfData.Text
        : TokenIds is not null ? SequenceInputKindOfData.TokenIds : SequenceInputKindOfData.Dense;

    /// <summary>Texts, with an optional class label for each.</summary>
    public static SequenceData FromTexts(IReadOnlyList<string> texts, IReadOnlyList<string>? labels = null)
    {
        CheckTexts(texts);
        CheckCount(nameof(labels), labels?.Count, texts.Count);
        return new SequenceData(texts.Count) { Texts = texts, Labels = labels };
    }

    /// <summary>Texts with a binary label each (positive = true).</summary>
    public static SequenceData FromTexts(IReadOnlyList<string> texts, IReadOnlyList<bool> labels)
    {
        ArgumentNullException.ThrowIfNull(labels);
        return FromTexts(texts, labels.Select(BinaryLabel).ToArray());
    }

    /// <summary>Token-id sequences (ids below the vocabulary size), with an optional class label for each.</summary>
    public static SequenceData FromTokenIds(IReadOnlyList<int[]> tokenIds, IReadOnlyList<string>? labels = null)
    {
        ArgumentNullException.ThrowIfNull(tokenIds);
        for (var i = 0; i < tokenIds.Count; i++)
        {
            if (tokenIds[i] is null)
                throw new ArgumentException($"Sequence {i} is null.", nameof(tokenIds));
            if (tokenIds[i].Any(id => id < 0))
                throw new ArgumentException($"Sequence {i} holds a negative token id; ids are 0 .. vocabulary size - 1.", nameof(tokenIds));
        }
        CheckCount(nameof(labels), labels?.Count, tokenIds.Count);
        return new SequenceData(tokenIds.Count) { TokenIds = tokenIds, Labels = labels };
    }

    /// <summary>Dense sequences of featureWidth features per step (T*featureWidth values each), optional class labels.</summary>
    public static SequenceData FromFeatures(IReadOnlyList<float[]> sequences, int featureWidth, IReadOnlyList<string>? labels = null)
    {
        CheckFeatures(sequences, featureWidth);
        CheckCount(nameof(labels), labels?.Count, sequences.Count);
        return new SequenceData(sequences.Count) { Features = sequences, FeatureWidth = featureWidth, Labels = labels };
    }

    /// <summary>Dense sequences with binary labels (positive = true).</summary>
    public static SequenceData FromFeatures(IReadOnlyList<float[]> sequences, int featureWidth, IReadOnlyList<bool> labels)
    {
        ArgumentNullException.ThrowIfNull(labels);
        return FromFeatures(sequences, featureWidth, labels.Select(BinaryLabel).ToArray());
    }

    /// <summary>
    /// Dense sequences with regression targets: K values per sequence (forecasting the next K values, say), or with
    /// <paramref name="perStep"/> K values per step (T*K each).
    /// </summary>
    public static SequenceData ForRegression(IReadOnlyList<float[]> sequences, int featureWidth, IReadOnlyList<float[]> values, bool perStep = false)
    {
        CheckFeatures(sequences, featureWidth);
        CheckValues(values, sequences.Count);
        return new SequenceData(sequences.Count) { Features = sequences, FeatureWidth = featureWidth, Values = values, ValuesPerStep = perStep };
    }

    /// <summary>
    /// Texts with regression targets: K values per text, or with <paramref name="perStep"/> K values per step (N*K
    /// each), the steps being the text's white-space words or its tokens as the model's Text.StepAlignment says.
    /// </summary>
    public static SequenceData ForRegression(IReadOnlyList<string> texts, IReadOnlyList<float[]> values, bool perStep = false)
    {
        CheckTexts(texts);
        CheckValues(values, texts.Count);
        return new SequenceData(texts.Count) { Texts = texts, Values = values, ValuesPerStep = perStep };
    }

    /// <summary>
    /// Texts with a tag per step (tagging): by default one per white-space word (what CoNLL-style data gives:
    /// <c>"John lives in New York"</c> with <c>["B-PER", "O", "O", "B-LOC", "I-LOC"]</c>), or one per token with
    /// Text.StepAlignment = Tokens. The counts are checked when the model's tokenizer is known (Fit, Evaluate), each
    /// text with its words or tokens named.
    /// </summary>
    public static SequenceData ForTagging(IReadOnlyList<string> texts, IReadOnlyList<string[]> tags)
    {
        CheckTexts(texts);
        ArgumentNullException.ThrowIfNull(tags);
        CheckCount(nameof(tags), tags.Count, texts.Count);
        for (var i = 0; i < tags.Count; i++)
        {
            if (tags[i] is null || tags[i].Any(t => t is null))
                throw new ArgumentException($"Text {i} has a null tag list or a null tag.", nameof(tags));
        }
        return new SequenceData(texts.Count) { Texts = texts, StepLabels = tags };
    }

    /// <summary>Token-id sequences with a label per token (tagging).</summary>
    public static SequenceData ForTagging(IReadOnlyList<int[]> tokenIds, IReadOnlyList<string[]> stepLabels)
    {
        var data = FromTokenIds(tokenIds);
        CheckStepLabels(stepLabels, tokenIds.Select(t => t.Length).ToArray());
        return new SequenceData(data.Count) { TokenIds = tokenIds, StepLabels = stepLabels };
    }

    /// <summary>Dense sequences with a label per step (tagging).</summary>
    public static SequenceData ForTagging(IReadOnlyList<float[]> sequences, int featureWidth, IReadOnlyList<string[]> stepLabels)
    {
        CheckFeatures(sequences, featureWidth);
        CheckStepLabels(stepLabels, sequences.Select(s => s.Length / featureWidth).ToArray());
        return new SequenceData(sequences.Count) { Features = sequences, FeatureWidth = featureWidth, StepLabels = stepLabels };
    }

    /// <summary>The sequences at the given indices, in that order, with their targets.</summary>
    public SequenceData Subset(IReadOnlyList<int> indices)
    {
        ArgumentNullException.ThrowIfNull(indices);
        foreach (var i in indices)
        {
            if ((uint)i >= (uint)Count)
                throw new ArgumentOutOfRangeException(nameof(indices), i, $"Index outside [0, {Count}).");
        }
        static IReadOnlyList<T>? Pick<T>(IReadOnlyList<T>? list, IReadOnlyList<int> at) => list is null ? null : at.Select(i => list[i]).ToArray();
        return new SequenceData(indices.Count)
        {
            Texts = Pick(Texts, indices),
            TokenIds = Pick(TokenIds, indices),
            Features = Pick(Features, indices),
            FeatureWidth = FeatureWidth,
            Labels = Pick(Labels, indices),
            Values = Pick(Values, indices),
            StepLabels = Pick(StepLabels, indices),
            ValuesPerStep = ValuesPerStep,
        };
    }

    /// <summary>
    /// A seeded split into two parts, the second holding about <paramref name="secondFraction"/> of the sequences;
    /// stratified by class label when the data has labels.
    /// </summary>
    public (SequenceData First, SequenceData Second) Split(double secondFraction, int seed)
    {
        var (first, second) = Training.DataSplit.Stratified(Count, Labels, secondFraction, (ulong)seed);
        return (Subset(first), Subset(second));
    }

    /// <summary>The label text used for a binary target.</summary>
    public static string BinaryLabel(bool value) => value ? "True" : "False";

    /// <summary>Steps of sequence i before featurization (tokens are counted after tokenization by the model).</summary>
    internal int RawLength(int i) => TokenIds is not null ? TokenIds[i].Length
        : Features is not null ? Features[i].Length / FeatureWidth : -1;

    private static void CheckTexts(IReadOnlyList<string> texts)
    {
        ArgumentNullException.ThrowIfNull(texts);
        for (var i = 0; i < texts.Count; i++)
        {
            if (texts[i] is null)
                throw new ArgumentException($"Text {i} is null.", nameof(texts));
        }
    }

    private static void CheckFeatures(IReadOnlyList<float[]> sequences, int featureWidth)
    {
        ArgumentNullException.ThrowIfNull(sequences);
        if (featureWidth <= 0)
            throw new ArgumentOutOfRangeException(nameof(featureWidth), featureWidth, "The feature width (values per step) must be positive.");
        for (var i = 0; i < sequences.Count; i++)
        {
            var s = sequences[i] ?? throw new ArgumentException($"Sequence {i} is null.", nameof(sequences));
            if (s.Length % featureWidth != 0)
                throw new ArgumentException(
                    $"Sequence {i} has {s.Length} values, not a multiple of the feature width {featureWidth} (expected T*{featureWidth}).",
                    nameof(sequences));
            for (var j = 0; j < s.Length; j++)
            {
                if (!float.IsFinite(s[j]))
                    throw new ArgumentException($"Sequence {i} has a non-finite value ({s[j]}) at step {j / featureWidth}, feature {j % featureWidth}.", nameof(sequences));
            }
        }
    }

    private static void CheckValues(IReadOnlyList<float[]> values, int count)
    {
        ArgumentNullException.ThrowIfNull(values);
        CheckCount(nameof(values), values.Count, count);
        for (var i = 0; i < values.Count; i++)
        {
            var v = values[i] ?? throw new ArgumentException($"Target {i} is null.", nameof(values));
            if (v.Any(x => !float.IsFinite(x)))
                throw new ArgumentException($"Target {i} has a non-finite value.", nameof(values));
        }
    }

    private static void CheckStepLabels(IReadOnlyList<string[]> stepLabels, int[] lengths)
    {
        ArgumentNullException.ThrowIfNull(stepLabels);
        CheckCount(nameof(stepLabels), stepLabels.Count, lengths.Length);
        for (var i = 0; i < lengths.Length; i++)
        {
            if (stepLabels[i] is null || stepLabels[i].Length != lengths[i])
                throw new ArgumentException($"Sequence {i} has {lengths[i]} steps but {stepLabels[i]?.Length ?? 0} step labels.", nameof(stepLabels));
        }
    }

    private static void CheckCount(string name, int? actual, int expected)
    {
        if (actual is { } n && n != expected)
            throw new ArgumentException($"{name} has {n} entries for {expected} sequences.", name);
    }
}

/// <summary>The input form of a <see cref="SequenceData"/>.</summary>
public enum SequenceInputKindOfData
{
    Text = 0,
    TokenIds = 1,
    Dense = 2,
}
