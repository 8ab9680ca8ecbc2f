using System.Diagnostics;
using MlNetRnn;
using MlNetRnn.Network;
using MlNetRnn.Persistence;
using MlNetRnn.Tests.Integrity;
using MlNetRnn.Tests.Training;
using MlNetRnn.Training;

// Test-only: see MlNetRnn.IntegrityTool.csproj.
return args.FirstOrDefault() switch
{
    "fuzz" => Fuzz(args[1..]),
    "train" => Train(args[1..]),
    "scoring-memory" => ScoringMemory.Run(args[1..]),
    _ => Usage(),
};

static int Usage()
{
    Console.Error.WriteLine("""
        usage: MlNetRnn.IntegrityTool fuzz [--readers model,onnx,input] [--cases N] [--seed S] [--first I] [--case I] [--failures DIR] [--timeout SECONDS] [--verbose]
               MlNetRnn.IntegrityTool train --checkpoint PATH --model PATH [--slow-checkpoint-writes]
               MlNetRnn.IntegrityTool scoring-memory --path native|onnx [--no-arena] [--threads 1,2,4,8,16] [--calls N]
        """);
    return 2;
}

static string? Option(string[] args, string name) =>
    Array.IndexOf(args, name) is var i and >= 0 && i + 1 < args.Length ? args[i + 1] : null;

// The long campaign: for each family of readers (model: .mlnr and checkpoint loaders; onnx: the importer and the
// predictor's loader; input: the CLI's CSV/TSV/JSON-lines/text readers) --cases cases, counts per reader and mutation,
// the failures (written to --failures as files to replay with --readers F --case I).
static int Fuzz(string[] args)
{
    var seed = int.Parse(Option(args, "--seed") ?? "1");
    var first = int.Parse(Option(args, "--first") ?? "0");
    var cases = int.Parse(Option(args, "--cases") ?? "20000");
    if (Option(args, "--case") is { } single)
        (first, cases) = (int.Parse(single), 1);
    var families = (Option(args, "--readers") ?? "model,onnx,input").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
    var failures = Option(args, "--failures");
    var verbose = args.Contains("--verbose");
    var timeout = TimeSpan.FromSeconds(double.Parse(Option(args, "--timeout") ?? "10"));
    var failed = false;
    foreach (var family in families)
    {
        var scratch = Directory.CreateTempSubdirectory("mlnetrnn-fuzz");
        try
        {
            Func<int, int, Action<FuzzCampaign.Case>, List<FuzzCampaign.Case>> run;
            string setup;
            switch (family)
            {
                case "model":
                {
                    var campaign = new FuzzCampaign(scratch.FullName) { Timeout = timeout };
                    run = (f, n, progress) => campaign.Run(seed, f, n, progress);
                    setup = $"{campaign.Seeds.Count} seed files, memory bound {campaign.MemoryBound >> 20} MiB per read";
                    break;
                }
                case "onnx":
                {
                    var campaign = new OnnxFuzzCampaign(scratch.FullName) { Timeout = timeout };
                    run = (f, n, progress) => campaign.Run(seed, f, n, progress);
                    setup = $"{campaign.Seeds.Count} seed files, memory bound {campaign.MemoryBound >> 20} MiB per read (managed)";
                    break;
                }
                case "input":
                {
                    var campaign = new InputFuzzCampaign(scratch.FullName) { Timeout = timeout * 2 };
                    run = (f, n, progress) => campaign.Run(seed, f, n, progress);
                    setup = $"{campaign.Seeds.Count} seed files, memory bound {campaign.MemoryBound >> 20} MiB per read";
                    break;
                }
                default:
                    Console.Error.WriteLine($"fuzz: unknown reader family '{family}'; expected model, onnx or input");
                    return 2;
            }
            Console.WriteLine($"fuzz {family}: seed {seed}, cases {first}..{first + cases - 1}, {setup}, timeout {timeout.TotalSeconds} s");
            var clock = Stopwatch.StartNew();
            var done = 0;
            var results = run(first, cases, c =>
            {
                if (cases == 1 || verbose)
                    Console.WriteLine($"case {c.Number} [{c.Reader}, {c.SeedName}] {c.Mutation.Category}: {c.Mutation.Description}\n{c.Result.Outcome}: {c.Result.Detail}");
                if (c.Result.Outcome == Outcome.Failed && failures is not null)
                {
                    Directory.CreateDirectory(failures);
                    var name = $"case-{c.Number}-{c.Reader}{c.Extension}";
                    File.WriteAllBytes(Path.Combine(failures, name), c.Mutation.Bytes);
                    File.WriteAllText(Path.Combine(failures, name + ".txt"), $"seed {seed} case {c.Number} [{c.Reader}, {c.SeedName}] {c.Mutation.Category}: {c.Mutation.Description}\n{c.Result.Detail}\n");
                }
                if (++done % 1000 == 0)
                    Console.WriteLine($"  {done} cases, {clock.Elapsed.TotalSeconds:F0} s");
            });
            Console.WriteLine(FuzzCampaign.Summarize(results));
            Console.WriteLine($"{family}: {results.Count} cases in {clock.Elapsed.TotalSeconds:F1} s");
            failed |= results.Any(c => c.Result.Outcome == Outcome.Failed);
        }
        finally
        {
            scratch.Delete(recursive: true);
        }
    }
    return failed ? 1 : 0;
}

// The child of the killed-training test: a small model, a checkpoint after every epoch, resumed when one exists. It
// prints "batch" after every batch (20 an epoch), so the parent can kill it a number of batches in, whatever the
// machine's speed. With --slow-checkpoint-writes each checkpoint write prints "writing" and takes ~1 ms per KiB, so the
// parent can kill the process in the middle of one.
static int Train(string[] args)
{
    var checkpoint = Option(args, "--checkpoint") ?? throw new ArgumentException("--checkpoint is required");
    var output = Option(args, "--model") ?? throw new ArgumentException("--model is required");
    if (args.Contains("--slow-checkpoint-writes"))
        AtomicFile.WrapTemporaryStreamForTests = stream => IsCheckpointTemporary(stream) ? new SlowStream(stream) : stream;
    var options = new SequenceModelOptions
    {
        Task = SequenceTask.MulticlassClassification, Kernel = KernelKind.Native, Threads = 1,
        EmbeddingSize = 16, HiddenSize = 48, BatchSize = 16, Epochs = 14, LearningRate = 0.01f, Seed = 5,
        Dropout = 0.1f, ValidationFraction = 0.2f, WeightAverageDecay = 0.9f, CheckpointPath = checkpoint,
    };
    Console.WriteLine("training");
    using var model = new SequenceModelEstimator(options).Fit(SyntheticTasks.MarkerPosition(400, seed: 1), progress: new LineProgress());
    model.Save(output);
    Console.WriteLine("done");
    return 0;
}

static bool IsCheckpointTemporary(Stream stream) =>
    stream is FileStream file && Path.GetFileName(file.Name).Contains(".ckpt.", StringComparison.Ordinal);

/// <summary>Prints "batch" after every training batch, at once (not through a synchronisation context).</summary>
internal sealed class LineProgress : IProgress<TrainingProgress>
{
    public void Report(TrainingProgress value)
    {
        if (value.Completed is null)
            Console.WriteLine("batch");
    }
}

/// <summary>Passes writes through, ~1 ms per KiB, and says when the first one starts.</summary>
internal sealed class SlowStream(Stream inner) : Stream
{
    private bool _started;

    public override bool CanRead => false;
    public override bool CanSeek => inner.CanSeek;
    public override bool CanWrite => true;
    public override long Length => inner.Length;

    public override long Position
    {
        get => inner.Position;
        set => inner.Position = value;
    }

    public override void Write(byte[] buffer, int offset, int count) => Write(buffer.AsSpan(offset, count));

    public override void Write(ReadOnlySpan<byte> buffer)
    {
        if (!_started)
        {
            _started = true;
            Console.WriteLine("writing");
        }
        inner.Write(buffer);
        inner.Flush();
        Thread.Sleep(1 + buffer.Length / 1024);
    }

    public override void Flush() => inner.Flush();
    public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    public override long Seek(long offset, SeekOrigin origin) => inner.Seek(offset, origin);
    public override void SetLength(long value) => inner.SetLength(value);
}
