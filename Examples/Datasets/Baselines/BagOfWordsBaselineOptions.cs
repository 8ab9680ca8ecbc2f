namespace MlNetRnn.Examples.Datasets.Baselines;

/// <summary>Settings of <see cref="BagOfWordsBaseline.Train"/>; every candidate pair (feature mode, L2) is tried.</summary>
public sealed record BagOfWordsBaselineOptions
{
    /// <summary>A word enters the vocabulary when at least this many training documents contain it.</summary>
    public int MinimumDocumentCount { get; init; } = 2;

    public IReadOnlyList<BagOfWordsFeatureMode> FeatureModes { get; init; } =
        [BagOfWordsFeatureMode.Binary, BagOfWordsFeatureMode.TermFrequency];

    /// <summary>L2 strengths tried (the coefficient of (1/2)|w|^2 next to the mean log loss).</summary>
    public IReadOnlyList<double> L2Strengths { get; init; } = [1e-6, 1e-5, 1e-4, 1e-3];

    /// <summary>Share of the training texts held out (stratified) to choose among candidates.</summary>
    public double ValidationFraction { get; init; } = 0.2;

    /// <summary>Seed of the validation split.</summary>
    public int Seed { get; init; } = 1;
}
