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
        if (options.Lowercase)
            text = text.ToLowerInvariant();
        var tokens = new List<string>();
        if (options.Tokenizer == TokenizerKind.Characters)
        {
            var e = StringInfo.GetTextElementEnumerator(text);
            while (e.MoveNext())
                tokens.Add(e.GetTextElement());
            return tokens;
        }

        var word = new StringBuilder();
        void Flush()
        {
            if (word.Length == 0)
                return;
            // An apostrophe only joins letters: "don't" stays one word, a trailing "'" is dropped.
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
