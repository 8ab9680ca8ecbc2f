namespace MlNetRnn.Training;

/// <summary>Seeded splits of a data set's indices, stratified by class label when there are labels.</summary>
public static class DataSplit
{
    /// <summary>
    /// Puts round(fraction * n_c) of each class c (or of all items, without labels) into the second part, chosen at
    /// random by the seed; both parts come back in ascending index order.
    /// </summary>
    public static (int[] First, int[] Second) Stratified(int count, IReadOnlyList<string>? labels, double secondFraction, ulong seed)
    {
        if (secondFraction is < 0 or > 1 || double.IsNaN(secondFraction))
            throw new ArgumentOutOfRangeException(nameof(secondFraction), secondFraction, "The fraction must be in [0, 1].");
        if (labels is not null && labels.Count != count)
            throw new ArgumentException($"labels has {labels.Count} entries for {count} items.", nameof(labels));
        var random = new SeededRandom(seed);
        var groups = labels is null
            ? [Enumerable.Range(0, count).ToList()]
            : Enumerable.Range(0, count).GroupBy(i => labels[i], StringComparer.Ordinal)
                .OrderBy(g => g.Key, StringComparer.Ordinal).Select(g => g.ToList()).ToList();
        var first = new List<int>();
        var second = new List<int>();
        foreach (var group in groups)
        {
            random.Shuffle(group);
            var take = (int)Math.Round(secondFraction * group.Count, MidpointRounding.AwayFromZero);
            second.AddRange(group.Take(take));
            first.AddRange(group.Skip(take));
        }
        first.Sort();
        second.Sort();
        return (first.ToArray(), second.ToArray());
    }
}
