using MlNetRnn.Kernels;
using MlNetRnn.Tests.Export;
using MlNetRnn.Training;
using MlNetRnn.Training.Optimizers;

namespace MlNetRnn.Tests.Integrity;

/// <summary>What a fuzz case reads: a model file or a checkpoint, with or without the checksum manifest.</summary>
internal enum SeedKind
{
    Model,
    Checkpoint,
}

/// <summary>An undamaged file the fuzzer mutates, the input its predictions are taken on, and its fingerprint.</summary>
internal sealed record SeedFile(string Name, SeedKind Kind, bool HasManifest, byte[] Bytes, SequenceData Input, string Fingerprint);

/// <summary>
/// The undamaged files of the fuzzer, built the same way every time (random weights from fixed seeds, fixed history
/// durations, fixed zip timestamps), so a case number names the same input on every run: five models (every task,
/// every cell, text, token and dense input, 1-2 layers, both directions) and two checkpoints (Adam with weight
/// averaging and best weights; SGD with momentum, stopped early), each with its checksum manifest and without it (as
/// files written before the manifest existed).
/// </summary>
internal static class SeedFiles
{
    /// <param name="scratch">A folder for the checkpoint reader's files.</param>
    public static IReadOnlyList<SeedFile> Create(string scratch)
    {
        var seeds = new List<SeedFile>();
        foreach (var configuration in new[]
        {
            "binary gru text max", "multiclass lstm tokens mean bidirectional 2layers", "regression-steps rnn-relu dense",
            "tagging gru-lbr0 tokens", "lm gru text",
        })
        {
            using var model = WithHistory(RandomModels.Create(configuration, KernelKind.Native), epochs: 2, options => options);
            var stream = new MemoryStream();
            model.Save(stream);
            AddBoth(seeds, scratch, configuration, SeedKind.Model, ZipContents.Read(stream.ToArray()), Input(model));
        }
        var (adam, adamInput) = AdamCheckpoint();
        AddBoth(seeds, scratch, "checkpoint adam averaged best", SeedKind.Checkpoint, adam, adamInput);
        var (sgd, sgdInput) = SgdCheckpoint();
        AddBoth(seeds, scratch, "checkpoint sgd momentum stopped", SeedKind.Checkpoint, sgd, sgdInput);
        return seeds;
    }

    /// <summary>A fixed input for a model: three sequences of lengths 1 to 6 (text: known and unknown words).</summary>
    public static SequenceData Input(SequenceModel model)
    {
        var spec = model.Spec;
        if (model.Schema.Input == SequenceInputKindOfData.Text)
            return SequenceData.FromTexts(["the cat sat on the mat", "a dog ran zebra", "mat"]);
        if (model.Schema.Input == SequenceInputKindOfData.TokenIds)
            return SequenceData.FromTokenIds([[2, 3, 4, 5, 12, 1], [7], [11, 0, 6]]);
        var random = new SeededRandom(17);
        return SequenceData.FromFeatures(
            [.. new[] { 1, 4, 6 }.Select(length => Enumerable.Range(0, length * spec.InputWidth).Select(_ => random.Uniform(-1f, 1f)).ToArray())],
            spec.InputWidth);
    }

    private static void AddBoth(List<SeedFile> seeds, string scratch, string name, SeedKind kind, ZipContents contents, SequenceData input)
    {
        foreach (var withManifest in new[] { true, false })
        {
            var bytes = (withManifest ? contents.WithFreshManifest() : contents.WithoutManifest()).ToZip();
            using var loaded = LoadOracle.Load(kind == SeedKind.Model ? LoadOracle.ModelStream : LoadOracle.CheckpointFile, bytes, input, scratch);
            var fingerprint = loaded.Fingerprint;
            seeds.Add(new SeedFile(name + (withManifest ? "" : " (no manifest)"), kind, withManifest, bytes, input, fingerprint));
        }
    }

    private static SequenceModel WithHistory(SequenceModel model, int epochs, Func<SequenceModelOptions, SequenceModelOptions> options, bool stopped = false)
    {
        var history = new TrainingHistory(Enumerable.Range(1, epochs).Select(e =>
            new EpochRecord(e, 0.01f, 1.0 / e, new EvaluationMetrics { Count = 20, Loss = 0.5 + 0.1 * Math.Abs(e - 2), Accuracy = 0.75 }, TimeSpan.FromSeconds(1.25 * e))))
        {
            StopReason = stopped ? TrainingHistory.EarlyStoppingReason : "completed",
        };
        using (model)
            return new SequenceModel(model.Schema, model.Spec, model.Parameters, options(model.Options), history);
    }

    private static (ZipContents, SequenceData) AdamCheckpoint()
    {
        using var model = WithHistory(RandomModels.Create("binary gru tokens last", KernelKind.Native, seed: 3), epochs: 3, o => o with
        {
            Epochs = 5, ValidationFraction = 0.2f, EarlyStoppingPatience = 3, WeightAverageDecay = 0.9f,
        });
        var count = model.Parameters.Count;
        var optimizer = new WeightAverager(new AdamOptimizer(count), count, 0.9f);
        optimizer.Restore(30, new Dictionary<string, float[]>
        {
            ["m"] = RandomValues(count, 5, -0.01f, 0.01f), ["v"] = RandomValues(count, 6, 0f, 1e-4f), ["average"] = RandomValues(count, 7, -0.6f, 0.6f),
        });
        var state = new CheckpointState
        {
            CompletedEpochs = 3, RandomState = new SeededRandom(8).State, OptimizerKind = OptimizerKind.Adam, OptimizerSteps = 30,
            BestLoss = 0.5, BestEpoch = 2, EpochsWithoutImprovement = 1,
        };
        return (SaveCheckpoint(model, optimizer, state, RandomValues(count, 9, -0.6f, 0.6f)), Input(model));
    }

    private static (ZipContents, SequenceData) SgdCheckpoint()
    {
        using var model = WithHistory(RandomModels.Create("regression gru dense max", KernelKind.Native, seed: 4), epochs: 4, o => o with
        {
            Epochs = 6, Optimizer = OptimizerKind.Sgd, Momentum = 0.9f, ValidationFraction = 0.2f, EarlyStoppingPatience = 2, RestoreBestWeights = false,
        }, stopped: true);
        var count = model.Parameters.Count;
        var optimizer = new SgdOptimizer(count, momentum: 0.9f);
        optimizer.Restore(40, new Dictionary<string, float[]> { ["velocity"] = RandomValues(count, 10, -0.01f, 0.01f) });
        var state = new CheckpointState
        {
            CompletedEpochs = 4, RandomState = new SeededRandom(11).State, OptimizerKind = OptimizerKind.Sgd, OptimizerSteps = 40,
            BestLoss = 0.5, BestEpoch = 2, EpochsWithoutImprovement = 2, Stopped = true,
        };
        return (SaveCheckpoint(model, optimizer, state, bestValues: null), Input(model));
    }

    private static ZipContents SaveCheckpoint(SequenceModel model, IOptimizer optimizer, CheckpointState state, float[]? bestValues)
    {
        var path = Path.Combine(Path.GetTempPath(), $"mlnetrnn-seed-{Guid.NewGuid():N}.ckpt");
        try
        {
            Checkpoint.Save(path, model, optimizer, state, bestValues);
            return ZipContents.Read(File.ReadAllBytes(path));
        }
        finally
        {
            File.Delete(path);
        }
    }

    private static float[] RandomValues(int count, int seed, float low, float high)
    {
        var random = new SeededRandom((ulong)seed);
        return Enumerable.Range(0, count).Select(_ => random.Uniform(low, high)).ToArray();
    }
}
