using System.Text.Json;

namespace MlNetRnn.Cli.Data;

/// <summary>One field of a row: the text of a CSV/TSV field, or the value of a JSON property.</summary>
internal readonly record struct TableCell(string Column, int Field, string? Text, JsonElement Json)
{
    public bool IsJson => Text is null;

    /// <summary>How an error names the cell: "column 'label' (field 3)" or "\"label\"".</summary>
    public string Describe() => IsJson ? $"\"{Column}\"" : $"column '{Column}' (field {Field})";
}
