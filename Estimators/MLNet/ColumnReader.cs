using Microsoft.ML;
using Microsoft.ML.Data;
using MlNetRnn.Network;

namespace MlNetRnn.MLNet;

/// <summary>
/// Reads the feature and label columns of an IDataView into a <see cref="SequenceData"/>, checking their types with
/// ML.NET-style messages: the column, the expected type and the actual type.
/// </summary>
internal static class ColumnReader
{
    public sealed record Result(SequenceData Data, IReadOnlyList<string> ClassLabels, int VocabularySize, int FeatureWidth, int SkippedRows);

    /// <summary>Checks the feature column and returns its kind: keys (token ids) or Single values.</summary>
    public static bool IsTokenColumn(DataViewSchema schema, string column)
    {
        var type = Column(schema, column).Type;
        if (type is VectorDataViewType { ItemType: KeyDataViewType })
            return true;
        if (type is VectorDataViewType { ItemType: var item } && item == NumberDataViewType.Single)
            return false;
        throw new ArgumentOutOfRangeException(column, $"Schema mismatch for feature column '{column}': expected a vector of keys (TokenizeIntoWords + MapValueToKey) or a vector of Single, got {type}.");
    }

    public static DataViewSchema.Column Column(DataViewSchema schema, string name) =>
        schema.GetColumnOrNull(name) ?? throw new ArgumentOutOfRangeException(name, $"Could not find input column '{name}'.");

    public static Result Read(IDataView data, SequenceTask task, SequenceTrainerOptions options)
    {
        var schema = data.Schema;
        var featureColumn = Column(schema, options.FeatureColumnName);
        var tokens = IsTokenColumn(schema, options.FeatureColumnName);
        var labelColumn = Column(schema, options.LabelColumnName);
        var labelType = labelColumn.Type;
        IReadOnlyList<string> classLabels = [];
        switch (task)
        {
            case SequenceTask.BinaryClassification when labelType != BooleanDataViewType.Instance:
                throw new ArgumentOutOfRangeException(options.LabelColumnName, $"Schema mismatch for label column '{options.LabelColumnName}': expected Boolean, got {labelType}.");
            case SequenceTask.MulticlassClassification when labelType is not KeyDataViewType:
                throw new ArgumentOutOfRangeException(options.LabelColumnName, $"Schema mismatch for label column '{options.LabelColumnName}': expected a key (use MapValueToKey), got {labelType}.");
            case SequenceTask.MulticlassClassification:
                classLabels = KeyNames(labelColumn);
                break;
            case SequenceTask.Regression when !(labelType == NumberDataViewType.Single || labelType is VectorDataViewType { IsKnownSize: true, ItemType: var item } && item == NumberDataViewType.Single):
                throw new ArgumentOutOfRangeException(options.LabelColumnName, $"Schema mismatch for label column '{options.LabelColumnName}': expected Single or a known-size vector of Single, got {labelType}.");
        }

        var width = tokens ? 1 : options.FeatureWidth > 0 ? options.FeatureWidth : 1;
        var vocabulary = tokens ? checked((int)((KeyDataViewType)((VectorDataViewType)featureColumn.Type).ItemType).Count + 1) : 0;
        var tokenRows = new List<int[]>();
        var denseRows = new List<float[]>();
        var labels = new List<string>();
        var values = new List<float[]>();
        var skipped = 0;
        using var cursor = data.GetRowCursor([featureColumn, labelColumn]);
        var keys = default(VBuffer<uint>);
        var floats = default(VBuffer<float>);
        var keyGetter = tokens ? cursor.GetGetter<VBuffer<uint>>(featureColumn) : null;
        var floatGetter = tokens ? null : cursor.GetGetter<VBuffer<float>>(featureColumn);
        var boolLabel = task == SequenceTask.BinaryClassification ? cursor.GetGetter<bool>(labelColumn) : null;
        var keyLabel = task == SequenceTask.MulticlassClassification ? cursor.GetGetter<uint>(labelColumn) : null;
        var floatLabel = task == SequenceTask.Regression && labelType == NumberDataViewType.Single ? cursor.GetGetter<float>(labelColumn) : null;
        var vectorLabel = task == SequenceTask.Regression && labelType is VectorDataViewType ? cursor.GetGetter<VBuffer<float>>(labelColumn) : null;
        var labelVector = default(VBuffer<float>);
        long row = 0;
        while (cursor.MoveNext())
        {
            row++;
            int length;
            if (keyGetter is not null)
            {
                keyGetter(ref keys);
                length = keys.Length;
            }
            else
            {
                floatGetter!(ref floats);
                length = floats.Length;
                if (length % width != 0)
                    throw new InvalidOperationException($"Row {row} of column '{options.FeatureColumnName}' has {length} values, not a multiple of the feature width {width} (expected T*{width}).");
            }
            string label = "";
            float[]? target = null;
            if (boolLabel is not null)
            {
                var b = false;
                boolLabel(ref b);
                label = SequenceData.BinaryLabel(b);
            }
            else if (keyLabel is not null)
            {
                uint k = 0;
                keyLabel(ref k);
                if (k == 0)
                {
                    skipped++;
                    continue;
                }
                label = classLabels[(int)k - 1];
            }
            else if (floatLabel is not null)
            {
                float v = 0;
                floatLabel(ref v);
                target = [v];
            }
            else
            {
                vectorLabel!(ref labelVector);
                target = labelVector.DenseValues().ToArray();
            }
            if (length == 0 || (target is not null && target.Any(v => !float.IsFinite(v))))
            {
                skipped++;
                continue;
            }
            if (keyGetter is not null)
            {
                var ids = new int[length];
                var dense = keys.DenseValues().GetEnumerator();
                for (var i = 0; dense.MoveNext(); i++)
                    ids[i] = (int)dense.Current;
                tokenRows.Add(Truncate(ids, options.Model.Text));
            }
            else
            {
                var sequence = floats.DenseValues().ToArray();
                if (sequence.Any(v => !float.IsFinite(v)))
                {
                    skipped++;
                    continue;
                }
                denseRows.Add(sequence);
            }
            labels.Add(label);
            if (target is not null)
                values.Add(target);
        }

        SequenceData result = task == SequenceTask.Regression
            ? SequenceData.ForRegression(tokens ? throw new ArgumentOutOfRangeException(options.FeatureColumnName, "Regression here reads dense sequences (a vector of Single)." ) : denseRows, width, values)
            : tokens ? SequenceData.FromTokenIds(tokenRows, labels) : SequenceData.FromFeatures(denseRows, width, labels);
        return new Result(result, classLabels, vocabulary, width, skipped);
    }

    /// <summary>Token sequences are cut to the model's Text.MaxLength (0 = no limit) on its Text.Truncation side, in
    /// training and in scoring alike, as the text featurizer does for raw text.</summary>
    public static int[] Truncate(int[] ids, TextFeaturizerOptions text)
    {
        if (text.MaxLength == 0 || ids.Length <= text.MaxLength)
            return ids;
        return text.Truncation == TruncationSide.KeepStart
            ? ids[..text.MaxLength]
            : ids[^text.MaxLength..];
    }

    /// <summary>The names of a key column's values (its KeyValues annotation), or "1".."K".</summary>
    public static IReadOnlyList<string> KeyNames(DataViewSchema.Column column)
    {
        var count = checked((int)((KeyDataViewType)column.Type).Count);
        if (column.Annotations.Schema.GetColumnOrNull("KeyValues") is { } annotation &&
            annotation.Type is VectorDataViewType { ItemType: TextDataViewType })
        {
            var names = default(VBuffer<ReadOnlyMemory<char>>);
            column.GetKeyValues(ref names);
            var list = names.DenseValues().Select(n => n.ToString()).ToList();
            if (list.Count == count && list.Distinct(StringComparer.Ordinal).Count() == count)
                return list;
        }
        return Enumerable.Range(1, count).Select(k => k.ToString(System.Globalization.CultureInfo.InvariantCulture)).ToList();
    }
}
