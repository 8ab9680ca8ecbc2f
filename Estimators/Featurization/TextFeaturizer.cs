namespace MlNetRnn.Featurization;

/// <summary>Text to token ids: the tokenizer, the vocabulary built at Fit, and truncation to MaxLength.</summary>
public sealed class TextFeaturizer
{
    public TextFeaturizer(TextFeaturizerOptions options, Vocabulary vocabulary)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(vocabulary);
        options.Validate();
        Options = options;
        Vocabulary = vocabulary;
    }

    public TextFeaturizerOptions Options { get; }

    public Vocabulary Vocabulary { get; }

    /// <summary>Builds the vocabulary from the training texts.</summary>
    public static TextFeaturizer Fit(IEnumerable<string> texts, TextFeaturizerOptions options)
    {
        ArgumentNullException.ThrowIfNull(texts);
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        var vocabulary = Vocabulary.Build(texts.Select(t => Truncate(Tokenizer.Tokenize(t, options), options)),
            options.MaxVocabularySize, options.MinCount);
        return new TextFeaturizer(options, vocabulary);
    }

    /// <summary>The ids of the text's tokens (unknown tokens get <see cref="Vocabulary.UnknownId"/>), truncated.</summary>
    public int[] Encode(string text) =>
        Truncate(Tokenizer.Tokenize(text, Options), Options).Select(Vocabulary.IdOf).ToArray();

    private static List<string> Truncate(List<string> tokens, TextFeaturizerOptions options)
    {
        if (options.MaxLength == 0 || tokens.Count <= options.MaxLength)
            return tokens;
        return options.Truncation == TruncationSide.KeepStart
            ? tokens.GetRange(0, options.MaxLength)
            : tokens.GetRange(tokens.Count - options.MaxLength, options.MaxLength);
    }
}
