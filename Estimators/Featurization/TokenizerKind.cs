namespace MlNetRnn;

/// <summary>How text is split into tokens.</summary>
public enum TokenizerKind
{
    /// <summary>Words (runs of letters and digits, inner apostrophes kept) and, optionally, each punctuation or
    /// symbol character as a token of its own.</summary>
    Words = 0,

    /// <summary>Every character is a token (character language models).</summary>
    Characters = 1,
}
