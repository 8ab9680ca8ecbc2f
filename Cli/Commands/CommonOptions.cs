using System.CommandLine;
using MlNetRnn.Cli.Data;

namespace MlNetRnn.Cli.Commands;

/// <summary>Options that several commands share, and range checks that turn a bad value into a parse error.</summary>
internal static class CommonOptions
{
    /// <summary>The most kernel or ONNX Runtime threads a command accepts.</summary>
    public const int MaxThreads = 256;

    public static Option<string?> Format() => new("--format")
    {
        Description = $"The data file's format: {TableFormats.Names} (default: from its extension: .csv, .tsv, .jsonl/.json, .txt).",
    };

    /// <summary>--threads N in [<paramref name="min"/>, <see cref="MaxThreads"/>].</summary>
    public static Option<int> Threads(string description, int defaultValue, int min = 1) =>
        InRange(new Option<int>("--threads") { Description = description, DefaultValueFactory = _ => defaultValue }, min, MaxThreads);

    public static Option<int> InRange(Option<int> option, int min, int max)
    {
        option.Validators.Add(result =>
        {
            if (!TryGet(result, out int value))
                return;
            if (value < min || value > max)
                result.AddError(max == int.MaxValue ? $"{option.Name} must be {min} or more, got {value}." : $"{option.Name} must be {min} to {max}, got {value}.");
        });
        return option;
    }

    /// <summary>An optional int option: when given, in [<paramref name="min"/>, <paramref name="max"/>].</summary>
    public static Option<int?> InRange(Option<int?> option, int min, int max)
    {
        option.Validators.Add(result =>
        {
            if (TryGet(result, out int? value) && value is { } v && (v < min || v > max))
                result.AddError($"{option.Name} must be {min} to {max}, got {value}.");
        });
        return option;
    }

    /// <summary>A float option in [min, max) (or [min, max] with <paramref name="includeMax"/>); NaN is refused.</summary>
    public static Option<float> InRange(Option<float> option, float min, float max, bool includeMin = true, bool includeMax = false)
    {
        option.Validators.Add(result =>
        {
            if (!TryGet(result, out float value))
                return;
            var ok = (includeMin ? value >= min : value > min) && (includeMax ? value <= max : value < max);
            if (!ok)
                result.AddError($"{option.Name} must be in {(includeMin ? "[" : "(")}{min}, {(float.IsPositiveInfinity(max) ? "infinity" : max.ToString(System.Globalization.CultureInfo.InvariantCulture))}{(includeMax ? "]" : ")")}, got {value}.");
        });
        return option;
    }

    // The option's value, or false when its text is not a number (the parser reports that error itself).
    private static bool TryGet<T>(System.CommandLine.Parsing.OptionResult result, out T value)
    {
        try
        {
            value = result.GetValueOrDefault<T>();
            return true;
        }
        catch (InvalidOperationException)
        {
            value = default!;
            return false;
        }
    }

    /// <summary>An option with a fixed set of lower-case values.</summary>
    public static Option<string> OneOf(string name, string description, string defaultValue, params string[] values)
    {
        var option = new Option<string>(name) { Description = $"{description}.", DefaultValueFactory = _ => defaultValue };
        option.AcceptOnlyFromAmong(values);
        return option;
    }

    /// <summary>The file must exist: a clear error before anything else runs.</summary>
    public static string ExistingFile(string path, string what)
    {
        if (Directory.Exists(path))
            throw new FileNotFoundException($"{what} '{path}' is a folder, not a file.", path);
        return File.Exists(path) ? path : throw new FileNotFoundException($"No {what} at '{path}'.", path);
    }
}

/// <summary>The column options of a data file: which column holds the input, which the target.</summary>
internal sealed class ColumnOptions
{
    public Option<string?> Text { get; } = new("--text-column") { Description = "The column with the text (default: 'text')." };

    public Option<string?> Sequence { get; } = new("--sequence-column")
    {
        Description = "The column with a numeric sequence: a JSON array of numbers or of arrays (one per step), or in CSV/TSV numbers " +
                      "separated by spaces or commas, steps by semicolons ('0.1 0.2; 0.3 0.4') (default: 'sequence').",
    };

    public Option<string?> Tokens { get; } = new("--tokens-column") { Description = "The column with token ids: a JSON array or integers separated by spaces (default: 'tokens')." };

    public Option<string?> Label { get; } = new("--label-column")
    {
        Description = "The column with the target: a class label, regression values, or a tag per step (tagging) (default: 'label'; tagging: 'tags').",
    };

    public Option<int> FeatureWidth { get; } = CommonOptions.InRange(new Option<int>("--feature-width")
    {
        Description = "Values per step of a numeric sequence written as one flat list (default: the length of a step, or 1).",
    }, 0, int.MaxValue);

    public IEnumerable<Option> All(bool withTarget) => withTarget ? [Text, Sequence, Tokens, Label, FeatureWidth] : [Text, Sequence, Tokens];

    public DataColumns Read(ParseResult result, bool withTarget) => new()
    {
        Text = result.GetValue(Text),
        Sequence = result.GetValue(Sequence),
        Tokens = result.GetValue(Tokens),
        Label = withTarget ? result.GetValue(Label) : null,
        FeatureWidth = withTarget ? result.GetValue(FeatureWidth) : 0,
    };
}
