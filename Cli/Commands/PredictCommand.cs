using System.CommandLine;
using System.Text.Json;
using MlNetRnn.Cli.Predict;
using MlNetRnn.OnnxExport.Prediction;
using MlNetRnn.OnnxExport.Runtime;

namespace MlNetRnn.Cli.Commands;

/// <summary>
/// `mlnetrnn predict --model M.onnx --input FILE [--provider cpu|cuda] [--cpu-fallback] [--output FILE]`: scores an
/// exported model in ONNX Runtime and writes one JSON line per input.
/// </summary>
internal static class PredictCommand
{
    public static Command Create()
    {
        var model = new Option<string>("--model") { Description = "An ONNX file exported by MlNetRnn.", Required = true };
        var input = new Option<string>("--input") { Description = "CSV/TSV with a 'text' column, or JSON lines ({\"text\":...} or {\"sequence\":[[...],...]}).", Required = true };
        var provider = new Option<string>("--provider") { Description = "cpu or cuda.", DefaultValueFactory = _ => "cpu" };
        var fallback = new Option<bool>("--cpu-fallback") { Description = "If CUDA cannot be used, run on the CPU (and say so) instead of failing." };
        var output = new Option<string?>("--output") { Description = "Write the JSON lines here instead of the standard output." };
        var threads = new Option<int>("--threads") { Description = "ONNX Runtime intra-op threads (0 = its default).", DefaultValueFactory = _ => 0 };
        var command = new Command("predict", "Score inputs with an exported MlNetRnn ONNX model in ONNX Runtime.") { model, input, provider, fallback, output, threads };
        command.SetAction(result =>
        {
            var executionProvider = result.GetValue(provider)?.ToLowerInvariant() switch
            {
                "cpu" => OnnxExecutionProvider.Cpu,
                "cuda" => OnnxExecutionProvider.Cuda,
                var other => throw new ArgumentException($"--provider '{other}': expected cpu or cuda."),
            };
            using var predictor = OnnxSequencePredictor.Load(result.GetValue(model)!, new OnnxSessionOptions
            {
                ExecutionProvider = executionProvider,
                AllowCpuFallback = result.GetValue(fallback),
                IntraOpThreads = result.GetValue(threads),
            });
            if (predictor.Session.FallbackReason is { } reason)
                Console.Error.WriteLine($"predict: running on the CPU: {reason}");
            var data = PredictionInputReader.Read(result.GetValue(input)!, predictor.Schema);
            var predictions = predictor.Predict(data);
            var target = result.GetValue(output);
            using var writer = target is null ? Console.Out : new StreamWriter(target);
            for (var i = 0; i < predictions.Count; i++)
                writer.WriteLine(JsonSerializer.Serialize(ToJson(i, predictions[i], predictor.Schema)));
            return 0;
        });
        return command;
    }

    private static Dictionary<string, object?> ToJson(int index, SequencePrediction p, SequenceModelSchema schema)
    {
        var line = new Dictionary<string, object?> { ["index"] = index };
        if (p.PredictedLabel is not null)
            line["label"] = p.PredictedLabel;
        if (p.Probabilities is { } probabilities)
        {
            var names = schema.Labels.Count == probabilities.Length ? schema.Labels
                : schema.Featurizer?.Vocabulary.Tokens ?? Enumerable.Range(0, probabilities.Length).Select(k => k.ToString()).ToList();
            line["probabilities"] = names.Zip(probabilities).ToDictionary(q => q.First, q => (object?)q.Second);
            line["score"] = p.Score;
        }
        if (p.Values is not null)
            line["values"] = p.Values;
        if (p.StepLabels is not null)
            line["tags"] = p.StepLabels;
        return line;
    }
}
