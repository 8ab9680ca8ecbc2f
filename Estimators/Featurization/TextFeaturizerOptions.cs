namespace MlNetRnn;

/// <summary>Tokenizer and vocabulary settings; the vocabulary itself is built from the training texts at Fit.</summary>
public sealed record TextFeaturizerOptions
{
    public TokenizerKind Tokenizer { get; init; } = TokenizerKind.Words;

    /// <summary>Lower-case text before tokenizing. Default true.</summary>
    public bool Lowercase { get; init; } = true;

    /// <summary>Words tokenizer: emit punctuation and symbols ("$", "!") as tokens. Default true.</summary>
    public bool KeepPunctuation { get; init; } = true;

    /// <summary>Words longer than this many UTF-16 code units are never in the vocabulary, so they read as the unknown
    /// token (base64 debris, long URLs). Default 32. (Tokenizer version 1 cut them to this length instead.)</summary>
    public int MaxTokenLength { get; init; } = 32;

    /// <summary>Most frequent tokens kept, the two reserved ids included. Default 20000.</summary>
    public int MaxVocabularySize { get; init; } = 20000;

    /// <summary>Tokens seen fewer times in the training texts map to the unknown token. Default 2.</summary>
    public int MinCount { get; init; } = 2;

    /// <summary>Tokens per sequence after truncation; 0 means no limit. Default 400.</summary>
    public int MaxLength { get; init; } = 400;

    /// <summary>Which end a long sequence keeps. Default <see cref="TruncationSide.KeepStart"/>.</summary>
    public TruncationSide Truncation { get; init; } = TruncationSide.KeepStart;

    /// <summary>Per-step targets of text (tagging, per-step regression): one per token (default) or one per
    /// white-space word. Training a per-step text model reads every token (MaxLength does not apply to it).</summary>
    [System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingDefault)]
    public StepAlignment StepAlignment { get; init; }

    /// <summary>
    /// Which definition of the Words tokenizer: null or 2 (the default) is the one ONNX's string operators carry out
    /// exactly (see <see cref="Featurization.WordBoundaries"/>); 1 is MlNetRnn's first definition, which model files
    /// saved without this field keep. Training sets it to 2.
    /// </summary>
    public int? TokenizerVersion { get; init; }

    /// <summary><see cref="TokenizerVersion"/>, or the current version when it is not set.</summary>
    [System.Text.Json.Serialization.JsonIgnore]
    public int EffectiveTokenizerVersion => TokenizerVersion ?? Featurization.WordBoundaries.CurrentVersion;

    /// <summary>These options as read from a file: a file without <see cref="TokenizerVersion"/> was written before
    /// version 2 existed, so its model was trained with version 1.</summary>
    internal TextFeaturizerOptions AsRead() => TokenizerVersion is null ? this with { TokenizerVersion = 1 } : this;

    public void Validate()
    {
        ArgumentChecks.Defined(Tokenizer, nameof(Tokenizer));
        ArgumentChecks.Defined(Truncation, nameof(Truncation));
        ArgumentChecks.Defined(StepAlignment, nameof(StepAlignment));
        if (MaxTokenLength <= 0)
            throw new ArgumentException($"MaxTokenLength must be positive, got {MaxTokenLength}.", nameof(MaxTokenLength));
        ArgumentChecks.InRange(MaxVocabularySize, 3, SequenceModelLimits.MaxInputWidth, nameof(MaxVocabularySize), "padding, unknown and at least one token");
        if (MinCount < 1)
            throw new ArgumentException($"MinCount must be at least 1, got {MinCount}.", nameof(MinCount));
        if (TokenizerVersion is { } version && version is < 1 or > Featurization.WordBoundaries.CurrentVersion)
            throw new ArgumentException($"TokenizerVersion must be 1 or {Featurization.WordBoundaries.CurrentVersion}, got {version}.", nameof(TokenizerVersion));
        if (MaxLength < 0)
            throw new ArgumentException($"MaxLength must be >= 0 (0 means no limit), got {MaxLength}.", nameof(MaxLength));
    }
}
