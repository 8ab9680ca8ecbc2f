namespace MlNetRnn.Examples.Datasets.Baselines;

/// <summary>
/// Quality of a binary classifier on labelled examples: the confusion counts at a threshold, and the threshold-free
/// ROC AUC. Precision, recall and F1 are for the positive class (spam); a ratio whose denominator is zero is 0.
/// </summary>
public sealed record BinaryClassificationMetrics(
    int TruePositives, int FalsePositives, int TrueNegatives, int FalseNegatives, double RocAuc)
{
    public int Count => TruePositives + FalsePositives + TrueNegatives + FalseNegatives;

    public double Accuracy => Ratio(TruePositives + TrueNegatives, Count);

    public double Precision => Ratio(TruePositives, TruePositives + FalsePositives);

    public double Recall => Ratio(TruePositives, TruePositives + FalseNegatives);

    public double F1 => Ratio(2.0 * TruePositives, 2.0 * TruePositives + FalsePositives + FalseNegatives);

    /// <summary>
    /// Metrics of <paramref name="scores"/> (probabilities or any score that grows with the positive class) against
    /// <paramref name="actual"/>; an example is predicted positive when its score is at least <paramref name="threshold"/>.
    /// </summary>
    /// <exception cref="ArgumentException">the lists differ in length, or one class is absent (AUC is undefined).</exception>
    public static BinaryClassificationMetrics Compute(IReadOnlyList<bool> actual, IReadOnlyList<double> scores, double threshold = 0.5)
    {
        var auc = ComputeRocAuc(actual, scores);
        int truePositives = 0, falsePositives = 0, trueNegatives = 0, falseNegatives = 0;
        for (var index = 0; index < actual.Count; index++)
        {
            var predicted = scores[index] >= threshold;
            if (predicted && actual[index]) truePositives++;
            else if (predicted) falsePositives++;
            else if (actual[index]) falseNegatives++;
            else trueNegatives++;
        }
        return new BinaryClassificationMetrics(truePositives, falsePositives, trueNegatives, falseNegatives, auc);
    }

    /// <summary>
    /// Area under the ROC curve: the probability that a random positive scores above a random negative, ties counting
    /// one half (the Mann-Whitney U statistic over average ranks).
    /// </summary>
    public static double ComputeRocAuc(IReadOnlyList<bool> actual, IReadOnlyList<double> scores)
    {
        ArgumentNullException.ThrowIfNull(actual);
        ArgumentNullException.ThrowIfNull(scores);
        if (actual.Count != scores.Count)
            throw new ArgumentException($"{actual.Count} labels but {scores.Count} scores; expected one score per label.", nameof(scores));
        var positives = actual.Count(label => label);
        var negatives = actual.Count - positives;
        if (positives == 0 || negatives == 0)
            throw new ArgumentException(
                $"ROC AUC needs both classes; got {positives} positive and {negatives} negative labels.", nameof(actual));
        var order = Enumerable.Range(0, scores.Count).OrderBy(index => scores[index]).ToArray();
        var positiveRankSum = 0.0;
        var start = 0;
        while (start < order.Length)
        {
            var end = start;
            while (end + 1 < order.Length && scores[order[end + 1]] == scores[order[start]])
                end++;
            var averageRank = (start + end) / 2.0 + 1.0; // ranks are 1-based
            for (var position = start; position <= end; position++)
            {
                if (actual[order[position]])
                    positiveRankSum += averageRank;
            }
            start = end + 1;
        }
        var u = positiveRankSum - positives * (positives + 1) / 2.0;
        return u / ((double)positives * negatives);
    }

    public override string ToString() =>
        $"accuracy {Accuracy:P2}, precision {Precision:F4}, recall {Recall:F4}, F1 {F1:F4}, ROC AUC {RocAuc:F4} " +
        $"(TP {TruePositives}, FP {FalsePositives}, TN {TrueNegatives}, FN {FalseNegatives})";

    private static double Ratio(double numerator, double denominator) => denominator == 0 ? 0 : numerator / denominator;
}
