using System.Text.RegularExpressions;
using Microsoft.ML;
using Microsoft.ML.Runtime;
using Microsoft.ML.Trainers;

namespace MlNetRnn.MLNet.Tests;

/// <summary>The trainers work in the caller's MLContext: its log, its seed, its cancellation; and they declare
/// what they need as ML.NET trainers do (TrainerInfo).</summary>
public class MLContextTests
{
    private static RecurrentBinaryTrainer.Options Small(int epochs = 3, int? seed = null) => new()
    {
        FeatureColumnName = "TokenIds", HiddenSize = 12, EmbeddingSize = 8, Epochs = epochs, LearningRate = 1e-2f,
        BatchSize = 16, Threads = 1, Seed = seed,
    };

    private static IDataView Keyed(MLContext ml, int count = 160)
    {
        var data = ml.Data.LoadFromEnumerable(ToyData.Mails(count, seed: 1));
        return ml.Transforms.Text.TokenizeIntoWords("Tokens", "Text")
            .Append(ml.Transforms.Conversion.MapValueToKey("TokenIds", "Tokens"))
            .Fit(data).Transform(data);
    }

    [Fact]
    public void EveryEpochWritesALineToTheMLContextLog()
    {
        var ml = new MLContext(seed: 1);
        var messages = new List<LoggingEventArgs>();
        ml.Log += (_, e) =>
        {
            if (e.Source?.StartsWith("MlNetRnn.", StringComparison.Ordinal) == true)
                messages.Add(e);
        };
        var options = Small(epochs: 3);
        options.ValidationFraction = 0.25f;
        ml.BinaryClassification.Trainers.Gru(options).Fit(Keyed(ml));

        var epochLine = new Regex(@"^GRU binary classifier epoch (\d)/3: train loss \d+\.\d{4}, validation loss \d+\.\d{4}, accuracy \d\.\d{4}.*, \d+\.\d{2} s$");
        var epochs = messages.Where(m => Regex.IsMatch(m.RawMessage, @" epoch \d+/")).ToList();
        Assert.Equal(["1", "2", "3"], epochs.Select(m => epochLine.Match(m.RawMessage) is { Success: true } match ? match.Groups[1].Value : m.RawMessage));
        Assert.All(epochs, m => Assert.Equal(ChannelMessageKind.Info, m.Kind));
        Assert.All(epochs, m => Assert.Contains("MlNetRnn.RecurrentBinaryTrainer", m.Message));
        Assert.Contains(messages, m => Regex.IsMatch(m.RawMessage, @"^GRU binary classifier: 160 sequences \(0 skipped\), vocabulary \d+, seed \d+, 3 epochs$"));
        Assert.Contains(messages, m => m.RawMessage.StartsWith("GRU binary classifier: trained in ", StringComparison.Ordinal));
    }

    [Fact]
    public void TheMLContextSeedRepeatsARunAndTheOptionsSeedTakesPrecedence()
    {
        float[] Probabilities(int? contextSeed, int? optionsSeed, out int seed)
        {
            var ml = new MLContext(contextSeed);
            var data = Keyed(ml, count: 100);
            var trainer = ml.BinaryClassification.Trainers.Lstm(Small(epochs: 2, seed: optionsSeed));
            seed = trainer.Seed;
            return ml.Data.CreateEnumerable<SpamPrediction>(trainer.Fit(data).Transform(data), reuseRowObject: false).Select(p => p.Probability).ToArray();
        }

        var first = Probabilities(7, null, out var firstSeed);
        Assert.Equal(first, Probabilities(7, null, out var againSeed));
        Assert.Equal(firstSeed, againSeed);
        var other = Probabilities(8, null, out var otherSeed);
        Assert.NotEqual(firstSeed, otherSeed);
        Assert.NotEqual(first, other);

        var fromOptions = Probabilities(7, 3, out var optionsSeed);
        Assert.Equal(3, optionsSeed);
        Assert.Equal(fromOptions, Probabilities(8, 3, out _));
        Assert.NotEqual(first, fromOptions);
    }

    [Fact]
    public void CancelExecutionStopsTrainingBeforeTheNextBatch()
    {
        var ml = new MLContext(seed: 1);
        var data = Keyed(ml);
        var seen = new List<TrainingProgress>();
        var options = Small(epochs: 50);
        options.Progress = new Callback(p =>
        {
            seen.Add(p);
            if (p is { Epoch: 1, Batch: 2 })
                MLNetInternals.CancelExecution(ml);
        });
        var error = Assert.Throws<OperationCanceledException>(() => ml.BinaryClassification.Trainers.Gru(options).Fit(data));
        Assert.Contains("cancelled through the MLContext", error.Message);
        Assert.Equal((1, 2), (seen[^1].Epoch, seen[^1].Batch));

        // A trainer of a cancelled MLContext stops before it reads a row.
        seen.Clear();
        Assert.Throws<OperationCanceledException>(() => ml.BinaryClassification.Trainers.Gru(options).Fit(data));
        Assert.Empty(seen);
    }

    [Fact]
    public void TrainersAreITrainerEstimatorsThatNeedNoNormalizationCalibrationOrCaching()
    {
        var ml = new MLContext();
        ITrainerEstimator<ISingleFeaturePredictionTransformer<SequenceModel>, SequenceModel>[] trainers =
        [
            ml.BinaryClassification.Trainers.Gru(),
            ml.MulticlassClassification.Trainers.Lstm(),
            ml.Regression.Trainers.Rnn(),
        ];
        Assert.All(trainers, t =>
        {
            Assert.False(t.Info.NeedNormalization);
            Assert.False(MLNetInternals.NeedCalibration(t.Info));
            Assert.False(t.Info.WantCaching);
        });
    }

    /// <summary>Reports on the training thread, unlike System.Progress, which posts to the thread pool.</summary>
    private sealed class Callback(Action<TrainingProgress> report) : IProgress<TrainingProgress>
    {
        public void Report(TrainingProgress value) => report(value);
    }
}
