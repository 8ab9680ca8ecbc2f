using MlNetRnn.Featurization;
using MlNetRnn.Training;

namespace MlNetRnn.Tests.Training;

/// <summary>
/// Text input for tagging and regression: tags and per-step values per white-space word (on the word's last token)
/// or per token, sequence-level values per text; how words line up with tokens, the errors when counts differ, and
/// end-to-end learning of tasks that need the words' order.
/// </summary>
public class TextStepTargetsTests
{
    private static readonly string[] Names = ["john", "mary", "o'neil", "jean-luc", "ann"];
    private static readonly string[] Places = ["paris", "new-york", "st. louis", "rome"];
    private static readonly string[] Filler = ["we", "met", "today", "and", "then", "walked", "home", "it", "was", "late", "don't"];

    /// <summary>Sentences with names (PER) and, after the word "in", places (LOC; "st. louis" is two words); the
    /// same words elsewhere are O, so a tag needs the word before it. Names and places hold punctuation: several tokens.</summary>
    private static (List<string> Texts, List<string[]> Tags) People(int count, int seed)
    {
        var random = new SeededRandom((ulong)seed);
        var texts = new List<string>();
        var tags = new List<string[]>();
        for (var i = 0; i < count; i++)
        {
            var words = new List<string>();
            var wordTags = new List<string>();
            void Add(string phrase, string tag)
            {
                var parts = phrase.Split(' ');
                for (var p = 0; p < parts.Length; p++)
                {
                    words.Add(parts[p]);
                    wordTags.Add(tag == "O" ? "O" : (p == 0 ? "B-" : "I-") + tag);
                }
            }
            for (var n = 0; n < 2 + random.Next(6); n++)
            {
                switch (random.Next(4))
                {
                    case 0:
                        Add(Names[random.Next(Names.Length)], "PER");
                        break;
                    case 1:
                        Add("in", "O");
                        Add(Places[random.Next(Places.Length)], "LOC");
                        break;
                    case 2:
                        // A place name not after "in" is just a word here (O): the tag needs the context.
                        Add(Places[random.Next(Places.Length)], "O");
                        break;
                    default:
                        Add(Filler[random.Next(Filler.Length)], "O");
                        break;
                }
            }
            var text = string.Join(' ', words.Select(w => random.Next(3) == 0 ? char.ToUpperInvariant(w[0]) + w[1..] : w));
            texts.Add(random.Next(2) == 0 ? text : "  " + text.Replace(" ", " \t ") + "\n");
            tags.Add([.. wordTags]);
        }
        return (texts, tags);
    }

    private static SequenceModelOptions Tagger() => TrainingLoopTests.Small(SequenceTask.Tagging) with
    {
        Epochs = 12, HiddenSize = 24, Text = new TextFeaturizerOptions { MinCount = 1, MaxLength = 3, StepAlignment = StepAlignment.Words },
    };

    [Fact]
    public void TagsPerWordTrainAndPredictOneTagPerWord()
    {
        var (texts, tags) = People(500, seed: 41);
        var data = SequenceData.ForTagging(texts, tags);
        var (train, test) = data.Split(0.2, seed: 1);
        using var model = new SequenceModelEstimator(Tagger()).Fit(train);
        var metrics = model.Evaluate(test);
        Assert.True(metrics.Accuracy >= 0.97, $"per-word accuracy {metrics}");
        Assert.Equal(test.StepLabels!.Sum(t => t.Length), metrics.Count);
        var predictions = model.Predict(test);
        for (var i = 0; i < test.Count; i++)
            Assert.Equal(test.StepLabels![i].Length, predictions[i].StepLabels!.Length);
        // MaxLength (3) does not cut a per-step text model's input: every word of a long text gets its tag.
        var one = model.Predict(SequenceData.FromTexts(["we met john in paris and then walked home in rome"]))[0];
        Assert.Equal(["O", "O", "B-PER", "O", "B-LOC", "O", "O", "O", "O", "O", "B-LOC"], one.StepLabels!);

        var path = Path.Combine(Path.GetTempPath(), $"mlnetrnn-text-tagger-{Guid.NewGuid():N}.mlnr");
        try
        {
            model.Save(path);
            using var loaded = SequenceModel.Load(path);
            Assert.Equal(StepAlignment.Words, loaded.Schema.Featurizer!.Options.StepAlignment);
            Assert.Equal(one.StepLabels, loaded.Predict(SequenceData.FromTexts(["we met john in paris and then walked home in rome"]))[0].StepLabels);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void AWordsTagSitsOnItsLastToken()
    {
        var data = SequenceData.ForTagging(["John  O'Neil lives\tin New-York .", "", "x"], [["B-PER", "I-PER", "O", "O", "B-LOC", "O"], [], ["O"]]);
        using var model = new SequenceModelEstimator(Tagger() with { Epochs = 1 }).Fit(data);
        var encoded = model.Encoder.Encode(data, requireTargets: true);
        var vocabulary = model.Schema.Featurizer!.Vocabulary;
        Assert.Equal(["john", "o", "'", "neil", "lives", "in", "new", "-", "york", "."], encoded.Tokens![0].Select(id => vocabulary[id]));
        Assert.Equal([0, 3, 4, 5, 8, 9], encoded.TargetSteps![0]);
        int Tag(string t) => model.Labels.ToList().IndexOf(t);
        Assert.Equal([Tag("B-PER"), -1, -1, Tag("I-PER"), Tag("O"), Tag("O"), -1, -1, Tag("B-LOC"), Tag("O")], encoded.StepClasses![0]);
        // A text without words reads as one unknown token that carries no target, and predicts no tag.
        Assert.Equal([Vocabulary.UnknownId], encoded.Tokens[1]);
        Assert.Empty(encoded.TargetSteps[1]);
        Assert.Equal([-1], encoded.StepClasses[1]);
        Assert.Empty(model.Predict(SequenceData.FromTexts([" \n "]))[0].StepLabels!);
    }

    [Fact]
    public void TagsPerTokenFollowTheTokenizer()
    {
        var options = Tagger() with { Epochs = 1, Text = new TextFeaturizerOptions { MinCount = 1, StepAlignment = StepAlignment.Tokens } };
        var data = SequenceData.ForTagging(["don't stop", "go", "  "], [["A", "B", "A", "B"], ["A"], []]);
        using var model = new SequenceModelEstimator(options).Fit(data);
        var encoded = model.Encoder.Encode(data, requireTargets: true);
        Assert.Null(encoded.TargetSteps);
        Assert.Equal([0, 1, 0, 1], encoded.StepClasses![0]);
        // A text without tokens reads as one unknown token without a target; it predicts one tag, as ONNX does.
        Assert.Equal([-1], encoded.StepClasses[2]);
        var predictions = model.Predict(data);
        Assert.Equal([4, 1, 1], predictions.Select(p => p.StepLabels!.Length));
        Assert.Equal(5, model.Evaluate(data).Count);

        var wrong = SequenceData.ForTagging(["don't stop", "go"], [["A", "B"], ["A"]]);
        var error = Assert.Throws<ArgumentException>(() => model.Evaluate(wrong));
        Assert.Contains("Text 0 has 4 tokens but 2 tags", error.Message);
        Assert.Contains("['don', ''', 't', 'stop']", error.Message);
        Assert.Contains("StepAlignment.Words", error.Message);
    }

    [Fact]
    public void CountsThatDoNotLineUpAreNamed()
    {
        var words = Assert.Throws<ArgumentException>(() => new SequenceModelEstimator(Tagger() with { Epochs = 1 })
            .Fit(SequenceData.ForTagging(["a b", "don't stop"], [["X", "Y"], ["X", "Y", "X"]])));
        Assert.Contains("Text 1 has 2 white-space words but 3 tags", words.Message);
        Assert.Contains("['don't', 'stop']", words.Message);

        var noToken = Assert.Throws<ArgumentException>(() => new SequenceModelEstimator(Tagger() with
        {
            Epochs = 1, Text = new TextFeaturizerOptions { MinCount = 1, KeepPunctuation = false, StepAlignment = StepAlignment.Words },
        }).Fit(SequenceData.ForTagging(["a b", "wow !!! ok"], [["X", "Y"], ["X", "Y", "X"]])));
        Assert.Contains("Word 1 ('!!!') of text 1 yields no token", noToken.Message);

        var characters = Assert.Throws<ArgumentException>(() => new SequenceModelEstimator(Tagger() with
        {
            Epochs = 1, Text = new TextFeaturizerOptions { MinCount = 1, Tokenizer = TokenizerKind.Characters, StepAlignment = StepAlignment.Words },
        }).Fit(SequenceData.ForTagging(["ab", "c"], [["X", "Y"], ["X"]])));
        Assert.Contains("StepAlignment.Tokens", characters.Message);

        var values = Assert.Throws<ArgumentException>(() => new SequenceModelEstimator(TrainingLoopTests.Small(SequenceTask.Regression) with
        {
            Epochs = 1, Text = new TextFeaturizerOptions { MinCount = 1 },
        }).Fit(SequenceData.ForRegression(["a b", "c d e"], [[1f, 2f], [1f, 2f]], perStep: true)));
        Assert.Contains("Text 1 has 3 tokens but 2 steps of 1 values", values.Message);
    }

    /// <summary>The exported raw-text graph gives a row per token; a word model's predictions are the rows at each
    /// word's last token (what StepAlignment.Words documents). OnnxSequencePredictor reads them there, so it predicts
    /// and evaluates per word as the native model does.</summary>
    [Fact]
    public void AnExportedWordTaggerPredictsAndEvaluatesPerWordAsTheNativeModel()
    {
        var (texts, tags) = People(60, seed: 44);
        using var model = new SequenceModelEstimator(Tagger() with { Epochs = 2 }).Fit(SequenceData.ForTagging(texts, tags));
        var path = Path.Combine(Path.GetTempPath(), $"mlnetrnn-word-tagger-{Guid.NewGuid():N}.onnx");
        try
        {
            model.ExportToOnnx(path);
            using var predictor = OnnxSequencePredictor.Load(path);
            var data = SequenceData.FromTexts(texts.Take(20).ToArray());
            var native = model.Predict(data);
            var exported = predictor.Predict(data);
            for (var i = 0; i < data.Count; i++)
            {
                Assert.Equal(texts[i].Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries).Length, exported[i].StepLabels!.Length);
                Assert.Equal(native[i].StepLabels, exported[i].StepLabels);
            }
            var labelled = SequenceData.ForTagging(texts.Take(20).ToArray(), tags.Take(20).ToArray());
            var nativeMetrics = model.Evaluate(labelled);
            var exportedMetrics = predictor.Evaluate(labelled);
            Assert.Equal(nativeMetrics.Count, exportedMetrics.Count);
            Assert.Equal(nativeMetrics.Accuracy, exportedMetrics.Accuracy);
        }
        finally
        {
            File.Delete(path);
        }
    }

    /// <summary>Per-word values: the running balance of "up" and "down" words (other words hold it; "up-ish" starts
    /// with the token "up", so only its last token tells it apart), scaled. Needs memory of every earlier word.</summary>
    [Fact]
    public void ValuesPerWordTrainAndPredictOneRowPerWord()
    {
        var random = new SeededRandom(42);
        string[] other = ["the", "level", "went", "now", "up-ish", "x.y"];
        var texts = new List<string>();
        var values = new List<float[]>();
        for (var i = 0; i < 400; i++)
        {
            var words = new List<string>();
            var targets = new List<float>();
            var balance = 0;
            for (var n = 0; n < 3 + random.Next(8); n++)
            {
                var r = random.Next(4);
                var word = r == 0 ? "up" : r == 1 ? "down" : other[random.Next(other.Length)];
                balance += word == "up" ? 1 : word == "down" ? -1 : 0;
                words.Add(word);
                targets.Add(balance / 4f);
                targets.Add(word == "up" ? 1f : 0f);
            }
            texts.Add(string.Join(' ', words));
            values.Add([.. targets]);
        }
        var data = SequenceData.ForRegression(texts, values, perStep: true);
        var (train, test) = data.Split(0.2, seed: 2);
        var options = TrainingLoopTests.Small(SequenceTask.Regression) with
        {
            Epochs = 20, Cell = RecurrentCell.Lstm, HiddenSize = 24, Text = new TextFeaturizerOptions { MinCount = 1, StepAlignment = StepAlignment.Words },
        };
        using var model = new SequenceModelEstimator(options).Fit(train);
        Assert.Equal(2, model.Spec.OutputSize);
        var metrics = model.Evaluate(test);
        Assert.True(metrics.Rmse < 0.1, $"RMSE {metrics}");
        var predictions = model.Predict(test);
        for (var i = 0; i < test.Count; i++)
            Assert.Equal(test.Values![i].Length, predictions[i].Values!.Length);
    }

    [Fact]
    public void ValuesPerTextTrain()
    {
        // The target is the number of "good" words minus the number of "bad" ones, scaled; a bag of words would do,
        // but it must come from raw text.
        var random = new SeededRandom(43);
        string[] other = ["the", "film", "was", "and", "not", "really"];
        var texts = new List<string>();
        var values = new List<float[]>();
        for (var i = 0; i < 400; i++)
        {
            var words = Enumerable.Range(0, 3 + random.Next(6)).Select(_ => random.Next(3) switch { 0 => "good", 1 => "bad", _ => other[random.Next(other.Length)] }).ToArray();
            texts.Add(string.Join(' ', words) + ".");
            values.Add([(words.Count(w => w == "good") - words.Count(w => w == "bad")) / 4f]);
        }
        var data = SequenceData.ForRegression(texts, values);
        var (train, test) = data.Split(0.2, seed: 3);
        var options = TrainingLoopTests.Small(SequenceTask.Regression) with { Epochs = 15, Cell = RecurrentCell.Lstm, Text = new TextFeaturizerOptions { MinCount = 1 } };
        using var model = new SequenceModelEstimator(options).Fit(train);
        var metrics = model.Evaluate(test);
        Assert.True(metrics.Rmse < 0.1, $"RMSE {metrics}");
        Assert.Single(model.Predict("good good bad film").Values!);
    }
}
