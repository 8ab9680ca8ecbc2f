using System.Text;
using System.Text.Json;

namespace MlNetRnn.Cli.Data;

/// <summary>
/// Reads the rows of a CSV, TSV, JSON-lines or text file one at a time, never the whole file at once. Blank lines
/// are skipped (their line numbers still count). A row that cannot be read comes back with its error, so that a caller
/// can reject it and go on (predict) or stop there (train). A row longer than <see cref="MaxRowCharacters"/> stops the
/// file with an <see cref="InvalidDataException"/> naming its line (the reader cannot tell where the next row starts,
/// and it is not data: /dev/zero, a binary file, a quote never closed); so a row never holds more than that in memory.
/// </summary>
internal static class TableReader
{
    /// <summary>The most characters a row (a line; a CSV/TSV record with its quoted line breaks) may hold: 8 Mi.</summary>
    public const int MaxRowCharacters = 8 << 20;

    /// <summary>The column of a <see cref="TableFormat.Text"/> file.</summary>
    public const string TextColumn = "text";

    public static IEnumerable<TableRow> Read(string path, TableFormat format)
    {
        if (!File.Exists(path))
            throw new FileNotFoundException(Directory.Exists(path) ? $"'{path}' is a folder; expected a data file." : $"No data file at '{path}'.", path);
        return format switch
        {
            TableFormat.JsonLines => ReadJsonLines(path),
            TableFormat.Text => ReadText(path),
            _ => ReadDelimited(path, format == TableFormat.Tsv ? '\t' : ','),
        };
    }

    /// <summary>The column names of a file: its header (CSV, TSV), "text" (text), or the first object's properties.</summary>
    public static IReadOnlyList<string> Columns(string path, TableFormat format) =>
        format == TableFormat.Text ? [TextColumn] : Read(path, format).FirstOrDefault(r => r.Error is null)?.Columns ?? [];

    private static IEnumerable<TableRow> ReadJsonLines(string path)
    {
        using var reader = new StreamReader(path, Encoding.UTF8);
        var number = 0;
        while (ReadLine(reader, path, number + 1) is { } line)
        {
            number++;
            if (string.IsNullOrWhiteSpace(line))
                continue;
            TableRow row;
            try
            {
                using var document = JsonDocument.Parse(line);
                row = Decodes(document.RootElement)
                    ? TableRow.FromJson(path, number, document.RootElement.Clone())
                    : TableRow.Failed(path, number, "a string or property name holds an escaped lone UTF-16 surrogate (\\ud800 to \\udfff without its pair), which is not text");
            }
            catch (JsonException e)
            {
                row = TableRow.Failed(path, number, $"not valid JSON at character {e.BytePositionInLine + 1}");
            }
            yield return row;
        }
    }

    /// <summary>Whether every string and property name of a JSON value decodes: "\\udc00" parses, and only reading
    /// the string throws (found by the input fuzz campaign).</summary>
    private static bool Decodes(JsonElement value)
    {
        try
        {
            return Walk(value);
        }
        catch (InvalidOperationException)
        {
            return false;
        }

        static bool Walk(JsonElement e) => e.ValueKind switch
        {
            JsonValueKind.String => e.GetString() is not null,
            JsonValueKind.Array => e.EnumerateArray().All(Walk),
            JsonValueKind.Object => e.EnumerateObject().All(p => p.Name is not null && Walk(p.Value)),
            _ => true,
        };
    }

    private static IEnumerable<TableRow> ReadText(string path)
    {
        using var reader = new StreamReader(path, Encoding.UTF8);
        string[] header = [TextColumn];
        var number = 0;
        while (ReadLine(reader, path, number + 1) is { } line)
        {
            number++;
            if (line.Length > 0)
                yield return TableRow.Delimited(path, number, header, [line]);
        }
    }

    private static IEnumerable<TableRow> ReadDelimited(string path, char separator)
    {
        using var reader = new StreamReader(path, Encoding.UTF8);
        var records = new DelimitedRecordReader(reader, separator, MaxRowCharacters, line => TooLong(path, line));
        var header = records.Next() ?? throw new InvalidDataException($"{path}: the file is empty; expected a header row (the column names).");
        if (header.Error is not null)
            throw new InvalidDataException($"{path}:{header.Line}: the header row: {header.Error}.");
        var names = header.Fields.Select(f => f.Trim()).ToArray();
        var duplicate = names.GroupBy(n => n, StringComparer.Ordinal).FirstOrDefault(g => g.Count() > 1);
        if (duplicate is not null)
            throw new InvalidDataException($"{path}:1: the header names column '{duplicate.Key}' twice.");
        while (records.Next() is { } record)
        {
            if (record.Blank)
                continue;
            yield return record.Error is null
                ? TableRow.Delimited(path, record.Line, names, record.Fields)
                : TableRow.Failed(path, record.Line, record.Error);
        }
    }

    /// <summary>A line as <see cref="TextReader.ReadLine"/> reads it (ended by \n, \r or \r\n), at most
    /// <see cref="MaxRowCharacters"/> characters; null at the end of the file.</summary>
    private static string? ReadLine(TextReader reader, string path, int number)
    {
        var line = new StringBuilder();
        while (true)
        {
            var c = reader.Read();
            if (c < 0)
                return line.Length == 0 ? null : line.ToString();
            if (c == '\n')
                return line.ToString();
            if (c == '\r')
            {
                if (reader.Peek() == '\n')
                    reader.Read();
                return line.ToString();
            }
            if (line.Length == MaxRowCharacters)
                throw TooLong(path, number);
            line.Append((char)c);
        }
    }

    private static InvalidDataException TooLong(string path, int line) =>
        new($"{path}:{line}: the row is longer than {MaxRowCharacters:N0} characters, the most a row may hold; is this a data file (a quote never closed)?");
}
