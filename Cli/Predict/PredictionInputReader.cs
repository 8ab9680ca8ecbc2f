using System.Text;
using System.Text.Json;

namespace MlNetRnn.Cli.Predict;

/// <summary>
/// Reads the inputs of `mlnetrnn predict`: JSON lines ({"text": ...}, {"sequence": [[...], ...]} or {"tokens": [...]})
/// or CSV/TSV with a header row whose text column is named "text" (or is the only column). Errors name the line.
/// </summary>
internal static class PredictionInputReader
{
    public static SequenceData Read(string path, SequenceModelSchema schema)
    {
        if (!File.Exists(path))
            throw new FileNotFoundException($"No input file at '{path}'.", path);
        var extension = Path.GetExtension(path).ToLowerInvariant();
        return extension is ".jsonl" or ".json" or ".ndjson" ? ReadJsonLines(path, schema) : ReadDelimited(path, extension == ".tsv" ? '\t' : ',');
    }

    private static SequenceData ReadJsonLines(string path, SequenceModelSchema schema)
    {
        var texts = new List<string>();
        var sequences = new List<float[]>();
        var tokens = new List<int[]>();
        var number = 0;
        foreach (var line in File.ReadLines(path))
        {
            number++;
            if (string.IsNullOrWhiteSpace(line))
                continue;
            JsonElement root;
            try
            {
                root = JsonDocument.Parse(line).RootElement;
            }
            catch (JsonException e)
            {
                throw new InvalidDataException($"{path}:{number}: not a JSON object: {e.Message}");
            }
            if (root.ValueKind == JsonValueKind.Object && root.TryGetProperty("text", out var text) && text.ValueKind == JsonValueKind.String)
                texts.Add(text.GetString()!);
            else if (root.ValueKind == JsonValueKind.Object && root.TryGetProperty("sequence", out var sequence) && sequence.ValueKind == JsonValueKind.Array)
            {
                var steps = sequence.EnumerateArray().Select(step => step.ValueKind == JsonValueKind.Array
                    ? step.EnumerateArray().Select(v => v.GetSingle()).ToArray()
                    : [step.GetSingle()]).ToList();
                var width = schema.FeatureWidth;
                if (steps.Any(s => s.Length != width))
                    throw new InvalidDataException($"{path}:{number}: every step of \"sequence\" needs {width} values (the model's feature width).");
                sequences.Add(steps.SelectMany(s => s).ToArray());
            }
            else if (root.ValueKind == JsonValueKind.Object && root.TryGetProperty("tokens", out var ids) && ids.ValueKind == JsonValueKind.Array)
                tokens.Add(ids.EnumerateArray().Select(v => v.GetInt32()).ToArray());
            else
                throw new InvalidDataException($"{path}:{number}: expected {{\"text\": \"...\"}}, {{\"sequence\": [[...], ...]}} or {{\"tokens\": [...]}}.");
        }
        var kinds = (texts.Count > 0 ? 1 : 0) + (sequences.Count > 0 ? 1 : 0) + (tokens.Count > 0 ? 1 : 0);
        if (kinds > 1)
            throw new InvalidDataException($"{path}: the lines mix texts, sequences and token lists; use one kind per file.");
        return sequences.Count > 0 ? SequenceData.FromFeatures(sequences, schema.FeatureWidth)
            : tokens.Count > 0 ? SequenceData.FromTokenIds(tokens)
            : SequenceData.FromTexts(texts);
    }

    private static SequenceData ReadDelimited(string path, char separator)
    {
        using var reader = new StreamReader(path, Encoding.UTF8);
        var header = ReadRecord(reader, separator) ?? throw new InvalidDataException($"{path}: the file is empty; expected a header row.");
        var column = header.FindIndex(h => h.Trim().Equals("text", StringComparison.OrdinalIgnoreCase));
        if (column < 0)
            column = header.Count == 1 ? 0 : throw new InvalidDataException($"{path}: no column named 'text' among {string.Join(", ", header)}.");
        var texts = new List<string>();
        var row = 1;
        while (ReadRecord(reader, separator) is { } record)
        {
            row++;
            if (record.Count <= column)
                throw new InvalidDataException($"{path}: row {row} has {record.Count} fields; the text is field {column + 1}.");
            texts.Add(record[column]);
        }
        return SequenceData.FromTexts(texts);
    }

    // One RFC 4180 record: fields separated by the separator, quoted fields may hold separators, newlines and "".
    private static List<string>? ReadRecord(TextReader reader, char separator)
    {
        if (reader.Peek() < 0)
            return null;
        var fields = new List<string>();
        var field = new StringBuilder();
        var quoted = false;
        while (true)
        {
            var c = reader.Read();
            if (c < 0)
                break;
            if (quoted)
            {
                if (c == '"')
                {
                    if (reader.Peek() == '"')
                    {
                        reader.Read();
                        field.Append('"');
                    }
                    else
                    {
                        quoted = false;
                    }
                }
                else
                {
                    field.Append((char)c);
                }
            }
            else if (c == '"' && field.Length == 0)
                quoted = true;
            else if (c == separator)
            {
                fields.Add(field.ToString());
                field.Clear();
            }
            else if (c == '\n')
                break;
            else if (c != '\r')
                field.Append((char)c);
        }
        fields.Add(field.ToString());
        return fields;
    }
}
