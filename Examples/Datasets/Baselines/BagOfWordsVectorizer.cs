namespace MlNetRnn.Examples.Datasets.Baselines;

/// <summary>
/// A vocabulary of the words that occur in at least <c>minimumDocumentCount</c> training documents (ordinal order,
/// so feature indices do not depend on document order), and the map from a text to its sparse feature vector.
/// Words outside the vocabulary are ignored.
/// </summary>
public sealed class BagOfWordsVectorizer
{
    private readonly Dictionary<string, int> indices;

    private BagOfWordsVectorizer(string[] words, BagOfWordsFeatureMode mode)
    {
        Words = words;
        Mode = mode;
        indices = words.Select((word, index) => (word, index)).ToDictionary(pair => pair.word, pair => pair.index, StringComparer.Ordinal);
    }

    /// <summary>Feature index to word.</summary>
    public IReadOnlyList<string> Words { get; }

    public BagOfWordsFeatureMode Mode { get; }

    public int FeatureCount => Words.Count;

    /// <summary>Builds the vocabulary from training texts.</summary>
    public static BagOfWordsVectorizer Fit(IEnumerable<string> texts, int minimumDocumentCount, BagOfWordsFeatureMode mode)
    {
        ArgumentNullException.ThrowIfNull(texts);
        ArgumentOutOfRangeException.ThrowIfLessThan(minimumDocumentCount, 1);
        var documentCounts = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var text in texts)
        {
            foreach (var word in WordTokenizer.Tokenize(text).Distinct(StringComparer.Ordinal))
                documentCounts[word] = documentCounts.GetValueOrDefault(word) + 1;
        }
        var words = documentCounts.Where(pair => pair.Value >= minimumDocumentCount).Select(pair => pair.Key)
            .Order(StringComparer.Ordinal).ToArray();
        return new BagOfWordsVectorizer(words, mode);
    }

    /// <summary>The feature vector of <paramref name="text"/>.</summary>
    public SparseVector Transform(string text)
    {
        var counts = new SortedDictionary<int, int>();
        foreach (var word in WordTokenizer.Tokenize(text))
        {
            if (indices.TryGetValue(word, out var index))
                counts[index] = counts.GetValueOrDefault(index) + 1;
        }
        var featureIndices = counts.Keys.ToArray();
        var values = new float[featureIndices.Length];
        if (Mode == BagOfWordsFeatureMode.Binary)
        {
            Array.Fill(values, 1f);
        }
        else
        {
            var norm = Math.Sqrt(counts.Values.Sum(count => (double)count * count));
            var entry = 0;
            foreach (var count in counts.Values)
                values[entry++] = (float)(count / norm);
        }
        return new SparseVector(featureIndices, values);
    }
}
