namespace MlNetRnn.Cli.Data;

/// <summary>
/// Reads the inputs of `mlnetrnn predict` one row at a time: the model's kind of input (text, a numeric sequence of its
/// feature width, token ids below its vocabulary size) from the input column. A row that cannot be read or does not
/// fit the model comes back with its error instead of stopping the file.
/// </summary>
internal static class PredictionRowReader
{
    public static IEnumerable<PredictionRow> Read(string path, TableFormat format, SequenceModelSchema schema, DataColumns columns)
    {
        string? column = null;
        foreach (var row in TableReader.Read(path, format))
        {
            if (row.Error is not null)
            {
                yield return new PredictionRow(row.Line, null, null, null, row.Error);
                continue;
            }
            // The first readable row decides the column; a missing input column is an error of the whole command.
            column ??= columns.Input(row, schema.Input).Column;
            yield return ReadRow(row, column, schema);
        }
    }

    private static PredictionRow ReadRow(TableRow row, string column, SequenceModelSchema schema)
    {
        TableCell cell;
        try
        {
            cell = row.Cell(column);
        }
        catch (InvalidDataException e)
        {
            return new PredictionRow(row.Line, null, null, null, WithoutPlace(e.Message, row));
        }
        try
        {
            switch (schema.Input)
            {
                case SequenceInputKindOfData.Text:
                    return new PredictionRow(row.Line, CellReader.Text(cell), null, null, null);
                case SequenceInputKindOfData.TokenIds:
                    var ids = CellReader.TokenIds(cell);
                    var bad = Array.FindIndex(ids, id => id >= schema.VocabularySize);
                    return bad >= 0
                        ? new PredictionRow(row.Line, null, null, null, $"{cell.Describe()}: token id {ids[bad]} is outside the model's vocabulary (0 .. {schema.VocabularySize - 1})")
                        : new PredictionRow(row.Line, null, ids, null, null);
                default:
                    var width = schema.FeatureWidth;
                    return new PredictionRow(row.Line, null, null, CellReader.Sequence(cell, ref width), null);
            }
        }
        catch (FormatException e)
        {
            return new PredictionRow(row.Line, null, null, null, $"{cell.Describe()}: {e.Message}");
        }
    }

    // The row's error without the "file:line: " the command's output already carries as the row number.
    private static string WithoutPlace(string message, TableRow row)
    {
        var prefix = $"{row.Path}:{row.Line}: ";
        return message.StartsWith(prefix, StringComparison.Ordinal) ? message[prefix.Length..] : message;
    }
}
