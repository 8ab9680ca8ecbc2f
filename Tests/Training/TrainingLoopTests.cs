using MlNetRnn.Kernels;
using MlNetRnn.Network;
using MlNetRnn.Training;

namespace MlNetRnn.Tests.Training;

public class TrainingLoopTests
{
    internal static SequenceModelOptions Small(SequenceTask task) => new()
    {
        Task = task,
        Kernel = KernelKind.Reference,
        Threads = 1,
        EmbeddingSize = 8,
        HiddenSize = 16,
        BatchSize = 16,
        Epochs = 3,
        LearningRate = 0.01f,
        Seed = 3,
    };

    [Fact]
    public void LearnsATaskThatNeedsMemory()
    {
        var train = SyntheticTasks.MarkerPosition(600, seed: 1);
        var test = SyntheticTasks.MarkerPosition(200, seed: 2);
        var options = Small(SequenceTask.MulticlassClassification) with { Epochs = 12 };
        using var model = new SequenceModelEstimator(options).Fit(train);
        var metrics = model.Evaluate(test);
        Assert.True(metrics.Accuracy >= 0.97, $"Held-out accuracy {metrics.Accuracy:F3} on the marker task (history: {string.Join("; ", model.History.Epochs)})");
    }

    [Fact]
    public void SameSeedGivesIdenticalWeightsAtOneThread()
    {
        var data = SyntheticTasks.SignOfSum(120, seed: 4);
        var options = Small(SequenceTask.BinaryClassification) with { Dropout = 0.2f, Layers = 2 };
        using var a = new SequenceModelEstimator(options).Fit(data);
        using var b = new SequenceModelEstimator(options).Fit(data);
        Assert.Equal(a.Parameters.Values, b.Parameters.Values);
        using var c = new SequenceModelEstimator(options with { Seed = 4 }).Fit(data);
        Assert.NotEqual(a.Parameters.Values, c.Parameters.Values);
    }

    /// <summary>
    /// On a given thread count training repeats bit for bit (every sum runs in an order fixed by the shapes and the
    /// thread count). Across thread counts the weight gradients are other sums of the same terms (one share per
    /// worker), so 1 and 3 threads train weights equal within accumulated rounding, not in bits.
    /// </summary>
    [Fact]
    public void NativeTrainingRepeatsOnAThreadCountAndAgreesAcrossThreadCounts()
    {
        var data = SyntheticTasks.SignOfSum(160, seed: 7);
        var options = Small(SequenceTask.BinaryClassification) with
        {
            Kernel = KernelKind.Native, Layers = 2, Bidirectional = true, HiddenSize = 40, BatchSize = 48, GradientClipNorm = 0.5f,
        };
        using var one = new SequenceModelEstimator(options).Fit(data);
        using var three = new SequenceModelEstimator(options with { Threads = 3 }).Fit(data);
        using var threeAgain = new SequenceModelEstimator(options with { Threads = 3 }).Fit(data);
        Assert.Equal(three.Parameters.Values, threeAgain.Parameters.Values);
        var a = one.Parameters.Values;
        var b = three.Parameters.Values;
        Assert.Equal(a.Length, b.Length);
        var worst = a.Zip(b, (x, y) => Math.Abs(x - y) / (1e-3 + Math.Abs(x))).Max();
        Assert.True(worst < 1e-3, $"1 and 3 threads trained weights {worst:G3} apart (relative), expected rounding only");
    }

    [Fact]
    public void ResumedRunEndsWithTheWeightsOfAnUninterruptedRun()
    {
        var data = SyntheticTasks.SignOfSum(120, seed: 5);
        var directory = Directory.CreateTempSubdirectory("mlnetrnn-resume");
        try
        {
            var checkpoint = Path.Combine(directory.FullName, "run.ckpt");
            var options = Small(SequenceTask.BinaryClassification) with { Epochs = 4, Dropout = 0.1f, ValidationFraction = 0.2f, WeightAverageDecay = 0.9f };
            using var uninterrupted = new SequenceModelEstimator(options).Fit(data);

            using (new SequenceModelEstimator(options with { Epochs = 2, CheckpointPath = checkpoint }).Fit(data))
            {
            }
            Assert.True(File.Exists(checkpoint));
            using var resumed = new SequenceModelEstimator(options with { CheckpointPath = checkpoint }).Fit(data);
            Assert.Equal(uninterrupted.Parameters.Values, resumed.Parameters.Values);
            Assert.Equal(4, resumed.History.Epochs.Count);
            Assert.Equal(uninterrupted.History.Epochs.Select(e => e.TrainLoss), resumed.History.Epochs.Select(e => e.TrainLoss));
        }
        finally
        {
            directory.Delete(recursive: true);
        }
    }

    [Fact]
    public void DivergenceStopsWithAClearErrorAndKeepsTheLastCheckpoint()
    {
        var data = SyntheticTasks.SignOfSum(64, seed: 6);
        var directory = Directory.CreateTempSubdirectory("mlnetrnn-nan");
        try
        {
            var checkpoint = Path.Combine(directory.FullName, "run.ckpt");
            var options = Small(SequenceTask.BinaryClassification) with
            {
                Cell = RecurrentCell.Rnn, RnnActivation = ActivationKind.Relu, Optimizer = OptimizerKind.Sgd,
                GradientClipNorm = 0f, CheckpointPath = checkpoint, Epochs = 1,
            };
            using (new SequenceModelEstimator(options).Fit(data))
            {
            }
            var before = File.ReadAllBytes(checkpoint);
            var error = Assert.Throws<TrainingDivergedException>(() =>
                new SequenceModelEstimator(options with { Epochs = 3, LearningRate = 1e25f }).Fit(data));
            Assert.Contains("epoch 2", error.Message);
            Assert.Contains("batch", error.Message);
            Assert.Equal(2, error.Epoch);
            Assert.Equal(before, File.ReadAllBytes(checkpoint));
        }
        finally
        {
            directory.Delete(recursive: true);
        }
    }

    [Fact]
    public void EarlyStoppingRestoresTheBestEpoch()
    {
        var data = SyntheticTasks.SignOfSum(200, seed: 7);
        var options = Small(SequenceTask.BinaryClassification) with { Epochs = 30, ValidationFraction = 0.3f, EarlyStoppingPatience = 2, LearningRate = 0.05f };
        using var model = new SequenceModelEstimator(options).Fit(data);
        var epochs = model.History.Epochs;
        var best = epochs.MinBy(e => e.Validation!.Loss)!;
        Assert.Equal(best.Epoch, model.History.RestoredEpoch);
        if (epochs.Count < 30)
            Assert.Equal("early stopping", model.History.StopReason);
    }

    [Fact]
    public void SaveAndLoadGiveIdenticalPredictions()
    {
        var data = SyntheticTasks.MarkerPosition(100, seed: 8);
        using var model = new SequenceModelEstimator(Small(SequenceTask.MulticlassClassification) with { Epochs = 1 }).Fit(data);
        var path = Path.Combine(Path.GetTempPath(), $"mlnetrnn-{Guid.NewGuid():N}.model");
        try
        {
            model.Save(path);
            using var loaded = SequenceModel.Load(path);
            var expected = model.Predict(data);
            var actual = loaded.Predict(data);
            for (var i = 0; i < data.Count; i++)
            {
                Assert.Equal(expected[i].PredictedLabel, actual[i].PredictedLabel);
                Assert.Equal(expected[i].Probabilities, actual[i].Probabilities);
            }
            Assert.Equal(model.Labels, loaded.Labels);
            Assert.Equal(model.Spec, loaded.Spec);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void FineTuningContinuesFromAModelWithoutChangingIt()
    {
        var data = SyntheticTasks.SignOfSum(100, seed: 10);
        var options = Small(SequenceTask.BinaryClassification) with { Epochs = 1 };
        using var first = new SequenceModelEstimator(options).Fit(data);
        var before = first.Parameters.Values.ToArray();
        using var tuned = new SequenceModelEstimator(options with { Epochs = 2, LearningRate = 0.005f }).Fit(first, data);
        Assert.Equal(before, first.Parameters.Values);
        Assert.NotEqual(before, tuned.Parameters.Values);
        var error = Assert.Throws<ArgumentException>(() => new SequenceModelEstimator(options with { HiddenSize = 4 }).Fit(first, data));
        Assert.Contains("different network", error.Message);
    }

    [Fact]
    public void WeightAveragerKeepsTheExponentialAverageOfTheSteps()
    {
        var parameters = new MlNetRnn.Network.ParameterSet([("w", [3])]);
        var averager = new MlNetRnn.Training.Optimizers.WeightAverager(new MlNetRnn.Training.Optimizers.SgdOptimizer(3), 3, decay: 0.75f);
        parameters.Values.AsSpan().Fill(1f);
        parameters.Gradients.AsSpan().Fill(1f);
        averager.Step(parameters, learningRate: 0.5f);           // w1 = 0.5
        Assert.Equal([0.5f, 0.5f, 0.5f], averager.Average.ToArray());
        averager.Step(parameters, learningRate: 0.5f);           // w2 = 0, average = 0.75 * 0.5 + 0.25 * 0
        Assert.Equal([0.375f, 0.375f, 0.375f], averager.Average.ToArray());
        Assert.Equal([0f, 0f, 0f], parameters.Values);
    }
}
