namespace MlNetRnn.Examples.SpamDeploy;

/// <summary>The model's verdict on one text: <see cref="IsSpam"/> is the graph's PredictedLabel (Probability >= 0.5).</summary>
public readonly record struct SpamScore(bool IsSpam, float Probability);
