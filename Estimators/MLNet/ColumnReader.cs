using Microsoft.ML;
using Microsoft.ML.Data;
using MlNetRnn.Network;

namespace MlNetRnn.MLNet;

/// <summary>
/// Reads the feature and label columns of an IDataView into a <see cref="SequenceData"/>, after
/// <see cref="SchemaCheck"/> has accepted them.
/// </summary>
internal static class ColumnReader
{
    public sealed record Result(SequenceData Data, IReadOnlyList<string> ClassLabels, int VocabularySize, int FeatureWidth, int SkippedRows);

    /// <summary>Rows read between two looks at the MLContext's cancellation.</summary>
    private const int RowsPerCancellationCheck = 1024;

    /// <param name="ml">Builds the key conversion (an ML.NET transform; it logs nothing the caller needs).</param>
    /// <param name="throwIfCanceled">Called every <see cref="RowsPerCancellationCheck"/> rows.</param>
    public static Result Read(MLContext ml, IDataView data, SequenceTask task, string featureName, string labelName,
        int featureWidth, TextFeaturizerOptions text, Action throwIfCanceled)
    {
        var schema = data.Schema;
        var tokens = SchemaCheck.Features(ColumnShape.Find(schema, featureName), featureName, task);
        SchemaCheck.Label(ColumnShape.Find(schema, labelName), labelName, task);

        // Keys of every raw type (Byte, UInt16, UInt32, UInt64) become UInt32 keys through ML.NET's own ConvertType,
        // the conversion the scoring chain applies as well, so training and scoring read the same ids.
        var keyColumns = new List<InputOutputColumnPair>();
        if (tokens)
            keyColumns.Add(new InputOutputColumnPair(ColumnNames.Input, featureName));
        if (task == SequenceTask.MulticlassClassification)
            keyColumns.Add(new InputOutputColumnPair(ColumnNames.Label, labelName));
        var view = keyColumns.Count == 0
            ? data
            : ml.Transforms.Conversion.ConvertType([.. keyColumns], DataKind.UInt32).Fit(data).Transform(data);
        var featureColumn = view.Schema[tokens ? ColumnNames.Input : featureName];
        var labelColumn = view.Schema[task == SequenceTask.MulticlassClassification ? ColumnNames.Label : labelName];
        var labelType = labelColumn.Type;
        IReadOnlyList<string> classLabels = task == SequenceTask.MulticlassClassification ? KeyNames(schema[labelName]) : [];

        var width = tokens ? 1 : featureWidth > 0 ? featureWidth : 1;
        var vocabulary = tokens ? checked((int)((KeyDataViewType)((VectorDataViewType)featureColumn.Type).ItemType).Count + 1) : 0;
        var tokenRows = new List<int[]>();
        var denseRows = new List<float[]>();
        var labels = new List<string>();
        var values = new List<float[]>();
        var skipped = 0;
        using var cursor = view.GetRowCursor([featureColumn, labelColumn]);
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
            if (row++ % RowsPerCancellationCheck == 0)
                throwIfCanceled();
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
                    throw new InvalidOperationException($"Row {row} of column '{featureName}' has {length} values, not a multiple of the feature width {width} (expected T*{width}).");
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
                tokenRows.Add(Truncate(ids, text));
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
            ? SequenceData.ForRegression(denseRows, width, values)
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

    /// <summary>The names of a key-vector feature column's keys (its KeyValues annotation: MapValueToKey writes the
    /// words), or null where there are none or they repeat.</summary>
    public static IReadOnlyList<string>? FeatureKeyNames(DataViewSchema.Column column)
    {
        if (column.Type is not VectorDataViewType { ItemType: KeyDataViewType keyType } ||
            column.Annotations.Schema.GetColumnOrNull("KeyValues") is not { Type: VectorDataViewType { ItemType: TextDataViewType } })
            return null;
        var names = default(VBuffer<ReadOnlyMemory<char>>);
        column.GetKeyValues(ref names);
        var list = names.DenseValues().Select(n => n.ToString()).ToList();
        return (ulong)list.Count == keyType.Count && list.Distinct(StringComparer.Ordinal).Count() == list.Count ? list : null;
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
