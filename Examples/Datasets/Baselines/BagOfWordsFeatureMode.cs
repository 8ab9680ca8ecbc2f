namespace MlNetRnn.Examples.Datasets.Baselines;

/// <summary>How a document's words become feature values.</summary>
public enum BagOfWordsFeatureMode
{
    /// <summary>1 for every vocabulary word present in the document, whatever its count.</summary>
    Binary,

    /// <summary>Word counts, the vector scaled to unit Euclidean length (so long mails do not dominate).</summary>
    TermFrequency,
}
