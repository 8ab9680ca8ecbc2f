using MlNetRnn.Network;
using MlNetRnn.Training;

namespace MlNetRnn.Tests.Training;

public class ConcurrencyTests
{
    [Fact]
    public void PredictFromManyThreadsMatchesSequentialPredictions()
    {
        var data = SyntheticTasks.MarkerPosition(120, seed: 21);
        using var model = new SequenceModelEstimator(TrainingLoopTests.Small(SequenceTask.MulticlassClassification) with { Epochs = 1 }).Fit(data);
        var expected = model.Predict(data).Select(p => p.Probabilities!).ToArray();
        var failures = 0;
        Parallel.For(0, 16, new ParallelOptions { MaxDegreeOfParallelism = 8 }, i =>
        {
            var part = data.Subset(Enumerable.Range(0, data.Count).Where(j => j % 4 == i % 4).ToArray());
            var actual = model.Predict(part);
            var indices = Enumerable.Range(0, data.Count).Where(j => j % 4 == i % 4).ToArray();
            for (var k = 0; k < indices.Length; k++)
            {
                if (!expected[indices[k]].SequenceEqual(actual[k].Probabilities!))
                    Interlocked.Increment(ref failures);
            }
        });
        Assert.Equal(0, failures);
    }

    [Fact]
    public void ConsoleProgressWritesOneLinePerEpoch()
    {
        var writer = new StringWriter();
        var data = SyntheticTasks.SignOfSum(40, seed: 22);
        using var model = new SequenceModelEstimator(TrainingLoopTests.Small(SequenceTask.BinaryClassification) with { Epochs = 2, ValidationFraction = 0.25f })
            .Fit(data, progress: new ConsoleTrainingProgress(writer));
        var lines = writer.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(2, lines.Length);
        Assert.Contains("epoch 1:", lines[0]);
        Assert.Contains("validation loss", lines[1]);
    }

    [Fact]
    public void CancellationStopsTraining()
    {
        using var source = new CancellationTokenSource();
        source.Cancel();
        Assert.Throws<OperationCanceledException>(() =>
            new SequenceModelEstimator(TrainingLoopTests.Small(SequenceTask.BinaryClassification)).Fit(SyntheticTasks.SignOfSum(20, 1), cancellationToken: source.Token));
    }
}
