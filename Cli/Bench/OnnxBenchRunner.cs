using System.Diagnostics;
using MlNetRnn.Kernels;
using MlNetRnn.Network;
using MlNetRnn.OnnxExport;
using MlNetRnn.OnnxExport.Export;
using MlNetRnn.OnnxExport.Runtime;
using MlNetRnn.Training;

namespace MlNetRnn.Cli.Bench;

/// <summary>
/// W4 through ONNX Runtime: the workload's network (random weights from the bench seed) exported by MlNetRnn's
/// exporter and run in ONNX Runtime through MlNetRnn's own binding, with the settings of the ORT peer
/// (shared/bench/peers/ort_infer.js: CPU, optimisation 'all', intra-op threads = N, inter-op 1, sequential).
/// System name "mlnetrnn-onnx"; the ratio table sets it beside the PyTorch-exported model on the same runtime.
/// </summary>
internal static class OnnxBenchRunner
{
    public const string SystemName = "mlnetrnn-onnx";

    public static string Run(BenchWorkload workload, int threads, int warmup, int steps)
    {
        if (workload.Training)
            throw new ArgumentException($"--runtime onnx times inference only (w4-b1, w4-b256), not {workload.Id}.", nameof(workload));
        var spec = workload.Spec;
        var parameters = new ParameterSet(SequenceNetwork.Layout(spec));
        Initializer.Initialize(spec, parameters, new SeededRandom(7));
        var labels = Enumerable.Range(0, spec.OutputSize).Select(i => i.ToString(System.Globalization.CultureInfo.InvariantCulture)).ToArray();
        var schema = new SequenceModelSchema
        {
            Task = spec.Task, Input = SequenceInputKindOfData.TokenIds, VocabularySize = spec.InputWidth, Labels = labels,
        };
        var options = new SequenceModelOptions
        {
            Task = spec.Task, ClassLabels = labels, VocabularySize = spec.InputWidth, EmbeddingSize = spec.EmbeddingSize,
            Cell = spec.Cell, HiddenSize = spec.HiddenSize, LinearBeforeReset = spec.LinearBeforeReset,
        };
        var path = Path.Combine(Path.GetTempPath(), $"mlnetrnn-bench-{Guid.NewGuid():N}.onnx");
        try
        {
            using (var model = new SequenceModel(schema, spec, parameters, options))
                model.ExportToOnnx(path);
            using var session = OnnxSession.FromFile(path, new OnnxSessionOptions { IntraOpThreads = threads, InterOpThreads = 1 });
            int B = workload.Batch, T = workload.SeqLength;
            var random = new SeededRandom(12345);
            var ids = new long[B * T];
            for (var i = 0; i < ids.Length; i++)
                ids[i] = random.Next(spec.InputWidth);
            var lengths = Enumerable.Repeat(T, B).ToArray();
            OnnxRuntimeTensor[] inputs =
            [
                OnnxRuntimeTensor.FromInt64s(OnnxModelContract.TokenInput, ids, B, T),
                OnnxRuntimeTensor.FromInt32s(OnnxModelContract.SequenceLengths, lengths, B),
            ];
            string[] outputs = [OnnxModelContract.Logits];
            var times = new List<double>();
            for (var i = 0; i < warmup + steps; i++)
            {
                var clock = Stopwatch.StartNew();
                session.Run(inputs, outputs);
                if (i >= warmup)
                    times.Add(clock.Elapsed.TotalSeconds);
            }
            times.Sort();
            var median = times[times.Count / 2];
            var shown = workload.Metric == "latency_ms" ? $"{median * 1e3:F3}" : $"{B / median:F1}";
            return $"{workload.Id} {SystemName} {threads} {workload.Metric} {shown}  # call_ms med={median * 1e3:F3} min={times[0] * 1e3:F3} n={times.Count} " +
                   $"onnxruntime={session.Library.Version} exported by MlNetRnn, run through its binding";
        }
        finally
        {
            File.Delete(path);
        }
    }
}
