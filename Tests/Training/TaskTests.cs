using MlNetRnn.Featurization;
using MlNetRnn.Kernels;
using MlNetRnn.Network;
using MlNetRnn.Training;

namespace MlNetRnn.Tests.Training;

/// <summary>Each task trains end to end on a small problem it can only solve by learning.</summary>
public class TaskTests
{
    [Fact]
    public void TextClassifierLearnsFromRawText()
    {
        var random = new SeededRandom(11);
        string[] good = ["great", "lovely", "fine", "superb"], bad = ["awful", "poor", "terrible", "bad"], filler = ["the", "a", "movie", "was", "plot", "and", "it"];
        var texts = new List<string>();
        var labels = new List<string>();
        for (var i = 0; i < 300; i++)
        {
            var positive = i % 2 == 0;
            var words = Enumerable.Range(0, 6 + random.Next(6)).Select(_ => filler[random.Next(filler.Length)]).ToList();
            words.Insert(random.Next(words.Count), (positive ? good : bad)[random.Next(4)]);
            texts.Add(string.Join(' ', words).ToUpperInvariant() + "!");
            labels.Add(positive ? "pos" : "neg");
        }
        var data = SequenceData.FromTexts(texts, labels);
        var (train, test) = data.Split(0.25, seed: 1);
        var options = TrainingLoopTests.Small(SequenceTask.BinaryClassification) with { PositiveLabel = "pos", Epochs = 8, Text = new TextFeaturizerOptions { MinCount = 1 } };
        using var model = new SequenceModelEstimator(options).Fit(train);
        Assert.Equal(["neg", "pos"], model.Labels);
        Assert.True(model.Schema.Featurizer!.Vocabulary.Contains("great"), "lower-cased tokens in the vocabulary");
        var metrics = model.Evaluate(test);
        Assert.True(metrics.Accuracy >= 0.95, $"accuracy {metrics}");
        Assert.Equal("pos", model.Predict("THE MOVIE WAS SUPERB").PredictedLabel);
        Assert.NotNull(metrics.Auc);
    }

    [Fact]
    public void RegressionForecastsTheNextValueOfASine()
    {
        var random = new SeededRandom(12);
        var sequences = new List<float[]>();
        var targets = new List<float[]>();
        for (var i = 0; i < 300; i++)
        {
            var phase = random.Uniform(0, 6.28f);
            var frequency = random.Uniform(0.2f, 0.6f);
            var length = 8 + random.Next(8);
            sequences.Add(Enumerable.Range(0, length).Select(t => MathF.Sin(phase + frequency * t)).ToArray());
            targets.Add([MathF.Sin(phase + frequency * length)]);
        }
        var data = SequenceData.ForRegression(sequences, 1, targets);
        var (train, test) = data.Split(0.2, seed: 2);
        var options = TrainingLoopTests.Small(SequenceTask.Regression) with { Cell = RecurrentCell.Lstm, Epochs = 25, HuberDelta = 1f };
        using var model = new SequenceModelEstimator(options).Fit(train);
        var metrics = model.Evaluate(test);
        Assert.True(metrics.Rmse < 0.1, $"RMSE {metrics}");
    }

    [Fact]
    public void TaggerLabelsEveryStep()
    {
        // Tag each token "after" once a 9 has been seen, else "before": needs state, differs per step.
        var random = new SeededRandom(13);
        var sequences = new List<int[]>();
        var tags = new List<string[]>();
        for (var i = 0; i < 300; i++)
        {
            var length = 5 + random.Next(10);
            var seq = Enumerable.Range(0, length).Select(_ => 2 + random.Next(7)).ToArray();
            seq[random.Next(length)] = 9;
            var seen = false;
            sequences.Add(seq);
            tags.Add(seq.Select(t => (seen |= t == 9) ? "after" : "before").ToArray());
        }
        var data = SequenceData.ForTagging(sequences, tags);
        var (train, test) = data.Split(0.2, seed: 3);
        var options = TrainingLoopTests.Small(SequenceTask.Tagging) with { Epochs = 10 };
        using var model = new SequenceModelEstimator(options).Fit(train);
        var metrics = model.Evaluate(test);
        Assert.True(metrics.Accuracy >= 0.97, $"per-step accuracy {metrics}");
        var prediction = model.Predict(test.Subset([0]))[0];
        Assert.Equal(test.StepLabels![0].Length, prediction.StepLabels!.Length);
    }

    [Fact]
    public void CharacterLanguageModelLearnsARepeatedPhraseAndGenerates()
    {
        var text = string.Concat(Enumerable.Repeat("the cat sat on the mat. ", 80));
        var options = TrainingLoopTests.Small(SequenceTask.LanguageModel) with
        {
            Text = new TextFeaturizerOptions { Tokenizer = TokenizerKind.Characters, MinCount = 1, Lowercase = false },
            Epochs = 15, BatchSize = 8, BpttLength = 16, LearningRate = 0.02f, HiddenSize = 32, ValidationFraction = 0.1f,
        };
        using var model = new SequenceModelEstimator(options).Fit(SequenceData.FromTexts([text]));
        var validation = model.History.Epochs[^1].Validation!;
        Assert.True(validation.Perplexity < 1.5, $"validation {validation}");
        Assert.Equal(" cat sat on", model.Generate("the", 11));
        Assert.Equal(20, model.Generate("the", 20, temperature: 0.8f, seed: 5).Length);
    }

    [Fact]
    public void EncodeGivesTheReadOutVector()
    {
        var data = SyntheticTasks.SignOfSum(40, seed: 9);
        var options = TrainingLoopTests.Small(SequenceTask.BinaryClassification) with { Epochs = 1, Bidirectional = true, ReadOut = ReadOutKind.MeanPool };
        using var model = new SequenceModelEstimator(options).Fit(data);
        var encoded = model.Encode(data);
        Assert.Equal(40, encoded.Count);
        Assert.All(encoded, v => Assert.Equal(2 * options.HiddenSize, v.Length));
    }
}
