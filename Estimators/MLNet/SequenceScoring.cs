namespace MlNetRnn.MLNet;

/// <summary>One row through the model the row carries, filling ML.NET's output columns.</summary>
internal static class SequenceScoring
{
    public readonly record struct Row(SequenceModel Model, SequenceData Data);

    /// <summary>Token keys are 1-based with 0 for a missing token, which is the model's padding id: the key is the id.
    /// An empty sequence scores as one padding step; a long one is truncated as in training.</summary>
    public static Row FromKeys(ReadOnlyMemory<char> blob, uint[] keys)
    {
        var model = ModelBlob.Decode(blob);
        var ids = keys.Length == 0 ? new int[1] : new int[keys.Length];
        for (var i = 0; i < keys.Length; i++)
            ids[i] = (int)keys[i];
        return new Row(model, SequenceData.FromTokenIds([ColumnReader.Truncate(ids, model.Options.Text)]));
    }

    /// <summary>T steps of the model's feature width; an empty sequence scores as one zero step.</summary>
    public static Row FromValues(ReadOnlyMemory<char> blob, float[] values)
    {
        var model = ModelBlob.Decode(blob);
        var width = model.Schema.FeatureWidth;
        if (values.Length % width != 0)
            throw new InvalidOperationException($"The sequence has {values.Length} values, not a multiple of the model's feature width {width}.");
        return new Row(model, SequenceData.FromFeatures([values.Length == 0 ? new float[width] : values], width));
    }

    public static void Binary(Row row, BinaryOutput output)
    {
        var p = row.Model.Predict(row.Data)[0];
        output.Score = p.Score;
        output.Probability = p.Probability;
        output.PredictedLabel = p.Probability >= 0.5f;
    }

    public static void Multiclass(Row row, PaddedOutput output)
    {
        var p = row.Model.Predict(row.Data)[0];
        output.Scores = Pad(p.Probabilities!, ColumnNames.MaximumOutputs);
        output.Predicted = p.PredictedLabel ?? "";
        output.Score = p.Score;
    }

    public static void Regression(Row row, PaddedOutput output)
    {
        var p = row.Model.Predict(row.Data)[0];
        output.Scores = Pad(p.Values!, ColumnNames.MaximumOutputs);
        output.Score = p.Values![0];
        output.Predicted = "";
    }

    public static void Encode(Row row, EncodingOutput output) =>
        output.Encoding = Pad(row.Model.Encode(row.Data)[0], ColumnNames.MaximumEncoding);

    private static float[] Pad(float[] values, int size)
    {
        var padded = new float[size];
        values.AsSpan(0, Math.Min(values.Length, size)).CopyTo(padded);
        return padded;
    }
}
