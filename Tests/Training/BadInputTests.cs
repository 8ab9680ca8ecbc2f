using MlNetRnn.Network;

namespace MlNetRnn.Tests.Training;

/// <summary>Bad input gets an error that names what is wrong and what was expected.</summary>
public class BadInputTests
{
    private static SequenceModelEstimator Estimator(SequenceTask task) => new(TrainingLoopTests.Small(task) with { Epochs = 1 });

    [Fact]
    public void WrongFeatureWidth()
    {
        var error = Assert.Throws<ArgumentException>(() => SequenceData.FromFeatures([new float[7]], 3, ["a"]));
        Assert.Contains("not a multiple of the feature width 3", error.Message);

        using var model = Estimator(SequenceTask.BinaryClassification).Fit(SyntheticTasks.SignOfSum(20, 1));
        var other = SequenceData.FromFeatures([new float[9]], 3, [true]);
        var mismatch = Assert.Throws<ArgumentException>(() => model.Predict(other));
        Assert.Contains("reads 2 features per step; the data has 3", mismatch.Message);
    }

    [Fact]
    public void EmptyDataSet() =>
        Assert.Contains("empty", Assert.Throws<ArgumentException>(() =>
            Estimator(SequenceTask.BinaryClassification).Fit(SequenceData.FromFeatures([], 2, Array.Empty<bool>()))).Message);

    [Fact]
    public void LabelColumnWithOneClass()
    {
        var data = SequenceData.FromFeatures([new float[4], new float[6]], 2, ["x", "x"]);
        var error = Assert.Throws<ArgumentException>(() => Estimator(SequenceTask.MulticlassClassification).Fit(data));
        Assert.Contains("Every training label is 'x'", error.Message);
    }

    [Fact]
    public void NaNInFeatures()
    {
        var error = Assert.Throws<ArgumentException>(() => SequenceData.FromFeatures([[1f, float.NaN]], 2, ["a"]));
        Assert.Contains("non-finite value (NaN) at step 0, feature 1", error.Message);
    }

    [Fact]
    public void SequenceOfLengthZero()
    {
        var data = SequenceData.FromFeatures([new float[4], Array.Empty<float>()], 2, [true, false]);
        var error = Assert.Throws<ArgumentException>(() => Estimator(SequenceTask.BinaryClassification).Fit(data));
        Assert.Contains("Sequence 1 has no steps", error.Message);

        var tokens = SequenceData.FromTokenIds([[1, 2], []], ["a", "b"]);
        var tokenError = Assert.Throws<ArgumentException>(() =>
            new SequenceModelEstimator(TrainingLoopTests.Small(SequenceTask.MulticlassClassification) with { VocabularySize = 5 }).Fit(tokens));
        Assert.Contains("Sequence 1 has no steps", tokenError.Message);

        // A text with no tokens is not an error: it reads as one unknown token, in training and in scoring.
        var text = SequenceData.FromTexts(["hello world", "  ... ", "hello"], ["a", "b", "a"]);
        using var model = new SequenceModelEstimator(TrainingLoopTests.Small(SequenceTask.MulticlassClassification) with
            { Text = new() { KeepPunctuation = false, MinCount = 1 } }).Fit(text);
        Assert.Equal([Featurization.Vocabulary.UnknownId], model.Schema.Featurizer!.EncodeSequence("  ... "));
        Assert.Equal(model.Predict("").Probabilities, model.Predict(" ... \n").Probabilities);
    }

    [Fact]
    public void UnknownLabelAtEvaluation()
    {
        using var model = Estimator(SequenceTask.MulticlassClassification).Fit(SyntheticTasks.MarkerPosition(20, 1));
        var data = SequenceData.FromTokenIds([[2, 3, 9]], ["middle"]);
        Assert.Contains("Label 'middle' of sequence 0 is not one the model knows (early, late)",
            Assert.Throws<ArgumentException>(() => model.Evaluate(data)).Message);
    }

    [Fact]
    public void TokenIdOutsideTheVocabulary()
    {
        using var model = Estimator(SequenceTask.MulticlassClassification).Fit(SyntheticTasks.MarkerPosition(20, 1));
        var data = SequenceData.FromTokenIds([[2, 30]]);
        Assert.Contains("token id 30 at step 1; the vocabulary has 10 ids", Assert.Throws<ArgumentException>(() => model.Predict(data)).Message);
    }

    [Fact]
    public void AReservedTokenIsNotALabel()
    {
        // A model file refuses a class named '<pad>' or '<unk>', so training refuses to make one.
        var data = SequenceData.FromTokenIds([[2, 3], [4], [5, 6]], ["a", "<unk>", "a"]);
        Assert.Contains("'<unk>' is a reserved token", Assert.Throws<ArgumentException>(() => Estimator(SequenceTask.MulticlassClassification).Fit(data)).Message);
        Assert.Equal("ClassLabels", Assert.Throws<ArgumentException>(() => new SequenceModelOptions { ClassLabels = ["<pad>", "b"] }.Validate()).ParamName);
    }

    [Fact]
    public void InvalidOptionsNameTheSetting()
    {
        var error = Assert.Throws<ArgumentException>(() => new SequenceModelEstimator(new SequenceModelOptions { HiddenSize = 0 }));
        Assert.Equal("HiddenSize", error.ParamName);
        Assert.Contains("got 0", error.Message);
    }

    [Fact]
    public void CorruptModelFile()
    {
        var path = Path.GetTempFileName();
        try
        {
            File.WriteAllText(path, "not a model");
            Assert.Contains("not an MlNetRnn model", Assert.Throws<ModelFileException>(() => SequenceModel.Load(path)).Message);
        }
        finally
        {
            File.Delete(path);
        }
    }
}
