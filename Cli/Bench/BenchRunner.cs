using System.Diagnostics;
using MlNetRnn.Kernels;
using MlNetRnn.Network;
using MlNetRnn.Training;

namespace MlNetRnn.Cli.Bench;

/// <summary>
/// Runs one workload and prints one line in the WORKLOADS.md format, "workload system threads metric value", with the
/// step-time distribution and memory after a '#'. Timed steps: the median of at least 20 after at least 3 warm-ups,
/// over 4 pre-generated batches cycled.
/// </summary>
internal static class BenchRunner
{
    public const string SystemName = "mlnetrnn";

    public static string Run(BenchWorkload workload, int threads, KernelKind kernelKind, int warmup, int steps)
    {
        var baseline = ProcessMemory.CurrentRssBytes();
        var kernel = KernelFactory.Create(kernelKind, threads);
        try
        {
            var random = new SeededRandom(7);
            var network = new SequenceNetwork(workload.Spec, kernel);
            Initializer.Initialize(workload.Spec, network.Parameters, random);
            var batches = Enumerable.Range(0, 4).Select(_ => workload.RandomBatch(random)).ToArray();
            var step = workload.Training
                ? new TrainingStep(network, workload.CreateLoss(), workload.CreateOptimizer(network.Parameters.Count, kernel)) { ClipNorm = workload.ClipNorm }
                : null;

            var times = new List<double>();
            for (var i = 0; i < warmup + steps; i++)
            {
                var batch = batches[i % batches.Length];
                var clock = Stopwatch.StartNew();
                if (step is not null)
                    step.Run(batch, workload.LearningRate, null);
                else
                    network.Forward(batch, training: false);
                var seconds = clock.Elapsed.TotalSeconds;
                if (i >= warmup)
                    times.Add(seconds);
            }
            times.Sort();
            var median = Quantile(times, 0.5);
            var units = workload.UnitsPerStep(batches[0]);
            var value = workload.Metric == "latency_ms" ? median * 1e3 : units / median;
            var shown = workload.Metric == "latency_ms" ? $"{value:F3}" : $"{value:F1}";
            var realFraction = batches.Average(b => b.RealSteps / (double)(b.SeqLength * b.Batch));
            var memory = workload.Training ? ModelMemory(network, kernel, batches[0]) : 0;
            var peak = ProcessMemory.PeakRssBytes();
            // InvariantGlobalization is on (Directory.Build.props): numbers always print with a '.'.
            var details =
                $"step_ms med={median * 1e3:F2} q1={Quantile(times, 0.25) * 1e3:F2} q3={Quantile(times, 0.75) * 1e3:F2} min={times[0] * 1e3:F2} n={times.Count}" +
                $" kernel={kernelKind.ToString().ToLowerInvariant()} peak_rss_mb={peak / 1e6:F1} baseline_rss_mb={baseline / 1e6:F1}" +
                (workload.Training ? $" accounted_mb={memory / 1e6:F1} rss_over_accounted={(peak - baseline) / (double)memory:F2}" : "") +
                (workload.RaggedLengths ? $" real_steps={realFraction:P1}" : "");
            return $"{workload.Id} {SystemName} {threads} {workload.Metric} {shown}  # {details}";
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
}
