using System.Diagnostics;
using MlNetRnn.Kernels;
using MlNetRnn.Network;
using MlNetRnn.Training;

namespace MlNetRnn.Cli.Bench;

/// <summary>
/// Runs one workload and prints one line in the WORKLOADS.md format, "workload system threads metric value", with the
/// step-time distribution and memory after a '#'. Timed steps: the median of at least 20 (30 by default, as the peer
/// scripts) after at least 3 warm-ups and at least <see cref="Warmup.Seconds"/> of warming up, over 4 pre-generated
/// batches cycled.
/// </summary>
internal static class BenchRunner
{
    public const string SystemName = "mlnetrnn";

    /// <summary>System name of the lines <see cref="RunPair"/> prints: two workloads timed in one process.</summary>
    public const string PairedSystemName = "mlnetrnn-paired";

    /// <summary>
    /// The system name as printed: "-aot" appended when this process runs compiled ahead of time (NativeAOT: no JIT,
    /// no IL, only the code it uses), so its lines stay apart from the JIT-compiled CLI's in the ratio table.
    /// </summary>
    public static string Printed(string system) =>
        System.Runtime.CompilerServices.RuntimeFeature.IsDynamicCodeSupported ? system : system + "-aot";

    public static string Run(BenchWorkload workload, int threads, KernelKind kernelKind, Warmup warmup, int steps, double seconds = 0)
    {
        var baseline = ProcessMemory.CurrentRssBytes();
        var kernel = KernelFactory.Create(kernelKind, threads);
        try
        {
            var timed = new TimedWorkload(workload, kernel);
            timed.Time(warmup, steps, seconds);
            var memory = workload.Training ? ModelMemory(timed.Network, kernel, timed.FirstWindow) : 0;
            var peak = ProcessMemory.PeakRssBytes();
            // InvariantGlobalization is on (Directory.Build.props): numbers always print with a '.'.
            var details = timed.Distribution() + $" kernel={kernelKind.ToString().ToLowerInvariant()} peak_rss_mb={peak / 1e6:F1} baseline_rss_mb={baseline / 1e6:F1}" +
                (workload.Training ? $" accounted_mb={memory / 1e6:F1} rss_over_accounted={(peak - baseline) / (double)memory:F2}" +
                    $" anon_rss_mb={timed.PeakAnonymousBytes / 1e6:F1} anon_over_accounted={timed.PeakAnonymousBytes / (double)memory:F2}" : "") +
                (workload.RaggedLengths ? $" real_steps={timed.RealFraction:P1}" : "");
            return timed.Line(Printed(SystemName), threads, details);
        }
        finally
        {
            (kernel as IDisposable)?.Dispose();
        }
    }

    /// <summary>
    /// Times two training workloads in this process on one kernel, alternating blocks of steps (which goes first
    /// alternates), so their ratio compares the workloads and not two moments of a noisy host (W5 against W1: its
    /// throughput per real token). One line per workload, system <see cref="PairedSystemName"/>; the first's details
    /// carry the ratio of real tokens per second, first over second.
    /// </summary>
    public static IReadOnlyList<string> RunPair(BenchWorkload first, BenchWorkload second, int threads, KernelKind kernelKind, Warmup warmup, int steps)
    {
        if (!first.Training || !second.Training)
            throw new ArgumentException($"--alternate-with pairs training workloads (w1, w2, w3, w5, w6, w7, w7-t<T>), got {first.Id} and {second.Id}.", nameof(second));
        var kernel = KernelFactory.Create(kernelKind, threads);
        try
        {
            var a = new TimedWorkload(first, kernel);
            var b = new TimedWorkload(second, kernel);
            const int blocks = 10;
            var perBlock = (steps + blocks - 1) / blocks;
            for (var block = 0; block < blocks; block++)
            {
                var (one, two) = block % 2 == 0 ? (a, b) : (b, a);
                one.Time(block == 0 ? warmup : Warmup.BetweenBlocks, perBlock);
                two.Time(block == 0 ? warmup : Warmup.BetweenBlocks, perBlock);
            }
            var ratio = a.RealTokensPerSecond / b.RealTokensPerSecond;
            var note = $" kernel={kernelKind.ToString().ToLowerInvariant()} alternating blocks with {{0}}";
            return
            [
                a.Line(Printed(PairedSystemName), threads, a.Distribution() + string.Format(note, second.Id) +
                    $" real_token_ratio_vs_{second.Id}={ratio:F3}" + (first.RaggedLengths ? $" real_steps={a.RealFraction:P1}" : "")),
                b.Line(Printed(PairedSystemName), threads, b.Distribution() + string.Format(note, first.Id) +
                    (second.RaggedLengths ? $" real_steps={b.RealFraction:P1}" : "")),
            ];
        }
        finally
        {
            (kernel as IDisposable)?.Dispose();
        }
    }

    /// <summary>
    /// Bytes training needs by the formula the README states: parameters + gradients + optimizer state (Adam m and v,
    /// or SGD velocity) + what backward keeps (each layer's reserve, its Y when read by the next layer or the
    /// read-out, the embedded input) + the batch itself.
    /// </summary>
    private static long ModelMemory(SequenceNetwork network, ISequenceKernel kernel, SequenceBatch batch)
    {
        var spec = network.Spec;
        long floats = 2L * network.Parameters.Count;                              // values + gradients
        floats += spec.Task == SequenceTask.Tagging ? 0 : 2L * network.Parameters.Count;  // Adam m, v (W3 runs plain SGD)
        for (var l = 0; l < spec.Layers; l++)
        {
            var d = network.Descriptors[l];
            floats += kernel.ReserveSize(d, batch.SeqLength, batch.Batch);
            if (l < spec.Layers - 1 || spec.ReadOut != ReadOutKind.LastState)
                floats += d.OutputLength(batch.SeqLength, batch.Batch);
        }
        if (spec.InputKind == SequenceInputKind.Tokens)
            floats += (long)batch.SeqLength * batch.Batch * spec.EmbeddingSize;
        floats += batch.Features?.Length ?? 0;
        return floats * sizeof(float) + (batch.Tokens?.Length ?? 0) * sizeof(int);
    }

    private static double Quantile(List<double> sorted, double q)
    {
        var position = q * (sorted.Count - 1);
        var lower = (int)Math.Floor(position);
        var upper = Math.Min(lower + 1, sorted.Count - 1);
        return sorted[lower] + (sorted[upper] - sorted[lower]) * (position - lower);
    }

    /// <summary>A workload's network, optimizer and batches (random weights and data from the bench seed), and its step times.</summary>
    private sealed class TimedWorkload
    {
        private readonly BenchWorkload _workload;
        private readonly TrainingStep? _step;
        private readonly List<double> _times = [];
        private readonly SequenceBatch[][] _windows;
        private int _calls;

        public TimedWorkload(BenchWorkload workload, ISequenceKernel kernel)
        {
            _workload = workload;
            var random = new SeededRandom(7);
            Network = new SequenceNetwork(workload.Spec, kernel);
            Initializer.Initialize(workload.Spec, Network.Parameters, random);
            Batches = Enumerable.Range(0, 4).Select(_ => workload.RandomBatch(random)).ToArray();
            _windows = Batches.Select(workload.Windows).ToArray();
            _step = workload.Training
                ? new TrainingStep(Network, workload.CreateLoss(), workload.CreateOptimizer(Network.Parameters.Count, kernel)) { ClipNorm = workload.ClipNorm }
                : null;
        }

        public SequenceNetwork Network { get; }

        /// <summary>What one training step runs on: the first batch, or its first window (W7).</summary>
        public SequenceBatch FirstWindow => _windows[0][0];

        public SequenceBatch[] Batches { get; }

        public double RealFraction => Batches.Average(b => b.RealSteps / (double)(b.SeqLength * b.Batch));

        public double Median => Quantile(Sorted(), 0.5);

        /// <summary>Real (unpadded) steps per second of the median step.</summary>
        public double RealTokensPerSecond => Batches.Average(b => (double)b.RealSteps) / Median;

        /// <summary>
        /// The largest private resident memory seen after the warm-up and after the timed steps (read outside the timed
        /// steps; a step allocates nothing once warm, so it stays flat between them).
        /// </summary>
        public long PeakAnonymousBytes { get; private set; }

        /// <summary>
        /// Warms up, then times <paramref name="steps"/> steps, or (with <paramref name="seconds"/> &gt; 0) fewer where
        /// that many seconds of timed steps have passed first, but never fewer than <see cref="MinimumTimedSteps"/>.
        /// </summary>
        public void Time(Warmup warmup, int steps, double seconds = 0)
        {
            warmup.Run(() => Step());
            PeakAnonymousBytes = Math.Max(PeakAnonymousBytes, ProcessMemory.CurrentAnonymousBytes());
            var timed = 0.0;
            for (var i = 0; i < steps && !(seconds > 0 && i >= MinimumTimedSteps && timed >= seconds); i++)
            {
                _times.Add(Step());
                timed += _times[^1];
            }
            PeakAnonymousBytes = Math.Max(PeakAnonymousBytes, ProcessMemory.CurrentAnonymousBytes());
        }

        /// <summary>The fewest timed steps a time limit (bench --seconds) leaves.</summary>
        public const int MinimumTimedSteps = 5;

        private double Step()
        {
            var index = _calls++ % Batches.Length;
            var clock = Stopwatch.StartNew();
            if (_step is null)
            {
                Network.Forward(Batches[index], training: false);
            }
            else if (_workload.Window > 0)
            {
                // W7: truncated BPTT, one training step per window, each window starting from the previous one's final
                // state (no gradient flows back into it), the first from zeros.
                Network.InitialStates = null;
                foreach (var window in _windows[index])
                {
                    _step.Run(window, _workload.LearningRate, null);
                    Network.InitialStates = Network.FinalStates();
                }
                Network.InitialStates = null;
            }
            else
            {
                _step.Run(Batches[index], _workload.LearningRate, null);
            }
            return clock.Elapsed.TotalSeconds;
        }

        public string Distribution()
        {
            var times = Sorted();
            return $"step_ms med={Quantile(times, 0.5) * 1e3:F2} q1={Quantile(times, 0.25) * 1e3:F2} q3={Quantile(times, 0.75) * 1e3:F2} min={times[0] * 1e3:F2} n={times.Count}";
        }

        public string Line(string system, int threads, string details)
        {
            var median = Median;
            var units = _workload.UnitsPerStep(Batches[0]);
            var value = _workload.Metric == "latency_ms" ? median * 1e3 : units / median;
            var shown = _workload.Metric == "latency_ms" ? $"{value:F3}" : $"{value:F1}";
            return $"{_workload.Id} {system} {threads} {_workload.Metric} {shown}  # {details}";
        }

        private List<double> Sorted() => _times.Order().ToList();
    }
}
