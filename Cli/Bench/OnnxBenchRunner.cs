using System.Diagnostics;
using Microsoft.ML.OnnxRuntime;
using MlNetRnn.Kernels;
using MlNetRnn.Network;
using MlNetRnn.OnnxExport;
using MlNetRnn.OnnxExport.Export;
using MlNetRnn.OnnxExport.Runtime;
using MlNetRnn.Training;

namespace MlNetRnn.Cli.Bench;

/// <summary>
/// W4 through ONNX Runtime: the workload's network (random weights from the bench seed) exported by MlNetRnn's
/// exporter and run in the official ONNX Runtime (Microsoft.ML.OnnxRuntime), with the settings of the ORT peer
/// (shared/bench/peers/ort_infer.js: CPU, optimisation 'all', intra-op threads = N, inter-op 1, sequential).
/// System name "mlnetrnn-onnx"; the ratio table sets it beside the PyTorch-exported model on the same runtime, timed
/// in the same process when bench.sh passes that model as --peer-model.
/// </summary>
internal static class OnnxBenchRunner
{
    public const string SystemName = "mlnetrnn-onnx";

    public const string PeerSystemName = "peer-export-onnx";

    /// <summary>
    /// Times the exported workload model; with <paramref name="peerModel"/> (the same workload exported by another
    /// tool, e.g. shared/bench/peers/export_onnx.py's torch.onnx.export), times both in this process on the same
    /// runtime and binding, alternating blocks of calls, so the ratio compares the two graphs and not two moments of
    /// a noisy host. Returns one result line per model.
    /// </summary>
    public static IReadOnlyList<string> Run(BenchWorkload workload, int threads, Warmup warmup, int steps, string? peerModel = null)
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
            var sessionOptions = new OnnxSessionOptions { IntraOpThreads = threads, InterOpThreads = 1 };
            using var session = OnnxRuntimeSession.FromFile(path, sessionOptions);
            int B = workload.Batch, T = workload.SeqLength;
            var random = new SeededRandom(12345);
            var ids = new long[B * T];
            for (var i = 0; i < ids.Length; i++)
                ids[i] = random.Next(spec.InputWidth);
            var lengths = Enumerable.Repeat(T, B).ToArray();
            using var ours = new Timed(session.Session,
            [
                (OnnxModelContract.TokenInput, OrtValue.CreateTensorValueFromMemory(ids, [B, T])),
                (OnnxModelContract.SequenceLengths, OrtValue.CreateTensorValueFromMemory(lengths, [B])),
            ], [OnnxModelContract.Logits]);
            using var peerSession = peerModel is null ? null : OnnxRuntimeSession.FromFile(peerModel, sessionOptions);
            using var peer = peerSession is null ? null
                : new Timed(peerSession.Session, [PeerInput(peerSession.Session, peerModel!, ids, B, T)], [peerSession.Session.OutputNames[0]]);

            // Blocks of calls, the two models in turn (which goes first alternates), every block after a warm-up.
            var blocks = peer is null ? 1 : 10;
            var perBlock = (steps + blocks - 1) / blocks;
            for (var block = 0; block < blocks; block++)
            {
                var first = block % 2 == 0 || peer is null ? ours : peer;
                var second = ReferenceEquals(first, ours) ? peer : ours;
                first.Time(block == 0 ? warmup : Warmup.BetweenBlocks, perBlock);
                second?.Time(block == 0 ? warmup : Warmup.BetweenBlocks, perBlock);
            }
            var lines = new List<string>
            {
                ours.Line(workload, BenchRunner.Printed(SystemName), threads, $"exported by MlNetRnn{(peer is null ? "" : $"; alternating blocks with {Path.GetFileName(peerModel)}")}"),
            };
            if (peer is not null)
                lines.Add(peer.Line(workload, BenchRunner.Printed(PeerSystemName), threads, $"model={Path.GetFileName(peerModel)} in the same process, alternating blocks with MlNetRnn's export"));
            return lines;
        }
        finally
        {
            File.Delete(path);
        }
    }

    // The peer model's one int64 token input, [T, batch] (time-major, as torch.onnx.export of a seq-first model) or
    // [batch, T], told apart by the fixed dimension of length T.
    private static (string, OrtValue) PeerInput(InferenceSession session, string modelPath, long[] batchMajorIds, int B, int T)
    {
        var inputs = session.InputMetadata;
        if (inputs.Count != 1 || inputs.Single().Value.ElementType != typeof(long) || inputs.Single().Value.Dimensions.Length != 2)
            throw new ArgumentException(
                $"--peer-model {modelPath}: expected one int64 input of rank 2 (token ids [{T}, batch] or [batch, {T}]), found " +
                string.Join(", ", inputs.Select(i => $"{i.Key} {i.Value.ElementType.Name} [{string.Join(", ", i.Value.Dimensions)}]")) + ".");
        var (name, input) = inputs.Single();
        if (input.Dimensions[1] == T)
            return (name, OrtValue.CreateTensorValueFromMemory(batchMajorIds, [B, T]));
        if (input.Dimensions[0] != T)
            throw new ArgumentException(
                $"--peer-model {modelPath}: input {name} [{string.Join(", ", input.Dimensions)}] has no fixed dimension of the workload's {T} steps, so its layout is unknown.");
        var timeMajor = new long[B * T];
        for (var b = 0; b < B; b++)
            for (var t = 0; t < T; t++)
                timeMajor[t * B + b] = batchMajorIds[b * T + t];
        return (name, OrtValue.CreateTensorValueFromMemory(timeMajor, [T, B]));
    }

    // One model's inputs, bound once (ORT reads the pinned arrays), and its call times.
    private sealed class Timed(InferenceSession session, (string Name, OrtValue Value)[] inputs, string[] outputs) : IDisposable
    {
        private readonly List<double> _times = [];
        private readonly string[] _names = inputs.Select(i => i.Name).ToArray();
        private readonly OrtValue[] _values = inputs.Select(i => i.Value).ToArray();
        private readonly RunOptions _runOptions = new();

        public void Time(Warmup warmup, int calls)
        {
            warmup.Run(RunOnce);
            for (var i = 0; i < calls; i++)
            {
                var clock = Stopwatch.StartNew();
                RunOnce();
                _times.Add(clock.Elapsed.TotalSeconds);
            }
        }

        private void RunOnce()
        {
            using var results = session.Run(_runOptions, _names, _values, outputs);
        }

        public string Line(BenchWorkload workload, string system, int threads, string note)
        {
            var times = _times.Order().ToArray();
            var median = times[times.Length / 2];
            var shown = workload.Metric == "latency_ms" ? $"{median * 1e3:F3}" : $"{workload.Batch / median:F1}";
            return $"{workload.Id} {system} {threads} {workload.Metric} {shown}  # call_ms med={median * 1e3:F3} min={times[0] * 1e3:F3} n={times.Length} " +
                   $"onnxruntime={OnnxRuntimeSession.RuntimeVersion} {note}";
        }

        public void Dispose()
        {
            _runOptions.Dispose();
            foreach (var value in _values)
                value.Dispose();
        }
    }
}
