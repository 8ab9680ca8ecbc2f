namespace MlNetRnn.Featurization;

/// <summary>Text to token ids: the tokenizer, the vocabulary built at Fit, and truncation to MaxLength.</summary>
public sealed class TextFeaturizer
{
    public TextFeaturizer(TextFeaturizerOptions options, Vocabulary vocabulary)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(vocabulary);
        options.Validate();
        // Stated explicitly from here on, so that a saved file says which tokenizer it needs (a file without it is read
        // as version 1: TextFeaturizerOptions.AsRead).
        options = options with { TokenizerVersion = options.EffectiveTokenizerVersion };
        if (options.Tokenizer == TokenizerKind.Words && options.EffectiveTokenizerVersion >= 2)
        {
            // The version-2 tokenizer never yields these, and an ONNX graph would map them differently than Encode.
            var bad = vocabulary.Tokens.Skip(2).FirstOrDefault(t => t.Length == 0 || t.Length > options.MaxTokenLength
                || t.Any(c => WordBoundaries.IsSeparator(c) || (WordBoundaries.IsPunctuation(c) && t.Length > 1)) || t != WordBoundaries.AsUtf8Text(t)
                || (options.Lowercase && t != WordBoundaries.LowercaseAscii(t)));
            if (bad is not null)
                throw new ArgumentException($"The vocabulary holds '{bad}', which the Words tokenizer (version 2, MaxTokenLength {options.MaxTokenLength}, " +
                                            $"lower-case {options.Lowercase}) never produces.", nameof(vocabulary));
        }
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
        options = options with { TokenizerVersion = options.EffectiveTokenizerVersion };
        var longest = options.Tokenizer == TokenizerKind.Words && options.TokenizerVersion >= 2 ? options.MaxTokenLength : int.MaxValue;
        var vocabulary = Vocabulary.Build(texts.Select(t => Truncate(Tokenizer.Tokenize(t, options), options).Where(token => token.Length <= longest)),
            options.MaxVocabularySize, options.MinCount);
        return new TextFeaturizer(options, vocabulary);
    }

    /// <summary>The ids of the text's tokens (unknown tokens get <see cref="Vocabulary.UnknownId"/>), truncated; empty
    /// when the text has no tokens (what a language model's stream of texts wants).</summary>
    public int[] Encode(string text) =>
        Truncate(Tokenizer.Tokenize(text, Options), Options).Select(Vocabulary.IdOf).ToArray();

    /// <summary>The ids of one input sequence: <see cref="Encode"/>, and a text with no tokens (empty, only separators,
    /// only dropped characters) reads as one unknown token, here and in an exported raw-text ONNX graph.</summary>
    public int[] EncodeSequence(string text)
    {
        var ids = Encode(text);
        return ids.Length > 0 ? ids : [Vocabulary.UnknownId];
    }

    /// <summary>
    /// StepAlignment Words: the ids of a text's white-space words back to back (not truncated), and the step of each
    /// word's last token, where its target sits. A text without words reads as one unknown token with no target step.
    /// </summary>
    /// <exception cref="ArgumentException">A word yields no token (only punctuation, with KeepPunctuation false).</exception>
    internal (int[] Ids, int[] Steps) EncodeWords(string text, int sequence)
    {
        if (Options.Tokenizer != TokenizerKind.Words)
            throw new ArgumentException($"StepAlignment.Words gives a target per white-space word, which needs the Words tokenizer; a {Options.Tokenizer} model takes one per token: set Text.StepAlignment = StepAlignment.Tokens.", "data");
        // Every token of the Words tokenizer lies inside one white-space word, so the words' tokens back to back are
        // the text's tokens (what an exported raw-text graph reads).
        var ids = new List<int>();
        var steps = new List<int>();
        var words = WordBoundaries.SplitWords(text);
        for (var w = 0; w < words.Length; w++)
        {
            var tokens = Tokenizer.Tokenize(words[w], Options);
            if (tokens.Count == 0)
                throw new ArgumentException($"Word {w} ('{words[w]}') of text {sequence} yields no token (KeepPunctuation is {Options.KeepPunctuation}), so its target has no step to sit on. " +
                    "Set Text.KeepPunctuation = true, drop the word and its target, or give targets per token (Text.StepAlignment = StepAlignment.Tokens).", "data");
            ids.AddRange(tokens.Select(Vocabulary.IdOf));
            steps.Add(ids.Count - 1);
        }
        return ids.Count == 0 ? ([Vocabulary.UnknownId], []) : (ids.ToArray(), steps.ToArray());
    }

    private static List<string> Truncate(List<string> tokens, TextFeaturizerOptions options)
    {
        if (options.MaxLength == 0 || tokens.Count <= options.MaxLength)
            return tokens;
        return options.Truncation == TruncationSide.KeepStart
            ? tokens.GetRange(0, options.MaxLength)
            : tokens.GetRange(tokens.Count - options.MaxLength, options.MaxLength);
    }
}
