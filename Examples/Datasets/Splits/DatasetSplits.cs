namespace MlNetRnn.Examples.Datasets;

/// <summary>Reproducible train/test splits.</summary>
public static class DatasetSplits
{
    /// <summary>
    /// A stratified split: within each class (label true, label false) the items are shuffled with a generator seeded
    /// by <paramref name="seed"/> and round(count * <paramref name="testFraction"/>) of them go to the test set, so both
    /// sets keep the class proportions. The same items, fraction and seed always give the same split; train and test
    /// are disjoint, cover every item, and list items in their original order.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="testFraction"/> is not strictly between 0 and 1.</exception>
    public static TrainTestSplit<T> StratifiedSplit<T>(IReadOnlyList<T> items, Func<T, bool> label, double testFraction, int seed)
    {
        ArgumentNullException.ThrowIfNull(items);
        ArgumentNullException.ThrowIfNull(label);
        if (!(testFraction > 0 && testFraction < 1))
            throw new ArgumentOutOfRangeException(nameof(testFraction), testFraction,
                $"{nameof(testFraction)} must be strictly between 0 and 1 (e.g. 0.2 for an 80/20 split); got {testFraction}.");
        var labels = items.Select(label).ToArray();
        var isTest = new bool[items.Count];
        var generator = new SplitMix64(unchecked((ulong)seed));
        foreach (var classValue in new[] { false, true })
        {
            var members = Enumerable.Range(0, items.Count).Where(index => labels[index] == classValue).ToList();
            generator.Shuffle(members);
            var testCount = (int)Math.Round(members.Count * testFraction, MidpointRounding.AwayFromZero);
            foreach (var index in members.Take(testCount))
                isTest[index] = true;
        }
        var train = new List<T>(items.Count);
        var test = new List<T>();
        for (var index = 0; index < items.Count; index++)
            (isTest[index] ? test : train).Add(items[index]);
        return new TrainTestSplit<T>(train, test);
    }
}
