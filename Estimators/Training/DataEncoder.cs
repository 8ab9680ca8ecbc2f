using MlNetRnn.Featurization;
using MlNetRnn.Network;

namespace MlNetRnn.Training;

/// <summary>
/// Turns a <see cref="SequenceData"/> into <see cref="EncodedData"/> for a model's schema, and rejects what does not
/// fit with an error that names the sequence, what was found and what was expected.
/// </summary>
internal sealed class DataEncoder
{
    private readonly SequenceModelSchema _schema;
    private readonly Dictionary<string, int> _labelIndex;

    public DataEncoder(SequenceModelSchema schema)
    {
        _schema = schema;
        _labelIndex = schema.Labels.Select((l, i) => (l, i)).ToDictionary(p => p.l, p => p.i, StringComparer.Ordinal);
    }

    public EncodedData Encode(SequenceData data, bool requireTargets)
    {
        ArgumentNullException.ThrowIfNull(data);
        if (data.Count == 0)
            throw new ArgumentException("The data set is empty; it needs at least one sequence.", nameof(data));
        CheckInputForm(data);

        int[][]? tokens = null;
        float[][]? features = null;
        int[][]? targetSteps = null;
        int[] lengths;
        var task = _schema.Task;
        var perStep = task == SequenceTask.Tagging || (task == SequenceTask.Regression && _schema.ValuesPerStep);
        switch (_schema.Input)
        {
            case SequenceInputKindOfData.Text when perStep && _schema.Featurizer!.Options.StepAlignment == StepAlignment.Words:
            {
                var encoded = data.Texts!.Select((t, i) => _schema.Featurizer.EncodeWords(t, i)).ToArray();
                tokens = encoded.Select(e => e.Ids).ToArray();
                targetSteps = encoded.Select(e => e.Steps).ToArray();
                lengths = tokens.Select(t => t.Length).ToArray();
                break;
            }
            case SequenceInputKindOfData.Text:
                tokens = data.Texts!.Select(t => _schema.Featurizer!.EncodeSequence(t)).ToArray();
                lengths = tokens.Select(t => t.Length).ToArray();
                break;
            case SequenceInputKindOfData.TokenIds:
                tokens = data.TokenIds!.ToArray();
                for (var i = 0; i < tokens.Length; i++)
                {
                    var bad = Array.FindIndex(tokens[i], id => id >= _schema.VocabularySize);
                    if (bad >= 0)
                        throw new ArgumentException($"Sequence {i} holds token id {tokens[i][bad]} at step {bad}; the vocabulary has {_schema.VocabularySize} ids (0 .. {_schema.VocabularySize - 1}).", nameof(data));
                }
                lengths = tokens.Select(t => t.Length).ToArray();
                break;
            default:
                features = data.Features!.ToArray();
                lengths = features.Select(f => f.Length / _schema.FeatureWidth).ToArray();
                break;
        }
        var empty = Array.IndexOf(lengths, 0);
        if (empty >= 0)
        {
            var why = _schema.Input == SequenceInputKindOfData.Text ? " (its text has no tokens)" : "";
            throw new ArgumentException($"Sequence {empty} has no steps{why}; every sequence needs at least one step. Drop or fill empty sequences.", nameof(data));
        }

        int[]? classes = null;
        int[][]? stepClasses = null;
        float[][]? values = null;
        if (task is SequenceTask.BinaryClassification or SequenceTask.MulticlassClassification && data.Labels is not null)
        {
            classes = data.Labels.Select((label, i) => LabelIndex(label, i)).ToArray();
        }
        else if (task == SequenceTask.Tagging && data.StepLabels is not null)
        {
            stepClasses = data.StepLabels.Select((labels, i) => labels.Select(l => LabelIndex(l, i)).ToArray()).ToArray();
            if (_schema.Input == SequenceInputKindOfData.Text)
            {
                for (var i = 0; i < stepClasses.Length; i++)
                    stepClasses[i] = LayOut(data, i, stepClasses[i], targetSteps?[i], lengths[i], 1, -1, "tags");
            }
        }
        else if (task == SequenceTask.Regression && data.Values is not null)
        {
            if (data.ValuesPerStep != _schema.ValuesPerStep)
                throw new ArgumentException($"The model predicts values {(_schema.ValuesPerStep ? "per step" : "per sequence")}; the data's targets are {(data.ValuesPerStep ? "per step" : "per sequence")}.", nameof(data));
            values = data.Values.ToArray();
            var K = _schema.ValueCount;
            for (var i = 0; i < values.Length; i++)
            {
                if (_schema.Input == SequenceInputKindOfData.Text && _schema.ValuesPerStep)
                {
                    if (values[i].Length % K != 0)
                        throw new ArgumentException($"Target {i} has {values[i].Length} values, not a multiple of the {K} values per step.", nameof(data));
                    values[i] = LayOut(data, i, values[i], targetSteps?[i], lengths[i], K, float.NaN, $"steps of {K} values");
                    continue;
                }
                var expected = _schema.ValuesPerStep ? lengths[i] * K : K;
                if (values[i].Length != expected)
                    throw new ArgumentException($"Target {i} has {values[i].Length} values; expected {expected}" +
                        (_schema.ValuesPerStep ? $" ({lengths[i]} steps x {K})." : "."), nameof(data));
            }
        }
        else if (requireTargets && task != SequenceTask.LanguageModel)
        {
            throw new ArgumentException($"Training and evaluating a {task} model needs targets: " + task switch
            {
                SequenceTask.Regression => "values (SequenceData.ForRegression).",
                SequenceTask.Tagging => "a label per step (SequenceData.ForTagging).",
                _ => "a label per sequence.",
            }, nameof(data));
        }

        return new EncodedData
        {
            Count = data.Count,
            Lengths = lengths,
            Tokens = tokens,
            Features = features,
            FeatureWidth = _schema.FeatureWidth,
            Classes = classes,
            StepClasses = stepClasses,
            Values = values,
            ValuesPerStep = _schema.ValuesPerStep,
            TargetSteps = targetSteps,
        };
    }

    // A text's per-step targets (width values each) laid out over the steps it reads: at each word's last token
    // (steps given), or one per token; `empty` on the steps without one. A text without tokens reads as one unknown
    // token, which takes no target.
    private T[] LayOut<T>(SequenceData data, int i, T[] targets, int[]? steps, int length, int width, T empty, string what)
    {
        var count = targets.Length / width;
        var expected = steps?.Length ?? (length == 1 && _schema.Featurizer!.Encode(data.Texts![i]).Length == 0 ? 0 : length);
        if (count != expected)
            throw CountMismatch(data, i, expected, count, what);
        var laidOut = new T[length * width];
        Array.Fill(laidOut, empty);
        for (var k = 0; k < count; k++)
            targets.AsSpan(k * width, width).CopyTo(laidOut.AsSpan((steps?[k] ?? k) * width, width));
        return laidOut;
    }

    private ArgumentException CountMismatch(SequenceData data, int i, int steps, int targets, string what)
    {
        var options = _schema.Featurizer!.Options;
        var text = data.Texts![i];
        if (options.StepAlignment == StepAlignment.Words)
        {
            return new ArgumentException($"Text {i} has {steps} white-space words but {targets} {what} (StepAlignment.Words: one per word): " +
                $"{Quote(WordBoundaries.SplitWords(text))}. Give one per word, or one per token with Text.StepAlignment = StepAlignment.Tokens.", nameof(data));
        }
        return new ArgumentException($"Text {i} has {steps} tokens but {targets} {what} (StepAlignment.Tokens: one per token as the tokenizer splits it): " +
            $"{Quote(Tokenizer.Tokenize(text, options))}. Give one per token, or one per white-space word with Text.StepAlignment = StepAlignment.Words.", nameof(data));
    }

    private static string Quote(IReadOnlyList<string> items) =>
        "[" + string.Join(", ", items.Take(30).Select(t => $"'{t}'")) + (items.Count > 30 ? $", ... ({items.Count} in all)" : "") + "]";

    /// <summary>Language models: every text's token ids back to back, one stream.</summary>
    public int[] EncodeStream(SequenceData data)
    {
        ArgumentNullException.ThrowIfNull(data);
        if (data.Texts is null)
            throw new ArgumentException("A language model trains on text (SequenceData.FromTexts).", nameof(data));
        var stream = data.Texts.SelectMany(t => _schema.Featurizer!.Encode(t)).ToArray();
        if (stream.Length < 2)
            throw new ArgumentException($"The text has {stream.Length} tokens; a language model needs at least 2.", nameof(data));
        return stream;
    }

    private int LabelIndex(string label, int sequence)
    {
        if (label is null)
            throw new ArgumentException($"Sequence {sequence} has a null label.", "data");
        if (_labelIndex.TryGetValue(label, out var index))
            return index;
        throw new ArgumentException($"Label '{label}' of sequence {sequence} is not one the model knows ({string.Join(", ", _schema.Labels.Take(20))}{(_schema.Labels.Count > 20 ? ", ..." : "")}).", "data");
    }

    private void CheckInputForm(SequenceData data)
    {
        if (data.InputKind != _schema.Input)
            throw new ArgumentException($"The model reads {Describe(_schema.Input)}; this data holds {Describe(data.InputKind)}.", nameof(data));
        if (_schema.Input == SequenceInputKindOfData.Dense && data.FeatureWidth != _schema.FeatureWidth)
            throw new ArgumentException($"The model reads {_schema.FeatureWidth} features per step; the data has {data.FeatureWidth}.", nameof(data));
    }

    private static string Describe(SequenceInputKindOfData kind) => kind switch
    {
        SequenceInputKindOfData.Text => "text",
        SequenceInputKindOfData.TokenIds => "token-id sequences",
        _ => "dense feature sequences",
    };
}
