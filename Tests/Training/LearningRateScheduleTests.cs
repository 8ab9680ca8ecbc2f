using System.Text.Json;
using MlNetRnn.Persistence;
using MlNetRnn.Training;

namespace MlNetRnn.Tests.Training;

/// <summary>
/// Learning-rate schedules against torch.optim.lr_scheduler (PyTorch 1.13): CosineAnnealingLR, CosineAnnealingWarmRestarts,
/// StepLR and ExponentialLR after a LinearLR warm-up (SequentialLR), and ReduceLROnPlateau fed validation losses, with
/// and without a warm-up. Fixture: Tests/Fixtures/generate_pytorch_schedule_fixtures.py. Then the training loop: it
/// steps the schedule as the fixture does, and a resumed run continues the plateau watch where it stopped.
/// </summary>
public class LearningRateScheduleTests
{
    private static JsonElement[] LoadCases()
    {
        var path = Path.Combine(RepositoryPaths.Tests, "Fixtures", "pytorch-schedules", "schedules.json");
        using var json = JsonDocument.Parse(File.ReadAllText(path));
        return json.RootElement.GetProperty("cases").EnumerateArray().Select(c => c.Clone()).ToArray();
    }

    public static TheoryData<string> Cases() => new(LoadCases().Select(c => c.GetProperty("name").GetString()!));

    private static LearningRateSchedule FromFixture(JsonElement s)
    {
        int Int(string key, int fallback) => s.TryGetProperty(key, out var v) ? v.GetInt32() : fallback;
        float Float(string key, float fallback) => s.TryGetProperty(key, out var v) ? v.GetSingle() : fallback;
        var schedule = s.GetProperty("kind").GetString() switch
        {
            "Cosine" => LearningRateSchedule.Cosine(Int("cycle", 0), Float("minimum", 0f)),
            "CosineWithRestarts" => LearningRateSchedule.CosineWithRestarts(Int("cycle", 0), Int("multiplier", 1), Float("minimum", 0f)),
            "StepDecay" => LearningRateSchedule.StepDecay(Int("every", 1), Float("factor", 1f)),
            "Exponential" => LearningRateSchedule.Exponential(Float("factor", 1f)),
            "ReduceOnPlateau" => LearningRateSchedule.ReduceOnPlateau(Float("factor", 0.1f), Int("patience", 10), Int("cooldown", 0),
                Float("minimum", 0f), Float("threshold", 1e-4f)),
            _ => LearningRateSchedule.Constant,
        };
        return Int("warmup", 0) > 0 ? schedule.WithWarmup(Int("warmup", 0), Float("warmup_start", 0.1f)) : schedule;
    }

    /// <summary>Every rate within float rounding of PyTorch's (its rates are doubles, ours floats of a float base rate).</summary>
    [Theory]
    [MemberData(nameof(Cases))]
    public void RatesMatchPyTorch(string name)
    {
        var c = LoadCases().Single(e => e.GetProperty("name").GetString() == name);
        var schedule = FromFixture(c.GetProperty("schedule"));
        var baseRate = c.GetProperty("base_rate").GetSingle();
        var expected = c.GetProperty("rates").EnumerateArray().Select(v => v.GetDouble()).ToArray();
        double[]? losses = c.GetProperty("losses").ValueKind == JsonValueKind.Null ? null
            : c.GetProperty("losses").EnumerateArray().Select(v => v.GetDouble()).ToArray();
        var units = schedule.Kind == LearningRateScheduleKind.ReduceOnPlateau ? new[] { ScheduleUnit.Epochs } : [ScheduleUnit.Epochs, ScheduleUnit.Steps];
        foreach (var unit in units)
        {
            var scheduler = new LearningRateScheduler(schedule with { Unit = unit }, baseRate);
            for (var t = 0; t < expected.Length; t++)
            {
                // Per epoch: the epoch is t (one step per epoch here); per step: the step is t within epoch 0.
                var rate = unit == ScheduleUnit.Epochs ? scheduler.Rate(t, step: 1000 + t) : scheduler.Rate(0, step: t);
                Assert.True(Math.Abs(rate - expected[t]) <= 1e-12 + 1e-6 * expected[t],
                    $"{name} ({unit}) at t={t}: {rate:G9}, PyTorch {expected[t]:G9}");
                if (losses is not null)
                {
                    scheduler.EndEpoch(t, losses[t]);
                    // The state survives a checkpoint's JSON: a scheduler restored from it goes on identically.
                    var saved = ModelArchive.Serialize(new CheckpointState { Plateau = scheduler.Plateau });
                    scheduler = new LearningRateScheduler(schedule, baseRate) { Plateau = ModelArchive.Deserialize<CheckpointState>(saved)!.Plateau };
                }
            }
        }
    }

    [Fact]
    public void CosineStaysAtItsFloorAfterTheCycle()
    {
        var schedule = LearningRateSchedule.Cosine(4, minimumRate: 0.01f).WithWarmup(2, 0.5f);
        Assert.Equal(0.05f, schedule.Rate(0.1f, 0), 7);
        Assert.Equal(0.1f, schedule.Rate(0.1f, 2), 7);
        Assert.Equal(0.01f, schedule.Rate(0.1f, 6), 7);
        Assert.Equal(0.01f, schedule.Rate(0.1f, 7), 7);
        Assert.Equal(0.01f, schedule.Rate(0.1f, 1000), 7);
        // The existing kinds keep their float formula (and so the bits of runs trained before).
        Assert.Equal(0.1f * MathF.Pow(0.5f, 2), LearningRateSchedule.StepDecay(3, 0.5f).Rate(0.1f, 7));
    }

    [Fact]
    public void InvalidSchedulesNameTheProblem()
    {
        Assert.Contains("CycleLength", Assert.Throws<ArgumentException>(() => LearningRateSchedule.Cosine(0).Validate()).Message);
        Assert.Contains("CycleMultiplier", Assert.Throws<ArgumentException>(() => LearningRateSchedule.CosineWithRestarts(3, 0).Validate()).Message);
        Assert.Contains("factor in (0, 1)", Assert.Throws<ArgumentException>(() => LearningRateSchedule.ReduceOnPlateau(factor: 1f).Validate()).Message);
        Assert.Contains("Unit must be Epochs", Assert.Throws<ArgumentException>(() => (LearningRateSchedule.ReduceOnPlateau() with { Unit = ScheduleUnit.Steps }).Validate()).Message);
        Assert.Contains("WarmupStartFactor", Assert.Throws<ArgumentException>(() => LearningRateSchedule.Constant.WithWarmup(3, 1f).Validate()).Message);
        var data = SyntheticTasks.SignOfSum(40, seed: 1);
        var options = TrainingLoopTests.Small(SequenceTask.BinaryClassification) with { Schedule = LearningRateSchedule.ReduceOnPlateau() };
        var error = Assert.Throws<ArgumentException>(() => new SequenceModelEstimator(options).Fit(data));
        Assert.Contains("validation", error.Message);
    }

    /// <summary>The loop feeds the plateau watch each epoch's validation loss: the history's rates are what a
    /// scheduler fed the history's validation losses gives (and that scheduler is PyTorch's, by the fixture tests).</summary>
    [Fact]
    public void TrainingFeedsThePlateauWatchTheValidationLoss()
    {
        var data = SyntheticTasks.SignOfSum(160, seed: 31);
        var schedule = LearningRateSchedule.ReduceOnPlateau(factor: 0.5f, patience: 0, threshold: 0.05f).WithWarmup(2, 0.2f);
        var options = TrainingLoopTests.Small(SequenceTask.BinaryClassification) with
        {
            Epochs = 9, ValidationFraction = 0.25f, Schedule = schedule, LearningRate = 0.05f,
        };
        using var model = new SequenceModelEstimator(options).Fit(data);
        var epochs = model.History.Epochs;
        var replay = new LearningRateScheduler(schedule, options.LearningRate);
        for (var e = 0; e < epochs.Count; e++)
        {
            Assert.Equal(replay.Rate(e, 0), epochs[e].LearningRate);
            replay.EndEpoch(e, epochs[e].Validation!.Loss);
        }
        Assert.True(epochs[^1].LearningRate < options.LearningRate, $"no reduction in {string.Join("; ", epochs)}");
    }

    /// <summary>A per-step schedule: the history's rate of each epoch is the rate of its first optimizer step.</summary>
    [Fact]
    public void PerStepSchedulesAdvanceWithEveryBatch()
    {
        var data = SyntheticTasks.SignOfSum(96, seed: 32);
        var schedule = LearningRateSchedule.Cosine(12, 1e-4f).WithWarmup(4, 0f) with { Unit = ScheduleUnit.Steps };
        var options = TrainingLoopTests.Small(SequenceTask.BinaryClassification) with { Epochs = 4, Schedule = schedule, BucketByLength = false };
        using var model = new SequenceModelEstimator(options).Fit(data);
        var batches = (96 + options.BatchSize - 1) / options.BatchSize;
        Assert.Equal(Enumerable.Range(0, 4).Select(e => schedule.Rate(options.LearningRate, e * batches)), model.History.Epochs.Select(e => e.LearningRate));
        Assert.Equal(0f, model.History.Epochs[0].LearningRate);
    }

    [Theory]
    [InlineData("plateau")]
    [InlineData("cosine-steps")]
    public void ResumedRunsContinueTheSchedule(string which)
    {
        var data = SyntheticTasks.SignOfSum(120, seed: 33);
        var schedule = which == "plateau"
            ? LearningRateSchedule.ReduceOnPlateau(factor: 0.5f, patience: 0, cooldown: 1, threshold: 0.15f).WithWarmup(1, 0.5f)
            : LearningRateSchedule.CosineWithRestarts(5, 2, 1e-4f).WithWarmup(3) with { Unit = ScheduleUnit.Steps };
        var directory = Directory.CreateTempSubdirectory("mlnetrnn-schedule-resume");
        try
        {
            var checkpoint = Path.Combine(directory.FullName, "run.ckpt");
            var options = TrainingLoopTests.Small(SequenceTask.BinaryClassification) with
            {
                Epochs = 10, ValidationFraction = 0.25f, Schedule = schedule, LearningRate = 0.03f,
            };
            using var uninterrupted = new SequenceModelEstimator(options).Fit(data);
            using (new SequenceModelEstimator(options with { Epochs = 4, CheckpointPath = checkpoint }).Fit(data))
            {
            }
            using var resumed = new SequenceModelEstimator(options with { CheckpointPath = checkpoint }).Fit(data);
            Assert.Equal(uninterrupted.History.Epochs.Select(e => e.LearningRate), resumed.History.Epochs.Select(e => e.LearningRate));
            Assert.Equal(uninterrupted.Parameters.Values, resumed.Parameters.Values);
            // The plateau watch reduced the rate before the checkpoint and again after it.
            var rates = uninterrupted.History.Epochs.Select(e => e.LearningRate).ToArray();
            if (which == "plateau")
                Assert.True(rates[..4].Min() < options.LearningRate && rates[^1] < rates[..4].Min(), string.Join("; ", uninterrupted.History.Epochs));
        }
        finally
        {
            directory.Delete(recursive: true);
        }
    }
}
