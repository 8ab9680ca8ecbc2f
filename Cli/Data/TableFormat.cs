namespace MlNetRnn.Cli.Data;

/// <summary>The file formats the commands read rows from.</summary>
internal enum TableFormat
{
    /// <summary>Comma-separated values with a header row (RFC 4180 quoting).</summary>
    Csv,

    /// <summary>Tab-separated values with a header row (the same quoting).</summary>
    Tsv,

    /// <summary>One JSON object per line; its properties are the columns.</summary>
    JsonLines,

    /// <summary>Plain text: every line is a row with one column, "text" (a corpus for a language model).</summary>
    Text,
}

internal static class TableFormats
{
    public const string Names = "csv, tsv, jsonl or text";

    /// <summary>The format named by --format, else the one the file's extension says (.csv, .tsv/.tab,
    /// .jsonl/.json/.ndjson, .txt); other extensions are read as CSV.</summary>
    public static TableFormat Of(string path, string? name) => name?.ToLowerInvariant() switch
    {
        null => Path.GetExtension(path).ToLowerInvariant() switch
        {
            ".tsv" or ".tab" => TableFormat.Tsv,
            ".jsonl" or ".json" or ".ndjson" => TableFormat.JsonLines,
            ".txt" => TableFormat.Text,
            _ => TableFormat.Csv,
        },
        "csv" => TableFormat.Csv,
        "tsv" => TableFormat.Tsv,
        "jsonl" or "json" or "ndjson" => TableFormat.JsonLines,
        "text" or "txt" => TableFormat.Text,
        var other => throw new ArgumentException($"--format '{other}': expected {Names}."),
    };
}
