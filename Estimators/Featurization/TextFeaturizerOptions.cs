namespace MlNetRnn.Featurization;

/// <summary>Tokenizer and vocabulary settings; the vocabulary itself is built from the training texts at Fit.</summary>
public sealed record TextFeaturizerOptions
{
    public TokenizerKind Tokenizer { get; init; } = TokenizerKind.Words;

    /// <summary>Lower-case text before tokenizing. Default true.</summary>
    public bool Lowercase { get; init; } = true;

    /// <summary>Words tokenizer: emit punctuation and symbols ("$", "!") as tokens. Default true.</summary>
    public bool KeepPunctuation { get; init; } = true;

    /// <summary>Words longer than this are cut to it (base64 debris, long URLs). Default 32.</summary>
    public int MaxTokenLength { get; init; } = 32;

    /// <summary>Most frequent tokens kept, the two reserved ids included. Default 20000.</summary>
    public int MaxVocabularySize { get; init; } = 20000;

    /// <summary>Tokens seen fewer times in the training texts map to the unknown token. Default 2.</summary>
    public int MinCount { get; init; } = 2;

    /// <summary>Tokens per sequence after truncation; 0 means no limit. Default 400.</summary>
    public int MaxLength { get; init; } = 400;

    /// <summary>Which end a long sequence keeps. Default <see cref="TruncationSide.KeepStart"/>.</summary>
    public TruncationSide Truncation { get; init; } = TruncationSide.KeepStart;

    public void Validate()
    {
        ArgumentChecks.Defined(Tokenizer, nameof(Tokenizer));
        ArgumentChecks.Defined(Truncation, nameof(Truncation));
        if (MaxTokenLength <= 0)
            throw new ArgumentException($"MaxTokenLength must be positive, got {MaxTokenLength}.", nameof(MaxTokenLength));
        ArgumentChecks.InRange(MaxVocabularySize, 3, SequenceModelLimits.MaxInputWidth, nameof(MaxVocabularySize), "padding, unknown and at least one token");
        if (MinCount < 1)
            throw new ArgumentException($"MinCount must be at least 1, got {MinCount}.", nameof(MinCount));
        if (MaxLength < 0)
            throw new ArgumentException($"MaxLength must be >= 0 (0 means no limit), got {MaxLength}.", nameof(MaxLength));
    }
}
