using System.CommandLine;
using System.Text.Json;
using MlNetRnn.Cli.Data;
using MlNetRnn.OnnxExport.Runtime;

namespace MlNetRnn.Cli.Commands;

/// <summary>
/// `mlnetrnn predict --model M.onnx|M.mlnr --input FILE [--output FILE] [--strict]`: scores every row of a file with an
/// exported model in ONNX Runtime, or a model file with the native kernel, and writes one JSON line per row, in order,
/// each with its 1-based "row" (the row's line in the file). A row that cannot be scored gets {"row": N, "error": ...}
/// and the others are scored (exit code 1); with --strict the first such row stops the command (exit code 2).
/// </summary>
internal static class PredictCommand
{
    /// <summary>Rows scored per call of the model; the file is read and written this many rows at a time.</summary>
    private const int ChunkRows = 512;

    public static Command Create(CliContext context)
    {
        var model = new Option<string>("--model") { Description = "An ONNX file exported by MlNetRnn (scored in ONNX Runtime), or an MlNetRnn model file (.mlnr, scored by the native kernel).", Required = true };
        var input = new Option<string>("--input")
        {
            Description = "The rows to score: CSV/TSV with a header (the model's input column: 'text', 'sequence' or 'tokens', or the only column), " +
                          "or JSON lines ({\"text\": ...}, {\"sequence\": [[...], ...]} or {\"tokens\": [...]}).",
            Required = true,
        };
        var format = CommonOptions.Format();
        var columns = new ColumnOptions();
        var provider = CommonOptions.OneOf("--provider", "Where ONNX models run", "cpu", "cpu", "cuda");
        var fallback = new Option<bool>("--cpu-fallback") { Description = "If CUDA cannot be used, run on the CPU (and say so) instead of failing." };
        var output = new Option<string?>("--output") { Description = "Write the JSON lines here instead of the standard output." };
        var threads = CommonOptions.Threads($"ONNX Runtime intra-op threads, or the native kernel's threads for a .mlnr model, 0 to {CommonOptions.MaxThreads} (0 = the default: all cores).", 0, min: 0);
        var strict = new Option<bool>("--strict") { Description = "Stop at the first row that cannot be scored (exit code 2) instead of writing an error line for it." };
        var command = new Command("predict", "Score a file with a trained model: its ONNX export in ONNX Runtime, or its .mlnr file with the native kernel. One JSON line per row.")
        {
            model, input, format, provider, fallback, output, threads, strict,
        };
        foreach (var option in columns.All(withTarget: false))
            command.Add(option);
        command.SetAction(result =>
        {
            var modelPath = result.GetValue(model)!;
            var executionProvider = result.GetValue(provider) == "cuda" ? OnnxExecutionProvider.Cuda : OnnxExecutionProvider.Cpu;
            var inputPath = CommonOptions.ExistingFile(result.GetValue(input)!, "input file");
            var tableFormat = TableFormats.Of(inputPath, result.GetValue(format));
            var dataColumns = columns.Read(result, withTarget: false);
            SequenceModel? native = null;
            OnnxSequencePredictor? onnx = null;
            try
            {
                if (ModelFiles.IsModelFile(modelPath))
                {
                    if (executionProvider != OnnxExecutionProvider.Cpu)
                        throw new ArgumentException($"--provider cuda: '{modelPath}' is an MlNetRnn model file, scored by the native kernel on the CPU; export it to ONNX to run on CUDA.");
                    native = ModelFiles.LoadNative(modelPath, result.GetValue(threads));
                }
                else
                {
                    onnx = ModelFiles.LoadOnnx(modelPath, context, executionProvider, result.GetValue(fallback), result.GetValue(threads));
                }
                var schema = native?.Schema ?? onnx!.Schema;
                Func<SequenceData, IReadOnlyList<SequencePrediction>> predict = native is not null ? native.Predict : onnx!.Predict;
                var target = result.GetValue(output);
                using var writer = target is null ? null : new StreamWriter(target);
                var (rows, rejected) = Score(PredictionRowReader.Read(inputPath, tableFormat, schema, dataColumns), schema, predict,
                    writer ?? context.Out, result.GetValue(strict) ? inputPath : null);
                if (rejected > 0)
                    context.Error.WriteLine($"mlnetrnn: predict: {rejected} of {rows} rows could not be scored; their lines carry \"error\".");
                return rejected > 0 ? ExitCodes.CheckFailed : ExitCodes.Success;
            }
            finally
            {
                native?.Dispose();
                onnx?.Dispose();
            }
        });
        return command;
    }

    /// <summary>Scores the rows a chunk at a time and writes a line per row in file order.</summary>
    /// <param name="strictPath">With --strict, the input's path: the first bad row ends the command with its error.</param>
    private static (int Rows, int Rejected) Score(IEnumerable<PredictionRow> rows, SequenceModelSchema schema,
        Func<SequenceData, IReadOnlyList<SequencePrediction>> predict, TextWriter writer, string? strictPath)
    {
        int count = 0, rejected = 0;
        foreach (var chunk in rows.Chunk(ChunkRows))
        {
            var bad = Array.FindIndex(chunk, r => r.Error is not null);
            var scored = strictPath is not null && bad >= 0 ? chunk[..bad] : chunk;
            var valid = scored.Where(r => r.Error is null).ToArray();
            var predictions = valid.Length == 0 ? [] : predict(schema.Input switch
            {
                SequenceInputKindOfData.Text => SequenceData.FromTexts(valid.Select(r => r.Text!).ToArray()),
                SequenceInputKindOfData.TokenIds => SequenceData.FromTokenIds(valid.Select(r => r.Tokens!).ToArray()),
                _ => SequenceData.FromFeatures(valid.Select(r => r.Features!).ToArray(), schema.FeatureWidth),
            });
            var next = 0;
            foreach (var row in scored)
            {
                count++;
                if (row.Error is null)
                {
                    writer.WriteLine(ToJson(row.Line, predictions[next++], schema));
                }
                else
                {
                    rejected++;
                    writer.WriteLine(ErrorJson(row.Line, row.Error));
                }
            }
            writer.Flush();
            if (scored.Length < chunk.Length)
                throw new InvalidDataException($"{strictPath}:{chunk[bad].Line}: {chunk[bad].Error} (--strict stops at the first row that cannot be scored).");
        }
        return (count, rejected);
    }

    private static string ErrorJson(int row, string error) => Json(json =>
    {
        json.WriteNumber("row", row);
        json.WriteString("error", error);
    });

    /// <summary>One prediction as a line of JSON.</summary>
    private static string ToJson(int row, SequencePrediction p, SequenceModelSchema schema) => Json(json =>
    {
        json.WriteNumber("row", row);
        if (p.PredictedLabel is not null)
            json.WriteString("label", p.PredictedLabel);
        if (p.Probabilities is { } probabilities)
        {
            var names = schema.Labels.Count == probabilities.Length ? schema.Labels
                : schema.Featurizer?.Vocabulary.Tokens ?? Enumerable.Range(0, probabilities.Length).Select(k => k.ToString(System.Globalization.CultureInfo.InvariantCulture)).ToList();
            json.WriteStartObject("probabilities");
            for (var k = 0; k < Math.Min(names.Count, probabilities.Length); k++)
                json.WriteNumber(names[k], probabilities[k]);
            json.WriteEndObject();
            json.WriteNumber("score", p.Score);
        }
        if (p.Values is { } values)
        {
            json.WriteStartArray("values");
            foreach (var v in values)
                json.WriteNumberValue(v);
            json.WriteEndArray();
        }
        if (p.StepLabels is { } tags)
        {
            json.WriteStartArray("tags");
            foreach (var t in tags)
                json.WriteStringValue(t);
            json.WriteEndArray();
        }
    });

    // An object written directly (no reflection, so the command runs compiled ahead of time) on one line.
    private static string Json(Action<Utf8JsonWriter> body)
    {
        var buffer = new System.Buffers.ArrayBufferWriter<byte>();
        using (var json = new Utf8JsonWriter(buffer, new JsonWriterOptions { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
        {
            json.WriteStartObject();
            body(json);
            json.WriteEndObject();
        }
        return System.Text.Encoding.UTF8.GetString(buffer.WrittenSpan);
    }
}
