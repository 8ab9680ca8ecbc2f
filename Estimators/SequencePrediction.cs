namespace MlNetRnn;

/// <summary>
/// A model's prediction for one sequence. Classification: <see cref="PredictedLabel"/>, <see cref="Probabilities"/>
/// per class (binary: negative, positive) and <see cref="Score"/> (binary: the logit; multiclass: the winning
/// probability). Regression: <see cref="Values"/> (K, or T*K per step). Tagging: <see cref="StepLabels"/>.
/// Language model: <see cref="Probabilities"/> of the next token after the sequence.
/// </summary>
public sealed record SequencePrediction
{
    public string? PredictedLabel { get; init; }

    public float Score { get; init; }

    public float[]? Probabilities { get; init; }

    public float[]? Values { get; init; }

    public string[]? StepLabels { get; init; }

    /// <summary>Binary classification: the probability of the positive class.</summary>
    public float Probability => Probabilities is { Length: 2 } p ? p[1] : float.NaN;
}
