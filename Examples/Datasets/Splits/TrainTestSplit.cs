namespace MlNetRnn.Examples.Datasets;

/// <summary>A training and a test subset of one data set; each keeps the items' original relative order.</summary>
public sealed record TrainTestSplit<T>(IReadOnlyList<T> Train, IReadOnlyList<T> Test);
