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
            using var session = OnnxSession.FromFile(path, sessionOptions);
            int B = workload.Batch, T = workload.SeqLength;
            var random = new SeededRandom(12345);
            var ids = new long[B * T];
            for (var i = 0; i < ids.Length; i++)
                ids[i] = random.Next(spec.InputWidth);
            var lengths = Enumerable.Repeat(T, B).ToArray();
            var ours = new Timed(session,
            [
                OnnxRuntimeTensor.FromInt64s(OnnxModelContract.TokenInput, ids, B, T),
                OnnxRuntimeTensor.FromInt32s(OnnxModelContract.SequenceLengths, lengths, B),
            ], [OnnxModelContract.Logits]);
            using var peerSession = peerModel is null ? null : OnnxSession.FromFile(peerModel, sessionOptions);
            var peer = peerSession is null ? null : new Timed(peerSession, [PeerInput(peerSession, peerModel!, ids, B, T)], [peerSession.Outputs[0].Name]);

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
                ours.Line(workload, BenchRunner.Printed(SystemName), threads, $"exported by MlNetRnn, run through its binding{(peer is null ? "" : $"; alternating blocks with {Path.GetFileName(peerModel)}")}"),
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
    private static OnnxRuntimeTensor PeerInput(OnnxSession session, string modelPath, long[] batchMajorIds, int B, int T)
    {
        if (session.Inputs.Count != 1 || session.Inputs[0].ElementType != OnnxElementType.Int64 || session.Inputs[0].Shape.Count != 2)
            throw new ArgumentException(
                $"--peer-model {modelPath}: expected one int64 input of rank 2 (token ids [{T}, batch] or [batch, {T}]), found " +
                string.Join(", ", session.Inputs.Select(i => $"{i.Name} {i.ElementType} [{string.Join(", ", i.Shape)}]")) + ".");
        var input = session.Inputs[0];
        if (input.Shape[1] == T)
            return OnnxRuntimeTensor.FromInt64s(input.Name, batchMajorIds, B, T);
        if (input.Shape[0] != T)
            throw new ArgumentException(
                $"--peer-model {modelPath}: input {input.Name} [{string.Join(", ", input.Shape)}] has no fixed dimension of the workload's {T} steps, so its layout is unknown.");
        var timeMajor = new long[B * T];
        for (var b = 0; b < B; b++)
            for (var t = 0; t < T; t++)
                timeMajor[t * B + b] = batchMajorIds[b * T + t];
        return OnnxRuntimeTensor.FromInt64s(input.Name, timeMajor, T, B);
    }

    private sealed class Timed(OnnxSession session, OnnxRuntimeTensor[] inputs, string[] outputs)
    {
        private readonly List<double> _times = [];

        public void Time(Warmup warmup, int calls)
        {
            warmup.Run(() => session.Run(inputs, outputs));
            for (var i = 0; i < calls; i++)
            {
                var clock = Stopwatch.StartNew();
                session.Run(inputs, outputs);
                _times.Add(clock.Elapsed.TotalSeconds);
            }
        }

        public string Line(BenchWorkload workload, string system, int threads, string note)
        {
            var times = _times.Order().ToArray();
            var median = times[times.Length / 2];
            var shown = workload.Metric == "latency_ms" ? $"{median * 1e3:F3}" : $"{workload.Batch / median:F1}";
            return $"{workload.Id} {system} {threads} {workload.Metric} {shown}  # call_ms med={median * 1e3:F3} min={times[0] * 1e3:F3} n={times.Length} " +
                   $"onnxruntime={session.Library.Version} {note}";
        }
    }
}
