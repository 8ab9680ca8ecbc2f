using System.Globalization;
using System.Text;
using MlNetRnn.Cli.Data;
using MlNetRnn.Kernels;
using MlNetRnn.Tests.Export;

namespace MlNetRnn.Tests.Integrity;

/// <summary>
/// The seeded mutation loop over the CLI's input readers: <c>input-predict</c> (PredictionRowReader, what
/// `mlnetrnn predict` reads: every row read or rejected with its error) and <c>input-train</c> (LabelledDataReader, what
/// train and evaluate read: the first bad row stops the file), on CSV, TSV, JSON-lines and text files of text, token-id
/// and numeric-sequence inputs. Damage: byte level (<see cref="ByteMutations"/>) and structure-aware: a cell set to
/// NaN, ±Infinity, 1e39, -1, 1.5, 2^31, null, [], ragged or deeply nested arrays, a huge string (1-4 Mi characters),
/// a row past the row cap, an unclosed quote, fields added or removed, the header repeated, emptied or lost, a BOM,
/// bare CRs, invalid UTF-8, NULs. Oracle: the read completes (each row a value or its error, naming nothing but
/// itself), or stops with the documented input error (InvalidDataException or ArgumentException whose message starts
/// with the file's path: exit code 2 in the CLI); never another exception, a hang, or more than the memory bound.
/// </summary>
internal sealed class InputFuzzCampaign
{
    public const string PredictReader = "input-predict";
    public const string TrainReader = "input-train";

    /// <param name="Schema">The model the file is read for (predict); <paramref name="Task"/>: what train reads it for.</param>
    public sealed record Seed(string Name, TableFormat Format, SequenceModelSchema Schema, SequenceTask Task, string Text, string Predicted, string Trained);

    private readonly string _scratch;

    public InputFuzzCampaign(string scratch)
    {
        _scratch = scratch;
        Seeds = CreateSeeds(scratch);
    }

    public IReadOnlyList<Seed> Seeds { get; }

    public TimeSpan Timeout { get; init; } = TimeSpan.FromSeconds(20);

    /// <summary>Managed bytes one read may allocate: a row holds at most TableReader.MaxRowCharacters (8 Mi)
    /// characters; the seeds are a few hundred bytes.</summary>
    public long MemoryBound { get; init; } = 512L << 20;

    private static List<Seed> CreateSeeds(string scratch)
    {
        var seeds = new List<Seed>();
        using var text = RandomModels.Create("binary gru text max", KernelKind.Native);
        using var tokens = RandomModels.Create("multiclass lstm tokens mean bidirectional 2layers", KernelKind.Native);
        using var dense = RandomModels.Create("regression-steps rnn-relu dense", KernelKind.Native);
        var labels = text.Schema.Labels;
        var classes = tokens.Schema.Labels;
        var width = dense.Schema.FeatureWidth;
        var vocabulary = tokens.Schema.VocabularySize;
        string[] texts = ["the cat sat on the mat", "a dog, a \"quoted\" word", "naïve café – ünïcödé 😀", "mat", "zebra ran\tfast"];
        string Steps(int row, string step, string value) => string.Join(step, Enumerable.Range(0, 2 + row % 3)
            .Select(t => string.Join(value, Enumerable.Range(0, width).Select(d => ((row + t - d) * 0.25f).ToString(CultureInfo.InvariantCulture)))));
        string Ids(int row) => string.Join(' ', Enumerable.Range(0, 1 + row).Select(i => (i * 3 + row) % vocabulary));

        foreach (var format in new[] { TableFormat.Csv, TableFormat.Tsv, TableFormat.JsonLines })
        {
            var separator = format == TableFormat.Tsv ? "\t" : ",";
            string Field(string value) => format == TableFormat.Csv && (value.Contains(',') || value.Contains('"'))
                ? $"\"{value.Replace("\"", "\"\"")}\"" : format == TableFormat.Tsv ? value.Replace('\t', ' ') : value;
            string Json(string value) => System.Text.Json.JsonSerializer.Serialize(value);
            var textFile = new StringBuilder();
            var tokenFile = new StringBuilder();
            var denseFile = new StringBuilder();
            if (format != TableFormat.JsonLines)
            {
                textFile.Append($"text{separator}label\n");
                tokenFile.Append($"tokens{separator}label\n");
                denseFile.Append($"sequence{separator}label\n");
            }
            for (var row = 0; row < texts.Length; row++)
            {
                var label = labels[row % labels.Count];
                var cls = classes[row % classes.Count];
                if (format == TableFormat.JsonLines)
                {
                    textFile.Append($"{{\"text\":{Json(texts[row])},\"label\":{Json(label)}}}\n");
                    tokenFile.Append($"{{\"tokens\":[{Ids(row).Replace(' ', ',')}],\"label\":{Json(cls)}}}\n");
                    denseFile.Append($"{{\"sequence\":[[{Steps(row, "],[", ",")}]],\"label\":{(row * 0.5).ToString(CultureInfo.InvariantCulture)}}}\n");
                }
                else
                {
                    textFile.Append($"{Field(texts[row])}{separator}{Field(label)}\n");
                    tokenFile.Append($"{Ids(row)}{separator}{Field(cls)}\n");
                    denseFile.Append($"{Field(Steps(row, "; ", " "))}{separator}{(row * 0.5).ToString(CultureInfo.InvariantCulture)}\n");
                }
            }
            var extension = format.ToString().ToLowerInvariant();
            seeds.Add(Create($"text {extension}", format, text.Schema, SequenceTask.BinaryClassification, textFile.ToString(), scratch));
            seeds.Add(Create($"tokens {extension}", format, tokens.Schema, SequenceTask.MulticlassClassification, tokenFile.ToString(), scratch));
            seeds.Add(Create($"sequence {extension}", format, dense.Schema, SequenceTask.Regression, denseFile.ToString(), scratch));
        }
        seeds.Add(Create("lines text", TableFormat.Text, text.Schema, SequenceTask.LanguageModel, string.Join('\n', texts) + "\n", scratch));
        return seeds;
    }

    private static Seed Create(string name, TableFormat format, SequenceModelSchema schema, SequenceTask task, string text, string scratch)
    {
        var seed = new Seed(name, format, schema, task, text, "", "");
        var predicted = Read(PredictReader, seed, Encoding.UTF8.GetBytes(text), scratch);
        var trained = Read(TrainReader, seed, Encoding.UTF8.GetBytes(text), scratch);
        if (predicted.Contains(" error ", StringComparison.Ordinal))
            throw new InvalidOperationException($"the undamaged input '{name}' does not read:\n{predicted}\n{trained}");
        return seed with { Predicted = predicted, Trained = trained };
    }

    private static string Extension(TableFormat format) => format switch
    {
        TableFormat.Csv => ".csv",
        TableFormat.Tsv => ".tsv",
        TableFormat.JsonLines => ".jsonl",
        _ => ".txt",
    };

    /// <summary>What a reader makes of a file: each row's value or error (predict), or the data read (train).</summary>
    private static string Read(string reader, Seed seed, byte[] bytes, string scratch)
    {
        var path = Path.Combine(scratch, "case" + Extension(seed.Format));
        File.WriteAllBytes(path, bytes);
        var text = new StringBuilder();
        if (reader == PredictReader)
        {
            foreach (var row in PredictionRowReader.Read(path, seed.Format, seed.Schema, new DataColumns()))
            {
                if (row.Error is not null)
                {
                    if (row.Error.Length == 0 || row.Line < 1)
                        throw new InvalidOperationException($"row {row.Line}: an empty error or no line number");
                    text.Append(row.Line).Append(" error ").Append(row.Error).Append('\n');
                }
                else
                {
                    text.Append(row.Line).Append(' ').Append(row.Text ?? string.Join(' ', (IEnumerable<object>?)row.Tokens?.Cast<object>() ?? row.Features!.Select(f => (object)BitConverter.SingleToInt32Bits(f)))).Append('\n');
                }
            }
            return text.ToString();
        }
        var data = LabelledDataReader.Read(path, seed.Format, seed.Task, new DataColumns(), null, perStepTargets: false).Data;
        return $"{data.Count} sequences";
    }

    public FuzzCampaign.Case RunCase(int seed, int number)
    {
        var file = Seeds[number % Seeds.Count];
        var reader = (number / Seeds.Count) % 2 == 0 ? PredictReader : TrainReader;
        var mutation = Mutate(file, new Random(unchecked(seed * 1000003 + number)));
        var path = Path.Combine(_scratch, "case" + Extension(file.Format));
        var expected = reader == PredictReader ? file.Predicted : file.Trained;
        var result = LoadOracle.Guard(() =>
        {
            string actual;
            try
            {
                actual = Read(reader, file, mutation.Bytes, _scratch);
            }
            catch (Exception e) when (e is InvalidDataException or ArgumentException)
            {
                // The documented input error: exit code 2, one line naming the file (and its line, for a row).
                return e.Message.StartsWith(path, StringComparison.Ordinal) && !e.Message.Contains('\n')
                    ? (Outcome.Refused, e.Message)
                    : (Outcome.Failed, $"{e.GetType().Name} that does not start with the file's path or is not one line: {e.Message}");
            }
            return actual == expected
                ? (Outcome.Identical, "")
                : (Outcome.LoadedOther, "read other rows (or rejected some with their errors)");
        }, Timeout, MemoryBound);
        return new FuzzCampaign.Case(number, reader, file.Name, Extension(file.Format), mutation, result);
    }

    public List<FuzzCampaign.Case> Run(int seed, int first, int count, Action<FuzzCampaign.Case>? progress = null) =>
        FuzzCampaign.Loop(number => RunCase(seed, number), first, count, progress);

    public static readonly string[] Categories =
    [
        "bit-flip", "byte-set", "truncate", "insert", "zero-run",
        "cell-value", "cell-value", "cell-value", "huge-cell", "row-past-cap", "unclosed-quote", "fields", "header", "encoding",
    ];

    private static readonly string[] CellValues =
    [
        "NaN", "Infinity", "-Infinity", "1e39", "-1", "1.5", "2147483648", "-2147483649", "", "null", "[]", "[[]]", "[[1,2],[3]]",
        "[1,\"a\"]", "{}", "true", "\"\"", "0x10", "1,2,3", ";", "; ;", "[1e39]", "[NaN]", "\u0000", "\"unclosed",
        new string('[', 10_000), "[" + string.Join(',', Enumerable.Repeat("1", 100_000)) + "]", string.Join(' ', Enumerable.Repeat("99999999", 50_000)),
    ];

    private static Mutation Mutate(Seed seed, Random random)
    {
        var category = Categories[random.Next(Categories.Length)];
        var original = Encoding.UTF8.GetBytes(seed.Text);
        if (category is "bit-flip" or "byte-set" or "truncate" or "insert" or "zero-run")
        {
            var (damaged, what) = ByteMutations.Apply(category, original, random);
            return new Mutation(category, what, damaged, false);
        }
        var lines = seed.Text.Split('\n')[..^1].ToList();
        var separator = seed.Format == TableFormat.Tsv ? '\t' : ',';
        var first = seed.Format is TableFormat.Csv or TableFormat.Tsv ? 1 : 0;
        var at = first + random.Next(lines.Count - first);
        string description;
        switch (category)
        {
            case "cell-value" or "huge-cell":
            {
                var value = category == "huge-cell" ? new string((char)('a' + random.Next(26)), (1 + random.Next(4)) << 20) : CellValues[random.Next(CellValues.Length)];
                lines[at] = ReplaceCell(seed.Format, lines[at], separator, random, value, out var cell);
                description = $"line {at + 1}, cell {cell} -> {(value.Length > 30 ? $"{value.Length} characters '{value[..10]}...'" : $"'{value}'")}";
                break;
            }
            case "row-past-cap":
                lines[at] = new string('x', TableReader.MaxRowCharacters + 1 + random.Next(10));
                description = $"line {at + 1}: {lines[at].Length} characters, past the row cap";
                break;
            case "unclosed-quote":
                lines[at] = "\"" + lines[at];
                description = $"line {at + 1}: an opening quote";
                break;
            case "fields":
                var fields = lines[at].Split(separator).ToList();
                if (random.Next(2) == 0 && fields.Count > 1)
                    fields.RemoveAt(random.Next(fields.Count));
                else
                    fields.Insert(random.Next(fields.Count + 1), "extra");
                lines[at] = string.Join(separator, fields);
                description = $"line {at + 1}: {fields.Count} fields";
                break;
            case "header":
                switch (random.Next(4))
                {
                    case 0:
                        lines.Insert(0, lines[0]);
                        description = "first line repeated";
                        break;
                    case 1:
                        lines[0] = lines[0] + separator + lines[0].Split(separator)[0];
                        description = "a column named twice";
                        break;
                    case 2:
                        lines = lines.Take(random.Next(2)).ToList();
                        description = $"only {lines.Count} lines kept";
                        break;
                    default:
                        lines.RemoveAt(0);
                        description = "first line removed";
                        break;
                }
                break;
            default:
            {
                var text = string.Join('\n', lines) + "\n";
                var (bytes, what) = random.Next(4) switch
                {
                    0 => ([0xEF, 0xBB, 0xBF, .. Encoding.UTF8.GetBytes(text)], "a UTF-8 BOM"),
                    1 => (Encoding.UTF8.GetBytes(text.Replace('\n', '\r')), "bare CRs for line breaks"),
                    2 => (Insert(Encoding.UTF8.GetBytes(text), random, [0xC3, 0x28, 0xFF, 0xED, 0xA0, 0x80]), "invalid UTF-8"),
                    _ => (Insert(Encoding.UTF8.GetBytes(text), random, [0, 0, 0]), "NUL bytes"),
                };
                return new Mutation(category, what, bytes, false);
            }
        }
        return new Mutation(category, description, Encoding.UTF8.GetBytes(string.Join('\n', lines) + (lines.Count > 0 ? "\n" : "")), false);
    }

    private static byte[] Insert(byte[] bytes, Random random, byte[] inserted)
    {
        var at = random.Next(bytes.Length + 1);
        return [.. bytes[..at], .. inserted, .. bytes[at..]];
    }

    // A JSON line: one property's value replaced by the raw JSON (or by a string of it, if it is not JSON); a delimited
    // line: one field.
    private static string ReplaceCell(TableFormat format, string line, char separator, Random random, string value, out string cell)
    {
        if (format == TableFormat.JsonLines)
        {
            var node = System.Text.Json.Nodes.JsonNode.Parse(line)!.AsObject();
            var key = node.ElementAt(random.Next(node.Count)).Key;
            cell = key;
            System.Text.Json.Nodes.JsonNode? replacement;
            try
            {
                replacement = value.Length == 0 ? System.Text.Json.Nodes.JsonValue.Create("") : System.Text.Json.Nodes.JsonNode.Parse(value);
            }
            catch (System.Text.Json.JsonException)
            {
                // Not JSON (a NaN, a deep nesting): it goes in raw, as a writer that does not escape would put it.
                const string marker = "\"@@cell@@\"";
                node[key] = "@@cell@@";
                return node.ToJsonString().Replace(marker, value, StringComparison.Ordinal);
            }
            node[key] = replacement;
            return node.ToJsonString();
        }
        if (format == TableFormat.Text)
        {
            cell = "text";
            return value;
        }
        var fields = line.Split(separator);
        var i = random.Next(fields.Length);
        cell = (i + 1).ToString(CultureInfo.InvariantCulture);
        fields[i] = value.Contains(separator) || value.Contains('"') ? $"\"{value.Replace("\"", "\"\"")}\"" : value;
        return string.Join(separator, fields);
    }
}
