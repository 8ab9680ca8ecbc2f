using System.CommandLine;
using MlNetRnn.Cli.Bench;

namespace MlNetRnn.Cli.Commands;

/// <summary>`mlnetrnn bench --workload w1|...|all --threads N`: the workloads of docs/workloads.md.</summary>
internal static class BenchCommand
{
    public static Command Create()
    {
        var workload = new Option<string>("--workload") { Description = $"One of {string.Join(", ", BenchWorkload.Ids)}, or all.", DefaultValueFactory = _ => "all" };
        var threads = new Option<int>("--threads") { Description = "Kernel threads.", DefaultValueFactory = _ => 1 };
        var kernel = new Option<KernelKind>("--kernel") { Description = "native or reference.", DefaultValueFactory = _ => KernelKind.Native };
        var warmup = new Option<int>("--warmup") { Description = "Untimed steps first (at least 3).", DefaultValueFactory = _ => 3 };
        var warmupSeconds = new Option<double>("--warmup-seconds")
        {
            Description = "Keep warming up until this much time has passed too (.NET's tiered JIT recompiles the step's code in the first second or so, on a background thread that takes a core).",
            DefaultValueFactory = _ => 2.0,
        };
        var steps = new Option<int>("--steps") { Description = "Timed steps (at least 20).", DefaultValueFactory = _ => 30 };
        var seconds = new Option<double>("--seconds")
        {
            Description = "Stop timing a training or kernel-inference workload once this many seconds of timed steps have passed, after at least 5 steps, even short of --steps (0: time all of --steps). For short runs and the sweep; the result line's n= says how many were timed.",
            DefaultValueFactory = _ => 0,
        };
        var runtime = new Option<string>("--runtime")
        {
            Description = "kernel (MlNetRnn's kernel) or onnx (W4 only: the exported model in ONNX Runtime).", DefaultValueFactory = _ => "kernel",
        };
        var peerModel = new Option<string?>("--peer-model")
        {
            Description = "With --runtime onnx: an ONNX file of the same workload exported by another tool (e.g. torch.onnx.export), timed in the same process, alternating with MlNetRnn's export.",
        };
        var alternateWith = new Option<string?>("--alternate-with")
        {
            Description = "A second training workload (e.g. w1 beside w5) timed in the same process on the same kernel, alternating blocks of steps; prints both, and the first's real tokens per second over the second's.",
        };
        var command = new Command("bench", "Time the benchmark workloads (W1-W7 of docs/workloads.md); one result line each.")
        {
            workload, threads, kernel, warmup, warmupSeconds, steps, seconds, runtime, peerModel, alternateWith,
        };
        command.SetAction(result =>
        {
            var onnx = result.GetValue(runtime) switch
            {
                "kernel" => false,
                "onnx" => true,
                var other => (bool?)null,
            };
            if (onnx is null)
            {
                Console.Error.WriteLine($"bench: --runtime must be kernel or onnx, got '{result.GetValue(runtime)}'.");
                return 2;
            }
            var peer = result.GetValue(peerModel);
            if (peer is not null && !onnx.Value)
            {
                Console.Error.WriteLine("bench: --peer-model needs --runtime onnx.");
                return 2;
            }
            if (peer is not null && !File.Exists(peer))
            {
                Console.Error.WriteLine($"bench: --peer-model '{peer}' does not exist (expected an ONNX file, e.g. from shared/bench/peers/export_onnx.py).");
                return 2;
            }
            var alternate = result.GetValue(alternateWith);
            if (alternate is not null && (onnx.Value || result.GetValue(workload) is "all" or null))
            {
                Console.Error.WriteLine("bench: --alternate-with pairs one training workload (--workload w1|w2|w3|w5|w6|w7, e.g. w7 with w7-t200) with another, on the kernel runtime.");
                return 2;
            }
            var ids = result.GetValue(workload) is "all" or null
                ? onnx.Value ? BenchWorkload.Ids.Where(i => i.StartsWith("w4", StringComparison.Ordinal)).ToArray() : BenchWorkload.Ids
                : [result.GetValue(workload)!];
            var threadCount = result.GetValue(threads);
            var warm = new Warmup(result.GetValue(warmup), result.GetValue(warmupSeconds));
            if (threadCount <= 0 || warm.Steps < 3 || !(warm.Seconds >= 0) || result.GetValue(steps) < 20 || !(result.GetValue(seconds) >= 0))
            {
                Console.Error.WriteLine("bench: --threads must be positive, --warmup at least 3, --warmup-seconds at least 0, --steps at least 20 and --seconds at least 0.");
                return 2;
            }
            foreach (var id in ids)
            {
                BenchWorkload w;
                try
                {
                    w = BenchWorkload.Get(id);
                }
                catch (ArgumentException e)
                {
                    Console.Error.WriteLine($"bench: {e.Message}");
                    return 2;
                }
                var stepCount = w.Id == "w4-b1" ? Math.Max(result.GetValue(steps), 300) : result.GetValue(steps);
                if (onnx.Value && w.Training)
                {
                    Console.Error.WriteLine($"bench: --runtime onnx times inference only (w4-b1, w4-b256), not {w.Id}.");
                    return 2;
                }
                if (!onnx.Value && alternate is not null)
                {
                    try
                    {
                        foreach (var line in BenchRunner.RunPair(w, BenchWorkload.Get(alternate), threadCount, result.GetValue(kernel), warm, stepCount))
                            Console.WriteLine(line);
                    }
                    catch (ArgumentException e)
                    {
                        Console.Error.WriteLine($"bench: {e.Message}");
                        return 2;
                    }
                    continue;
                }
                if (!onnx.Value)
                {
                    Console.WriteLine(BenchRunner.Run(w, threadCount, result.GetValue(kernel), warm, stepCount, result.GetValue(seconds)));
                    continue;
                }
                IReadOnlyList<string> lines;
                try
                {
                    lines = OnnxBenchRunner.Run(w, threadCount, warm, stepCount, peer);
                }
                catch (ArgumentException e) when (peer is not null)
                {
                    Console.Error.WriteLine($"bench: {e.Message}");
                    return 2;
                }
                foreach (var line in lines)
                    Console.WriteLine(line);
            }
            return 0;
        });
        return command;
    }
}
