using System.Globalization;
using System.Text.Json;

namespace MlNetRnn.Cli.Data;

/// <summary>
/// Reads the value of a cell as the column's kind: text, a label, numbers, a numeric sequence, token ids or tags.
/// A JSON cell holds the value itself (a string, a number, an array); a CSV/TSV cell holds text: numbers separated by
/// spaces or commas, steps separated by semicolons ("0.1 0.2; 0.3 0.4" is two steps of two values), or a JSON array.
/// Errors say what was expected and what was found; the caller adds the file, line and column.
/// </summary>
internal static class CellReader
{
    private static readonly char[] ValueSeparators = [' ', '\t', ','];

    public static string Text(TableCell cell) => cell.IsJson
        ? cell.Json.ValueKind == JsonValueKind.String ? cell.Json.GetString()! : throw new FormatException($"expected a string, got {Kind(cell.Json)}")
        : cell.Text!;

    /// <summary>A class label: a string, a number or a boolean (true/false become "True"/"False", the names
    /// SequenceData gives bool labels).</summary>
    public static string Label(TableCell cell)
    {
        var label = cell.IsJson
            ? cell.Json.ValueKind switch
            {
                JsonValueKind.String => cell.Json.GetString()!,
                JsonValueKind.Number => cell.Json.GetRawText(),
                JsonValueKind.True => SequenceData.BinaryLabel(true),
                JsonValueKind.False => SequenceData.BinaryLabel(false),
                _ => throw new FormatException($"expected a label (a string, number or boolean), got {Kind(cell.Json)}"),
            }
            : cell.Text!.Trim();
        return label.Length > 0 ? label : throw new FormatException("the label is empty");
    }

    /// <summary>
    /// A numeric sequence as T*D values, step after step. <paramref name="width"/> is D: 0 when not yet known (then
    /// set from the cell: the length of a step, or 1 for a flat list), else the width the cell must have.
    /// </summary>
    public static float[] Sequence(TableCell cell, ref int width)
    {
        var steps = cell.IsJson ? JsonSteps(cell.Json) : TextSteps(cell.Text!);
        if (steps.Count == 0)
            throw new FormatException("the sequence has no steps");
        if (steps.Count == 1 && steps[0].Flat)
        {
            // A flat list: D values per step when the width is known, else one value per step.
            var values = steps[0].Values;
            var d = width > 0 ? width : 1;
            if (values.Length % d != 0)
                throw new FormatException($"{values.Length} values are not whole steps of {d} (the feature width)");
            width = d;
            return values;
        }
        var stepWidth = steps[0].Values.Length;
        var uneven = steps.FindIndex(s => s.Values.Length != stepWidth);
        if (uneven >= 0)
            throw new FormatException($"step {uneven + 1} has {steps[uneven].Values.Length} values, step 1 has {stepWidth}; every step needs the same number");
        if (width > 0 && stepWidth != width)
            throw new FormatException($"each step has {stepWidth} values; expected {width} (the feature width)");
        width = stepWidth;
        return steps.SelectMany(s => s.Values).ToArray();
    }

    /// <summary>Numbers: one (a regression target) or several, in a JSON number or array or as text.</summary>
    public static float[] Numbers(TableCell cell)
    {
        var width = 0;
        if (cell.IsJson && cell.Json.ValueKind == JsonValueKind.Number)
            return [Number(cell.Json)];
        var values = Sequence(cell, ref width);
        return values;
    }

    /// <summary>Token ids (non-negative integers): a JSON array, or text separated by spaces, commas or semicolons.</summary>
    public static int[] TokenIds(TableCell cell)
    {
        IEnumerable<string> items = cell.IsJson
            ? cell.Json.ValueKind == JsonValueKind.Array
                ? cell.Json.EnumerateArray().Select(e => e.ValueKind == JsonValueKind.Number ? e.GetRawText() : throw new FormatException($"expected token ids (integers), found {Kind(e)}"))
                : throw new FormatException($"expected an array of token ids, got {Kind(cell.Json)}")
            : cell.Text!.Split([.. ValueSeparators, ';'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        var ids = items.Select(item => int.TryParse(item, NumberStyles.Integer, CultureInfo.InvariantCulture, out var id) && id >= 0
            ? id : throw new FormatException($"'{item}' is not a token id (an integer from 0)")).ToArray();
        return ids.Length > 0 ? ids : throw new FormatException("the sequence has no tokens");
    }

    /// <summary>A label per step: a JSON array, or text separated by spaces (or by semicolons, if it has any).</summary>
    public static string[] Tags(TableCell cell)
    {
        string[] tags = cell.IsJson
            ? cell.Json.ValueKind == JsonValueKind.Array
                ? cell.Json.EnumerateArray().Select(e => e.ValueKind switch
                {
                    JsonValueKind.String => e.GetString()!,
                    JsonValueKind.Number => e.GetRawText(),
                    _ => throw new FormatException($"expected tags (strings), found {Kind(e)}"),
                }).ToArray()
                : throw new FormatException($"expected an array of tags, got {Kind(cell.Json)}")
            : cell.Text!.Split(cell.Text.Contains(';') ? [';'] : [' ', '\t'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        return tags.Length > 0 ? tags : throw new FormatException("no tags");
    }

    private readonly record struct Step(float[] Values, bool Flat);

    private static List<Step> JsonSteps(JsonElement value)
    {
        if (value.ValueKind == JsonValueKind.String)
            return TextSteps(value.GetString()!);
        if (value.ValueKind != JsonValueKind.Array)
            throw new FormatException($"expected an array of numbers or of arrays of numbers, got {Kind(value)}");
        if (value.GetArrayLength() == 0)
            return [];
        if (value.EnumerateArray().All(e => e.ValueKind == JsonValueKind.Number))
            return [new Step(value.EnumerateArray().Select(Number).ToArray(), Flat: true)];
        return value.EnumerateArray().Select((step, t) => step.ValueKind == JsonValueKind.Array
            ? new Step(step.EnumerateArray().Select(Number).ToArray(), Flat: false)
            : throw new FormatException($"step {t + 1} is {Kind(step)}; expected numbers, or an array of numbers per step")).ToList();
    }

    private static List<Step> TextSteps(string text)
    {
        var trimmed = text.Trim();
        if (trimmed.StartsWith('['))
        {
            try
            {
                using var document = JsonDocument.Parse(trimmed);
                return JsonSteps(document.RootElement);
            }
            catch (JsonException e)
            {
                throw new FormatException($"not a valid JSON array: {e.Message}");
            }
        }
        if (!trimmed.Contains(';'))
            return trimmed.Length == 0 ? [] : [new Step(Parse(trimmed), Flat: true)];
        var parts = trimmed.Split(';', StringSplitOptions.TrimEntries);
        if (parts[^1].Length == 0)
            parts = parts[..^1];   // a trailing semicolon
        return parts.Select((part, t) => part.Length > 0 ? new Step(Parse(part), Flat: false)
            : throw new FormatException($"step {t + 1} is empty")).ToList();
    }

    private static float[] Parse(string values) =>
        values.Split(ValueSeparators, StringSplitOptions.RemoveEmptyEntries).Select(v =>
            float.TryParse(v, NumberStyles.Float, CultureInfo.InvariantCulture, out var x) && float.IsFinite(x)
                ? x : throw new FormatException($"'{v}' is not a finite number")).ToArray();

    private static float Number(JsonElement e) =>
        e.ValueKind == JsonValueKind.Number && e.TryGetSingle(out var x) && float.IsFinite(x)
            ? x : throw new FormatException($"{(e.ValueKind == JsonValueKind.Number ? e.GetRawText() : Kind(e))} is not a finite number");

    private static string Kind(JsonElement e) => e.ValueKind switch
    {
        JsonValueKind.Array => "an array",
        JsonValueKind.Object => "an object",
        JsonValueKind.String => "a string",
        JsonValueKind.Number => $"the number {e.GetRawText()}",
        JsonValueKind.True or JsonValueKind.False => "a boolean",
        _ => "null",
    };
}
