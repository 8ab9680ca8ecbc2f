using System.Globalization;
using System.Text;

namespace MlNetRnn.Featurization;

/// <summary>Splits text into tokens as <see cref="TextFeaturizerOptions"/> describes.</summary>
public static class Tokenizer
{
    public static List<string> Tokenize(string text, TextFeaturizerOptions options)
    {
        ArgumentNullException.ThrowIfNull(text);
        ArgumentNullException.ThrowIfNull(options);
        if (options.Tokenizer == TokenizerKind.Characters)
            return Characters(options.Lowercase ? text.ToLowerInvariant() : text);
        return options.EffectiveTokenizerVersion >= 2 ? Words(text, options) : LegacyWords(text, options);
    }

    private static List<string> Characters(string text)
    {
        var tokens = new List<string>();
        var e = StringInfo.GetTextElementEnumerator(text);
        while (e.MoveNext())
            tokens.Add(e.GetTextElement());
        return tokens;
    }

    // Version 2: see WordBoundaries. Long tokens are kept here; the vocabulary never holds them.
    private static List<string> Words(string text, TextFeaturizerOptions options)
    {
        text = WordBoundaries.AsUtf8Text(text);
        var tokens = new List<string>();
        var start = 0;
        void Flush(int end)
        {
            if (end > start)
            {
                var token = text[start..end];
                tokens.Add(options.Lowercase ? WordBoundaries.LowercaseAscii(token) : token);
            }
        }

        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if (WordBoundaries.IsSeparator(c))
            {
                Flush(i);
                start = i + 1;
            }
            else if (WordBoundaries.IsPunctuation(c))
            {
                Flush(i);
                if (options.KeepPunctuation)
                    tokens.Add(c.ToString());
                start = i + 1;
            }
        }
        Flush(text.Length);
        return tokens;
    }

    // Version 1 (models saved before version 2 existed): runs of letters and digits, inner apostrophes kept, Unicode
    // lower-casing, long words cut to MaxTokenLength.
    private static List<string> LegacyWords(string text, TextFeaturizerOptions options)
    {
        if (options.Lowercase)
            text = text.ToLowerInvariant();
        var tokens = new List<string>();
        var word = new StringBuilder();
        void Flush()
        {
            if (word.Length == 0)
                return;
            while (word.Length > 0 && word[^1] == '\'')
                word.Length--;
            if (word.Length > 0)
                tokens.Add(word.Length > options.MaxTokenLength ? word.ToString(0, options.MaxTokenLength) : word.ToString());
            word.Clear();
        }

        foreach (var c in text)
        {
            if (char.IsLetterOrDigit(c) || (c == '\'' && word.Length > 0))
            {
                word.Append(c);
            }
            else
            {
                Flush();
                if (options.KeepPunctuation && !char.IsWhiteSpace(c) && !char.IsControl(c))
                    tokens.Add(c.ToString());
            }
        }
        Flush();
        return tokens;
    }
}
