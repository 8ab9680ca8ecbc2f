namespace MlNetRnn.Cli.Data;

/// <summary>
/// Which columns of a data file hold the input and the target: the options --text-column, --sequence-column,
/// --tokens-column, --label-column and --feature-width. An input column not named is found by its default name
/// ("text", "sequence" or "tokens").
/// </summary>
internal sealed record DataColumns
{
    public const string DefaultText = "text";
    public const string DefaultSequence = "sequence";
    public const string DefaultTokens = "tokens";
    public const string DefaultLabel = "label";
    public const string DefaultTags = "tags";

    public string? Text { get; init; }

    public string? Sequence { get; init; }

    public string? Tokens { get; init; }

    /// <summary>The target: a class label, regression values or, for tagging, a label per step.</summary>
    public string? Label { get; init; }

    /// <summary>Values per step of a numeric sequence; 0 = from the data (a step's length, or 1 for a flat list).</summary>
    public int FeatureWidth { get; init; }

    /// <summary>The input column and its kind: the one named, else the first of "text", "sequence", "tokens" that the
    /// file has (or, with <paramref name="expected"/>, the default name of that kind, or the only column of a file with a
    /// header).</summary>
    public (string Column, SequenceInputKindOfData Kind) Input(TableRow row, SequenceInputKindOfData? expected)
    {
        var (columns, path) = (row.Columns, row.Path);
        var named = new List<(string Column, SequenceInputKindOfData Kind)>();
        if (Text is not null)
            named.Add((Text, SequenceInputKindOfData.Text));
        if (Sequence is not null)
            named.Add((Sequence, SequenceInputKindOfData.Dense));
        if (Tokens is not null)
            named.Add((Tokens, SequenceInputKindOfData.TokenIds));
        if (named.Count > 1)
            throw new ArgumentException("Name one input column: --text-column, --sequence-column or --tokens-column.");
        if (named.Count == 1)
        {
            var (column, kind) = named[0];
            if (expected is { } e && e != kind)
                throw new ArgumentException($"The model reads {Describe(e)}; --{Option(kind)} names {Describe(kind)}. Use --{Option(e)}.");
            return expected is not null && !row.HasHeader ? (column, kind) : RequireColumn(column, kind, columns, path);
        }
        if (expected is { } only)
        {
            // JSON lines name their columns row by row: a row without this one is that row's error, not the file's.
            var name = DefaultName(only);
            if (!row.HasHeader)
                return (name, only);
            if (Has(columns, name) || columns.Count != 1)
                return RequireColumn(name, only, columns, path);
            return (columns[0], only);   // a file with one column: that is the input
        }
        foreach (var kind in new[] { SequenceInputKindOfData.Text, SequenceInputKindOfData.Dense, SequenceInputKindOfData.TokenIds })
        {
            if (Has(columns, DefaultName(kind)))
                return (DefaultName(kind), kind);
        }
        throw new ArgumentException($"{path}: no input column: name it with --text-column, --sequence-column or --tokens-column " +
                                    $"(or call it text, sequence or tokens); the columns are {List(columns)}.");
    }

    /// <summary>The target column: the one named, else "label" ("tags" for tagging, "label" if the file has no "tags").</summary>
    public string Target(SequenceTask task, IReadOnlyList<string> columns, string path)
    {
        var name = Label ?? (task == SequenceTask.Tagging && !Has(columns, DefaultLabel) ? DefaultTags : DefaultLabel);
        return Has(columns, name) ? name : throw new ArgumentException(
            $"{path}: no column '{name}' for the {(task == SequenceTask.Tagging ? "tags" : task == SequenceTask.Regression ? "targets" : "labels")}" +
            $"{(Label is null ? " (name it with --label-column)" : "")}; the columns are {List(columns)}.");
    }

    public static string DefaultName(SequenceInputKindOfData kind) => kind switch
    {
        SequenceInputKindOfData.Text => DefaultText,
        SequenceInputKindOfData.Dense => DefaultSequence,
        _ => DefaultTokens,
    };

    public static string Describe(SequenceInputKindOfData kind) => kind switch
    {
        SequenceInputKindOfData.Text => "text",
        SequenceInputKindOfData.Dense => "numeric sequences",
        _ => "token ids",
    };

    private static string Option(SequenceInputKindOfData kind) => kind switch
    {
        SequenceInputKindOfData.Text => "text-column",
        SequenceInputKindOfData.Dense => "sequence-column",
        _ => "tokens-column",
    };

    private static (string, SequenceInputKindOfData) RequireColumn(string column, SequenceInputKindOfData kind, IReadOnlyList<string> columns, string path) =>
        Has(columns, column)
            ? (column, kind)
            : throw new ArgumentException($"{path}: no column '{column}' for the {Describe(kind)}; the columns are {List(columns)}.");

    /// <summary>Whether the file has the column, by its exact name or ignoring case (as <see cref="TableRow"/> finds it).</summary>
    public static bool Has(IReadOnlyList<string> columns, string column) =>
        columns.Any(c => c.Equals(column, StringComparison.OrdinalIgnoreCase));

    private static string List(IReadOnlyList<string> columns) => columns.Count == 0 ? "(none)" : string.Join(", ", columns);
}
