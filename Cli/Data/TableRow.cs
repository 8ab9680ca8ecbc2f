using System.Text.Json;

namespace MlNetRnn.Cli.Data;

/// <summary>
/// A row of a table file: where it starts in the file (1-based line, as an editor shows it) and its cells by column
/// name, or why it could not be read (a JSON syntax error, a CSV row with the wrong number of fields).
/// </summary>
internal sealed class TableRow
{
    private readonly IReadOnlyList<string>? _header;
    private readonly List<string>? _fields;
    private readonly JsonElement _object;

    private TableRow(string path, int line, IReadOnlyList<string>? header = null, List<string>? fields = null, JsonElement value = default)
    {
        Path = path;
        Line = line;
        _header = header;
        _fields = fields;
        _object = value;
    }

    public string Path { get; }

    /// <summary>1-based line of the file where the row starts (a CSV header is line 1).</summary>
    public int Line { get; }

    /// <summary>Why the row could not be read; null when it was.</summary>
    public string? Error { get; private init; }

    /// <summary>The row is from a file with a header row (CSV, TSV, text), whose columns every row has.</summary>
    public bool HasHeader => _header is not null;

    /// <summary>The column names: the header's, or the JSON object's property names.</summary>
    public IReadOnlyList<string> Columns => _header ?? (_object.ValueKind == JsonValueKind.Object
        ? _object.EnumerateObject().Select(p => p.Name).ToArray() : []);

    public static TableRow Delimited(string path, int line, IReadOnlyList<string> header, List<string> fields) =>
        new(path, line, header, fields)
        {
            Error = fields.Count == header.Count ? null
                : $"the row has {fields.Count} fields, the header {header.Count} (a field that holds the separator or a line break needs double quotes)",
        };

    public static TableRow FromJson(string path, int line, JsonElement value) =>
        new(path, line, value: value)
        {
            Error = value.ValueKind == JsonValueKind.Object ? null : $"expected a JSON object, got {value.ValueKind.ToString().ToLowerInvariant()}",
        };

    public static TableRow Failed(string path, int line, string error) => new(path, line) { Error = error };

    public bool Has(string column) => _header is not null ? IndexOf(_header, column) >= 0 : Property(column, out _);

    /// <summary>The cell of <paramref name="column"/>; a missing one is an error that names the line and the column.</summary>
    public TableCell Cell(string column)
    {
        if (Error is not null)
            throw new InvalidDataException($"{Path}:{Line}: {Error}.");
        if (_header is not null)
        {
            var index = IndexOf(_header, column);
            return index < 0
                ? throw new InvalidDataException($"{Path}:{Line}: no column '{column}'; the columns are {string.Join(", ", _header)}.")
                : new TableCell(column, index + 1, _fields![index], default);
        }
        if (!Property(column, out var value) || value.ValueKind == JsonValueKind.Null)
            throw new InvalidDataException($"{Path}:{Line}: no \"{column}\" in this object (it has {string.Join(", ", Columns.Select(c => $"\"{c}\""))}).");
        return new TableCell(column, 0, null, value);
    }

    /// <summary>An error about one of this row's cells: "file:line: column 'x' (field 2): message".</summary>
    public InvalidDataException CellError(TableCell cell, string message) => new($"{Path}:{Line}: {cell.Describe()}: {message}");

    // The JSON object's property of that name: exactly, else ignoring case.
    private bool Property(string name, out JsonElement value)
    {
        value = default;
        if (_object.ValueKind != JsonValueKind.Object)
            return false;
        if (_object.TryGetProperty(name, out value))
            return true;
        foreach (var property in _object.EnumerateObject())
        {
            if (property.Name.Equals(name, StringComparison.OrdinalIgnoreCase))
            {
                value = property.Value;
                return true;
            }
        }
        return false;
    }

    // The header's column of that name: exactly, else ignoring case ("Text" for "text").
    private static int IndexOf(IReadOnlyList<string> header, string column)
    {
        for (var i = 0; i < header.Count; i++)
        {
            if (header[i] == column)
                return i;
        }
        for (var i = 0; i < header.Count; i++)
        {
            if (header[i].Equals(column, StringComparison.OrdinalIgnoreCase))
                return i;
        }
        return -1;
    }
}
