namespace MlNetRnn.Cli.Data;

/// <summary>
/// Reads a data file into a <see cref="SequenceData"/> for a task: the input column (text, a numeric sequence or token
/// ids) and the target column (a class label, regression values, or a tag per step; none for a language model).
/// Rows are read one at a time; the first bad row stops the reading with an error that names its line and column.
/// </summary>
internal static class LabelledDataReader
{
    /// <param name="model">Evaluation: the model the data must fit (its input kind, feature width, labels and
    /// vocabulary); null for training, which finds the input kind from the columns.</param>
    /// <param name="perStepTargets">Regression: the targets are K values per step rather than per sequence.</param>
    public static LabelledData Read(string path, TableFormat format, SequenceTask task, DataColumns columns,
        SequenceModelSchema? model, bool perStepTargets)
    {
        string? inputColumn = null, targetColumn = null;
        var inputKind = SequenceInputKindOfData.Text;
        var width = model?.FeatureWidth ?? columns.FeatureWidth;
        var targetWidth = 0;
        var texts = new List<string>();
        var tokens = new List<int[]>();
        var features = new List<float[]>();
        var labels = new List<string>();
        var tags = new List<string[]>();
        var values = new List<float[]>();
        var known = model is null || model.Labels.Count == 0 ? null : model.Labels.ToHashSet(StringComparer.Ordinal);
        foreach (var row in TableReader.Read(path, format))
        {
            if (row.Error is not null)
                throw new InvalidDataException($"{path}:{row.Line}: {row.Error}.");
            if (inputColumn is null)
            {
                (inputColumn, inputKind) = columns.Input(row, model?.Input);
                if (task != SequenceTask.LanguageModel)
                    targetColumn = columns.Target(task, row.Columns, path);
                Check(task, inputKind, perStepTargets);
            }
            var input = row.Cell(inputColumn);
            int steps;
            try
            {
                switch (inputKind)
                {
                    case SequenceInputKindOfData.Text:
                        texts.Add(CellReader.Text(input));
                        steps = -1;
                        break;
                    case SequenceInputKindOfData.TokenIds:
                        var ids = CellReader.TokenIds(input);
                        if (model is not null && ids.FirstOrDefault(id => id >= model.VocabularySize, -1) is var bad and >= 0)
                            throw new FormatException($"token id {bad} is outside the model's vocabulary (0 .. {model.VocabularySize - 1})");
                        tokens.Add(ids);
                        steps = ids.Length;
                        break;
                    default:
                        var sequence = CellReader.Sequence(input, ref width);
                        features.Add(sequence);
                        steps = sequence.Length / width;
                        break;
                }
            }
            catch (FormatException e)
            {
                throw row.CellError(input, e.Message);
            }
            if (targetColumn is null)
                continue;
            var target = row.Cell(targetColumn);
            try
            {
                switch (task)
                {
                    case SequenceTask.Tagging:
                        var stepTags = CellReader.Tags(target);
                        if (stepTags.Length != steps)
                            throw new FormatException($"{stepTags.Length} tags for {steps} steps; tagging needs one tag per step");
                        if (known is not null && stepTags.FirstOrDefault(t => !known.Contains(t)) is { } unknownTag)
                            throw new FormatException($"tag '{unknownTag}' is not one the model knows ({Names(model!.Labels)})");
                        tags.Add(stepTags);
                        break;
                    case SequenceTask.Regression:
                        var targets = CellReader.Numbers(target);
                        if (perStepTargets)
                        {
                            if (targets.Length % steps != 0)
                                throw new FormatException($"{targets.Length} values are not the same number per step for {steps} steps");
                            var k = targets.Length / steps;
                            targetWidth = targetWidth == 0 ? k : k == targetWidth ? k
                                : throw new FormatException($"{k} values per step; the rows before have {targetWidth}");
                        }
                        else
                        {
                            targetWidth = targetWidth == 0 ? targets.Length : targets.Length == targetWidth ? targetWidth
                                : throw new FormatException($"{targets.Length} values; the rows before have {targetWidth} (regression needs the same number in every row)");
                        }
                        values.Add(targets);
                        break;
                    default:
                        var label = CellReader.Label(target);
                        if (known is not null && !known.Contains(label))
                            throw new FormatException($"label '{label}' is not one the model knows ({Names(model!.Labels)})");
                        labels.Add(label);
                        break;
                }
            }
            catch (FormatException e)
            {
                throw row.CellError(target, e.Message);
            }
        }
        if (inputColumn is null)
            throw new InvalidDataException($"{path}: no rows.");
        if (model is not null && task == SequenceTask.Regression && targetWidth != model.ValueCount)
            throw new InvalidDataException($"{path}: the targets have {targetWidth} values{(perStepTargets ? " per step" : "")}; the model predicts {model.ValueCount}.");

        var data = (inputKind, task) switch
        {
            (SequenceInputKindOfData.Text, _) => SequenceData.FromTexts(texts, targetColumn is null ? null : labels),
            (SequenceInputKindOfData.TokenIds, SequenceTask.Tagging) => SequenceData.ForTagging(tokens, tags),
            (SequenceInputKindOfData.TokenIds, _) => SequenceData.FromTokenIds(tokens, labels),
            (_, SequenceTask.Tagging) => SequenceData.ForTagging(features, width, tags),
            (_, SequenceTask.Regression) => SequenceData.ForRegression(features, width, values, perStepTargets),
            _ => SequenceData.FromFeatures(features, width, labels),
        };
        return new LabelledData(data, inputColumn, inputKind, targetColumn);
    }

    /// <summary>A character language model's corpus: its rows with the line break after each, which the model learns
    /// to predict (a word model's tokenizer drops line breaks, so its rows are kept as they are).</summary>
    public static LabelledData AsCharacterCorpus(LabelledData read) =>
        read with { Data = SequenceData.FromTexts(read.Data.Texts!.Select(t => t + "\n").ToArray()) };

    // What each task can read; the library would refuse the rest later with less to go on.
    private static void Check(SequenceTask task, SequenceInputKindOfData input, bool perStepTargets)
    {
        if (task == SequenceTask.LanguageModel && input != SequenceInputKindOfData.Text)
            throw new ArgumentException("A language model (--task lm) trains on text: name a text column (--text-column).");
        if (task == SequenceTask.Regression && input != SequenceInputKindOfData.Dense)
            throw new ArgumentException("Regression reads numeric sequences: name one with --sequence-column.");
        if (task == SequenceTask.Tagging && input == SequenceInputKindOfData.Text)
            throw new ArgumentException("Tagging needs a label per step of token ids (--tokens-column) or of a numeric sequence (--sequence-column), not raw text.");
        if (perStepTargets && task != SequenceTask.Regression)
            throw new ArgumentException("--per-step applies to regression only.");
    }

    private static string Names(IReadOnlyList<string> labels) =>
        string.Join(", ", labels.Take(20)) + (labels.Count > 20 ? ", ..." : "");
}
