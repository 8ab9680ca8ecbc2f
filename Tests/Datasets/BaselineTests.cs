using MlNetRnn.Examples.Datasets;
using MlNetRnn.Examples.Datasets.Baselines;

namespace MlNetRnn.Tests.Datasets;

public class BaselineTests
{
    [Fact]
    public void TokenizerLowercasesAndSplitsOnNonWordCharacters()
    {
        Assert.Equal(["free", "money", "100", "café", "don", "t"], WordTokenizer.Tokenize("FREE money!!! $100 Café -- don't"));
        Assert.Empty(WordTokenizer.Tokenize(new string('a', WordTokenizer.MaximumTokenLength + 1)));
    }

    [Fact]
    public void VectorizerKeepsFrequentWordsAndScalesTermFrequency()
    {
        string[] texts = ["a b b c", "a b", "a d"];
        var binary = BagOfWordsVectorizer.Fit(texts, minimumDocumentCount: 2, BagOfWordsFeatureMode.Binary);
        Assert.Equal(["a", "b"], binary.Words);
        var vector = binary.Transform("b b a zzz");
        Assert.Equal([0, 1], vector.Indices);
        Assert.Equal([1f, 1f], vector.Values);
        var frequency = BagOfWordsVectorizer.Fit(texts, 2, BagOfWordsFeatureMode.TermFrequency).Transform("b b a");
        Assert.Equal(1 / Math.Sqrt(5), frequency.Values[0], 6);
        Assert.Equal(2 / Math.Sqrt(5), frequency.Values[1], 6);
    }

    [Fact]
    public void LbfgsFindsTheMinimumOfAnIllConditionedQuadratic()
    {
        // f(x) = sum_i c_i (x_i - i)^2 with condition number 1000.
        double[] curvature = [1, 10, 100, 1000, 3];
        double Objective(ReadOnlySpan<double> x, Span<double> gradient)
        {
            var value = 0.0;
            for (var i = 0; i < x.Length; i++)
            {
                value += curvature[i] * (x[i] - i) * (x[i] - i);
                gradient[i] = 2 * curvature[i] * (x[i] - i);
            }
            return value;
        }
        var (point, value, _) = new LbfgsMinimizer().Minimize(Objective, new double[5]);
        Assert.All(Enumerable.Range(0, 5), i => Assert.Equal(i, point[i], 4));
        Assert.True(value < 1e-8, $"value {value}");
    }

    [Fact]
    public void LogisticRegressionGradientMatchesFiniteDifferences()
    {
        // 7 sparse examples over 5 features, random non-symmetric parameters, central differences on every parameter.
        var generator = new SplitMix64(11);
        const int featureCount = 5;
        var examples = Enumerable.Range(0, 7).Select(_ =>
        {
            var indices = Enumerable.Range(0, featureCount).Where(_ => generator.NextDouble() < 0.6).ToArray();
            return new SparseVector(indices, indices.Select(_ => (float)(generator.NextDouble() * 2 - 1)).ToArray());
        }).ToList();
        var labels = examples.Select((_, index) => index % 3 != 0).ToList();
        var parameters = Enumerable.Range(0, featureCount + 1).Select(_ => generator.NextDouble() * 3 - 1.5).ToArray();
        const double l2 = 0.3;
        var analytic = new double[featureCount + 1];
        LogisticRegression.LossAndGradient(examples, labels, featureCount, l2, parameters, analytic);
        const double step = 1e-6, absoluteTolerance = 1e-7, relativeTolerance = 1e-5;
        var scratch = new double[featureCount + 1];
        for (var index = 0; index <= featureCount; index++)
        {
            var plus = (double[])parameters.Clone();
            var minus = (double[])parameters.Clone();
            plus[index] += step;
            minus[index] -= step;
            var numeric = (LogisticRegression.LossAndGradient(examples, labels, featureCount, l2, plus, scratch) -
                           LogisticRegression.LossAndGradient(examples, labels, featureCount, l2, minus, scratch)) / (2 * step);
            var difference = Math.Abs(analytic[index] - numeric);
            Assert.True(difference <= absoluteTolerance + relativeTolerance * Math.Abs(numeric),
                $"parameter {index}: analytic {analytic[index]}, numeric {numeric}, |diff| {difference}");
        }
    }

    [Fact]
    public void SigmoidAndSoftplusAreStableAtExtremes()
    {
        Assert.Equal(800.0, LogisticRegression.Softplus(800), 9);
        Assert.Equal(0.0, LogisticRegression.Softplus(-800), 9);
        Assert.Equal(0.0, LogisticRegression.Sigmoid(-800), 9);
        Assert.Equal(1.0, LogisticRegression.Sigmoid(800), 9);
        Assert.Equal(Math.Log(2), LogisticRegression.Softplus(0), 12);
    }

    [Fact]
    public void BaselineLearnsASeparableSyntheticSet()
    {
        var generator = new SplitMix64(5);
        string[] spamWords = ["winner", "cash", "prize", "offer", "free"];
        string[] hamWords = ["meeting", "patch", "kernel", "lunch", "review"];
        string[] shared = ["the", "a", "today", "please", "with", "you"];
        string Sentence(string[] cue) => string.Join(' ', Enumerable.Range(0, 8).Select(position =>
            position % 3 == 0 ? cue[generator.NextInt(cue.Length)] : shared[generator.NextInt(shared.Length)]));
        var mails = Enumerable.Range(0, 200).Select(index => (Text: Sentence(index % 2 == 0 ? spamWords : hamWords), IsSpam: index % 2 == 0)).ToList();
        var split = DatasetSplits.StratifiedSplit(mails, mail => mail.IsSpam, 0.25, seed: 3);
        var baseline = BagOfWordsBaseline.Train(split.Train.Select(m => m.Text).ToList(), split.Train.Select(m => m.IsSpam).ToList());
        Assert.Equal(8, baseline.Candidates.Count);
        var probabilities = baseline.PredictProbabilities(split.Test.Select(m => m.Text).ToList());
        var metrics = BinaryClassificationMetrics.Compute(split.Test.Select(m => m.IsSpam).ToList(), probabilities);
        Assert.Equal(1.0, metrics.Accuracy);
        Assert.Equal(1.0, metrics.RocAuc);
        Assert.True(baseline.Model.Weights[baseline.Vectorizer.Words.ToList().IndexOf("cash")] > 0);
        Assert.True(baseline.Model.Weights[baseline.Vectorizer.Words.ToList().IndexOf("kernel")] < 0);
    }

    [Fact]
    public void MetricsMatchHandComputedValues()
    {
        bool[] actual = [true, true, true, false, false, false, false];
        double[] scores = [0.9, 0.6, 0.3, 0.6, 0.2, 0.1, 0.6];
        var metrics = BinaryClassificationMetrics.Compute(actual, scores);
        Assert.Equal((2, 2, 2, 1), (metrics.TruePositives, metrics.FalsePositives, metrics.TrueNegatives, metrics.FalseNegatives));
        Assert.Equal(4.0 / 7, metrics.Accuracy, 12);
        Assert.Equal(0.5, metrics.Precision, 12);
        Assert.Equal(2.0 / 3, metrics.Recall, 12);
        Assert.Equal(4.0 / 7, metrics.F1, 12);
        // Pairs (positive, negative) = 12: 0.9 beats all 4; 0.6 beats 2 and ties 2; 0.3 beats 2. (4 + 2 + 1 + 2) / 12.
        Assert.Equal(9.0 / 12, metrics.RocAuc, 12);
    }

    [Fact]
    public void AucNeedsBothClasses()
    {
        var error = Assert.Throws<ArgumentException>(() => BinaryClassificationMetrics.ComputeRocAuc([true, true], [0.1, 0.2]));
        Assert.Contains("needs both classes", error.Message);
    }
}
