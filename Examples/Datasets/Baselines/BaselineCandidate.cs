namespace MlNetRnn.Examples.Datasets.Baselines;

/// <summary>One (feature mode, L2) setting and how it scored on the validation slice of the training texts.</summary>
public sealed record BaselineCandidate(BagOfWordsFeatureMode FeatureMode, double L2, BinaryClassificationMetrics Validation);
