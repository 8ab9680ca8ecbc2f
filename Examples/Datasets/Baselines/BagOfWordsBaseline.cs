namespace MlNetRnn.Examples.Datasets.Baselines;

/// <summary>
/// The linear baseline for spam classification: bag of lower-case words (<see cref="BagOfWordsVectorizer"/>) and
/// L2-regularized logistic regression (<see cref="LogisticRegression"/>).
/// Training holds out a stratified validation slice of the training texts, fits every (feature mode, L2) candidate on
/// the rest, keeps the one with the best validation accuracy (ties: higher ROC AUC, then the earlier candidate), and
/// refits it on all training texts with a vocabulary built from all of them. The test set is never looked at.
/// </summary>
public sealed class BagOfWordsBaseline
{
    private BagOfWordsBaseline(BagOfWordsVectorizer vectorizer, LogisticRegression model, double l2, IReadOnlyList<BaselineCandidate> candidates)
    {
        Vectorizer = vectorizer;
        Model = model;
        L2 = l2;
        Candidates = candidates;
    }

    public BagOfWordsVectorizer Vectorizer { get; }

    public LogisticRegression Model { get; }

    public BagOfWordsFeatureMode FeatureMode => Vectorizer.Mode;

    public double L2 { get; }

    /// <summary>Every candidate tried, with its validation metrics, in the order tried.</summary>
    public IReadOnlyList<BaselineCandidate> Candidates { get; }

    /// <summary>Trains on <paramref name="texts"/> with labels <paramref name="isPositive"/> (true = spam).</summary>
    public static BagOfWordsBaseline Train(IReadOnlyList<string> texts, IReadOnlyList<bool> isPositive, BagOfWordsBaselineOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(texts);
        ArgumentNullException.ThrowIfNull(isPositive);
        if (texts.Count != isPositive.Count)
            throw new ArgumentException($"{texts.Count} texts but {isPositive.Count} labels; expected one label per text.", nameof(isPositive));
        options ??= new BagOfWordsBaselineOptions();
        if (options.FeatureModes.Count == 0 || options.L2Strengths.Count == 0)
            throw new ArgumentException("The options need at least one feature mode and one L2 strength.", nameof(options));
        var indices = Enumerable.Range(0, texts.Count).ToList();
        var split = DatasetSplits.StratifiedSplit(indices, index => isPositive[index], options.ValidationFraction, options.Seed);
        var fitTexts = split.Train.Select(index => texts[index]).ToList();
        var fitLabels = split.Train.Select(index => isPositive[index]).ToList();
        var validationTexts = split.Test.Select(index => texts[index]).ToList();
        var validationLabels = split.Test.Select(index => isPositive[index]).ToList();
        var candidates = new List<BaselineCandidate>();
        foreach (var mode in options.FeatureModes)
        {
            var vectorizer = BagOfWordsVectorizer.Fit(fitTexts, options.MinimumDocumentCount, mode);
            var fitVectors = fitTexts.Select(vectorizer.Transform).ToList();
            var validationVectors = validationTexts.Select(vectorizer.Transform).ToList();
            foreach (var l2 in options.L2Strengths)
            {
                var model = LogisticRegression.Train(fitVectors, fitLabels, vectorizer.FeatureCount, l2);
                var scores = validationVectors.Select(model.PredictProbability).ToList();
                candidates.Add(new BaselineCandidate(mode, l2, BinaryClassificationMetrics.Compute(validationLabels, scores)));
            }
        }
        var best = candidates[0];
        foreach (var candidate in candidates.Skip(1))
        {
            var better = candidate.Validation.Accuracy > best.Validation.Accuracy ||
                (candidate.Validation.Accuracy == best.Validation.Accuracy && candidate.Validation.RocAuc > best.Validation.RocAuc);
            if (better)
                best = candidate;
        }
        var finalVectorizer = BagOfWordsVectorizer.Fit(texts, options.MinimumDocumentCount, best.FeatureMode);
        var finalModel = LogisticRegression.Train(texts.Select(finalVectorizer.Transform).ToList(), isPositive, finalVectorizer.FeatureCount, best.L2);
        return new BagOfWordsBaseline(finalVectorizer, finalModel, best.L2, candidates);
    }

    /// <summary>p(spam) for each text.</summary>
    public double[] PredictProbabilities(IReadOnlyList<string> texts)
    {
        ArgumentNullException.ThrowIfNull(texts);
        return texts.Select(text => Model.PredictProbability(Vectorizer.Transform(text))).ToArray();
    }

    /// <summary>Spam (true) when p(spam) is at least <paramref name="threshold"/>.</summary>
    public bool[] Predict(IReadOnlyList<string> texts, double threshold = 0.5) =>
        PredictProbabilities(texts).Select(probability => probability >= threshold).ToArray();
}
