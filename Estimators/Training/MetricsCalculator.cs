namespace MlNetRnn.Training;

/// <summary>The metric formulas; every rate is computed from counts, AUC from ranks (ties averaged).</summary>
public static class MetricsCalculator
{
    /// <summary>Binary metrics for the positive class from probabilities and true labels.</summary>
    public static EvaluationMetrics Binary(IReadOnlyList<float> probabilities, IReadOnlyList<bool> actual, double loss)
    {
        int tp = 0, fp = 0, tn = 0, fn = 0;
        for (var i = 0; i < actual.Count; i++)
        {
            var predicted = probabilities[i] >= 0.5f;
            if (predicted && actual[i]) tp++;
            else if (predicted) fp++;
            else if (actual[i]) fn++;
            else tn++;
        }
        double precision = tp + fp == 0 ? 0 : (double)tp / (tp + fp);
        double recall = tp + fn == 0 ? 0 : (double)tp / (tp + fn);
        return new EvaluationMetrics
        {
            Count = actual.Count,
            Loss = loss,
            Accuracy = actual.Count == 0 ? 0 : (double)(tp + tn) / actual.Count,
            Precision = precision,
            Recall = recall,
            F1 = precision + recall == 0 ? 0 : 2 * precision * recall / (precision + recall),
            Auc = Auc(probabilities, actual),
            ConfusionMatrix = [[tn, fp], [fn, tp]],
        };
    }

    /// <summary>Area under the ROC curve: the probability that a random positive scores above a random negative.</summary>
    public static double? Auc(IReadOnlyList<float> scores, IReadOnlyList<bool> actual)
    {
        var positives = actual.Count(a => a);
        var negatives = actual.Count - positives;
        if (positives == 0 || negatives == 0)
            return null;
        var order = Enumerable.Range(0, scores.Count).OrderBy(i => scores[i]).ToArray();
        double rankSumPositive = 0;
        for (var i = 0; i < order.Length;)
        {
            var j = i;
            while (j + 1 < order.Length && scores[order[j + 1]] == scores[order[i]])
                j++;
            var averageRank = (i + j) / 2.0 + 1;
            for (var k = i; k <= j; k++)
            {
                if (actual[order[k]])
                    rankSumPositive += averageRank;
            }
            i = j + 1;
        }
        return (rankSumPositive - positives * (positives + 1) / 2.0) / ((double)positives * negatives);
    }

    /// <summary>Accuracy, macro F1 and the confusion matrix over K classes.</summary>
    public static EvaluationMetrics Multiclass(IReadOnlyList<int> predicted, IReadOnlyList<int> actual, int classes, double loss)
    {
        var confusion = new int[classes][];
        for (var k = 0; k < classes; k++)
            confusion[k] = new int[classes];
        var correct = 0;
        for (var i = 0; i < actual.Count; i++)
        {
            confusion[actual[i]][predicted[i]]++;
            if (actual[i] == predicted[i])
                correct++;
        }
        double f1Sum = 0;
        var present = 0;
        for (var k = 0; k < classes; k++)
        {
            var tp = confusion[k][k];
            var actualK = confusion[k].Sum();
            var predictedK = Enumerable.Range(0, classes).Sum(a => confusion[a][k]);
            if (actualK == 0 && predictedK == 0)
                continue;
            present++;
            var p = predictedK == 0 ? 0 : (double)tp / predictedK;
            var r = actualK == 0 ? 0 : (double)tp / actualK;
            f1Sum += p + r == 0 ? 0 : 2 * p * r / (p + r);
        }
        return new EvaluationMetrics
        {
            Count = actual.Count,
            Loss = loss,
            Accuracy = actual.Count == 0 ? 0 : (double)correct / actual.Count,
            MacroF1 = present == 0 ? 0 : f1Sum / present,
            ConfusionMatrix = confusion,
        };
    }

    /// <summary>RMSE and MAE over every predicted value.</summary>
    public static EvaluationMetrics Regression(IReadOnlyList<float[]> predicted, IReadOnlyList<float[]> actual, double loss)
    {
        double squared = 0, absolute = 0;
        long n = 0;
        for (var i = 0; i < actual.Count; i++)
        {
            for (var k = 0; k < actual[i].Length; k++)
            {
                double e = predicted[i][k] - actual[i][k];
                squared += e * e;
                absolute += Math.Abs(e);
                n++;
            }
        }
        return new EvaluationMetrics
        {
            Count = actual.Count,
            Loss = loss,
            Rmse = n == 0 ? 0 : Math.Sqrt(squared / n),
            Mae = n == 0 ? 0 : absolute / n,
        };
    }
}
