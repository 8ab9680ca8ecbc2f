namespace MlNetRnn;

/// <summary>
/// Metrics of a model on a data set. Which are set depends on the task: classification (accuracy, confusion matrix;
/// binary adds precision, recall, F1 and AUC for the positive class; multiclass adds macro F1), regression (RMSE, MAE),
/// tagging (per-step accuracy), language model (perplexity). The loss is the training loss's mean.
/// </summary>
public sealed record EvaluationMetrics
{
    /// <summary>Sequences evaluated (tagging and language models: valid steps).</summary>
    public long Count { get; init; }

    public double Loss { get; init; }

    public double? Accuracy { get; init; }

    public double? Precision { get; init; }

    public double? Recall { get; init; }

    public double? F1 { get; init; }

    public double? Auc { get; init; }

    public double? MacroF1 { get; init; }

    public double? Rmse { get; init; }

    public double? Mae { get; init; }

    public double? Perplexity { get; init; }

    /// <summary>[actual][predicted] counts, classes in label order.</summary>
    public int[][]? ConfusionMatrix { get; init; }

    public override string ToString()
    {
        var parts = new List<string> { $"loss {Loss:F4}" };
        void Add(string name, double? value, string format = "F4")
        {
            if (value is { } v)
                parts.Add($"{name} {v.ToString(format, System.Globalization.CultureInfo.InvariantCulture)}");
        }
        Add("accuracy", Accuracy);
        Add("precision", Precision);
        Add("recall", Recall);
        Add("F1", F1);
        Add("AUC", Auc);
        Add("macro-F1", MacroF1);
        Add("RMSE", Rmse);
        Add("MAE", Mae);
        Add("perplexity", Perplexity, "F3");
        return string.Join(", ", parts);
    }
}
