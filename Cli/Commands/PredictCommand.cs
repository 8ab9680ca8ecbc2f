using System.CommandLine;
using System.Text.Json;
using MlNetRnn.Cli.Predict;
using MlNetRnn.Kernels;
using MlNetRnn.OnnxExport.Runtime;

namespace MlNetRnn.Cli.Commands;

/// <summary>
/// `mlnetrnn predict --model M.onnx|M.mlnr --input FILE [--provider cpu|cuda] [--cpu-fallback] [--output FILE]`: scores an
/// exported model in ONNX Runtime, or a model file with the native kernel, and writes one JSON line per input.
/// </summary>
internal static class PredictCommand
{
    public static Command Create()
    {
        var model = new Option<string>("--model") { Description = "An ONNX file exported by MlNetRnn (scored in ONNX Runtime), or an MlNetRnn model file (.mlnr, scored by the native kernel).", Required = true };
        var input = new Option<string>("--input") { Description = "CSV/TSV with a 'text' column, or JSON lines ({\"text\":...} or {\"sequence\":[[...],...]}).", Required = true };
        var provider = new Option<string>("--provider") { Description = "cpu or cuda (ONNX models).", DefaultValueFactory = _ => "cpu" };
        var fallback = new Option<bool>("--cpu-fallback") { Description = "If CUDA cannot be used, run on the CPU (and say so) instead of failing." };
        var output = new Option<string?>("--output") { Description = "Write the JSON lines here instead of the standard output." };
        var threads = new Option<int>("--threads") { Description = "ONNX Runtime intra-op threads, or the native kernel's threads for a .mlnr model (0 = the default: all cores).", DefaultValueFactory = _ => 0 };
        var command = new Command("predict", "Score inputs with a trained MlNetRnn model: its ONNX export in ONNX Runtime, or its .mlnr file with the native kernel.") { model, input, provider, fallback, output, threads };
        command.SetAction(result =>
        {
            var modelPath = result.GetValue(model)!;
            var providerName = result.GetValue(provider)?.ToLowerInvariant();
            var executionProvider = providerName switch
            {
                "cpu" => OnnxExecutionProvider.Cpu,
                "cuda" => OnnxExecutionProvider.Cuda,
                var other => throw new ArgumentException($"--provider '{other}': expected cpu or cuda."),
            };
            SequenceModelSchema schema;
            IReadOnlyList<SequencePrediction> predictions;
            if (IsModelFile(modelPath))
            {
                if (executionProvider != OnnxExecutionProvider.Cpu)
                    throw new ArgumentException($"--provider {providerName}: '{modelPath}' is an MlNetRnn model file, scored by the native kernel on the CPU; export it to ONNX to run on CUDA.");
                using var trained = SequenceModel.Load(modelPath);
                var kernelThreads = result.GetValue(threads);
                trained.UseKernel(KernelKind.Native, kernelThreads > 0 ? kernelThreads : Environment.ProcessorCount);
                schema = trained.Schema;
                predictions = trained.Predict(PredictionInputReader.Read(result.GetValue(input)!, schema));
            }
            else
            {
                using var predictor = OnnxSequencePredictor.Load(modelPath, new OnnxSessionOptions
                {
                    ExecutionProvider = executionProvider,
                    AllowCpuFallback = result.GetValue(fallback),
                    IntraOpThreads = result.GetValue(threads),
                    LogLevel = Microsoft.ML.OnnxRuntime.OrtLoggingLevel.ORT_LOGGING_LEVEL_FATAL,
                });
                if (predictor.Session.FallbackReason is { } reason)
                    Console.Error.WriteLine($"predict: running on the CPU: {reason}");
                schema = predictor.Schema;
                predictions = predictor.Predict(PredictionInputReader.Read(result.GetValue(input)!, schema));
            }
            var target = result.GetValue(output);
            using var writer = target is null ? Console.Out : new StreamWriter(target);
            for (var i = 0; i < predictions.Count; i++)
                writer.WriteLine(ToJson(i, predictions[i], schema));
            return 0;
        });
        return command;
    }

    /// <summary>An MlNetRnn model file: a zip archive (it starts with "PK"), where an ONNX file is a protobuf message.</summary>
    private static bool IsModelFile(string path)
    {
        if (!File.Exists(path))
            return false;   // the ONNX loader names the missing file
        Span<byte> head = stackalloc byte[2];
        using var file = File.OpenRead(path);
        return file.ReadAtLeast(head, 2, throwOnEndOfStream: false) == 2 && head[0] == (byte)'P' && head[1] == (byte)'K';
    }

    /// <summary>One prediction as a line of JSON (written directly: no reflection, so the command runs compiled ahead of time).</summary>
    private static string ToJson(int index, SequencePrediction p, SequenceModelSchema schema)
    {
        var buffer = new System.Buffers.ArrayBufferWriter<byte>();
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            json.WriteNumber("index", index);
            if (p.PredictedLabel is not null)
                json.WriteString("label", p.PredictedLabel);
            if (p.Probabilities is { } probabilities)
            {
                var names = schema.Labels.Count == probabilities.Length ? schema.Labels
                    : schema.Featurizer?.Vocabulary.Tokens ?? Enumerable.Range(0, probabilities.Length).Select(k => k.ToString()).ToList();
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
            json.WriteEndObject();
        }
        return System.Text.Encoding.UTF8.GetString(buffer.WrittenSpan);
    }
}
