namespace MlNetRnn.Featurization;

/// <summary>
/// The definition of the Words tokenizer (version 2), in terms that ONNX's string operators can carry out exactly, so
/// that an exported graph that takes raw text gives the ids the library gives. A text is read as the UTF-8 that ONNX
/// Runtime receives (a lone UTF-16 surrogate becomes U+FFFD). Then:
/// <list type="number">
/// <item>Separators (<see cref="Separators"/>: Unicode's White_Space characters) end a token and are dropped.</item>
/// <item>Punctuation (<see cref="Punctuation"/>: the 32 ASCII punctuation and symbol characters) ends a token and is
/// a token of its own.</item>
/// <item>Every other character belongs to a word: letters and digits of any script, and also symbols, emoji and
/// punctuation outside ASCII ("naïve", "€50", "“quoted”" are single tokens).</item>
/// <item>With lower-casing on, A-Z become a-z; other letters keep their case (ONNX's StringNormalizer lower-cases only
/// ASCII in the portable "C" locale, and a locale-dependent mapping would differ between machines).</item>
/// <item>A token longer than MaxTokenLength UTF-16 code units is never in the vocabulary, so it reads as unknown.</item>
/// <item>A text with no tokens reads as one unknown token.</item>
/// </list>
/// Version 1 (MlNetRnn before 0.1.0's ONNX text graphs) split on char.IsLetterOrDigit and lower-cased all of Unicode;
/// model files that carry no version keep it, and cannot be exported as a raw-text graph.
/// </summary>
public static class WordBoundaries
{
    /// <summary>The tokenizer version that new models are trained with.</summary>
    public const int CurrentVersion = 2;

    /// <summary>Unicode White_Space: the characters that separate tokens and are dropped.</summary>
    public static readonly IReadOnlyList<char> Separators =
    [
        ' ', '\t', '\n', '\v', '\f', '\r', '\u0085', '\u00A0', '\u1680',
        '\u2000', '\u2001', '\u2002', '\u2003', '\u2004', '\u2005', '\u2006', '\u2007', '\u2008', '\u2009', '\u200A',
        '\u2028', '\u2029', '\u202F', '\u205F', '\u3000',
    ];

    /// <summary>ASCII punctuation and symbols: each is a token of its own.</summary>
    public static readonly IReadOnlyList<char> Punctuation = "!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~".ToCharArray();

    private static readonly char[] SeparatorArray = [.. Separators];
    private static readonly HashSet<char> SeparatorSet = [.. Separators];
    private static readonly HashSet<char> PunctuationSet = [.. Punctuation];

    public static bool IsSeparator(char c) => SeparatorSet.Contains(c);

    public static bool IsPunctuation(char c) => PunctuationSet.Contains(c);

    /// <summary>The white-space words of a text: the non-empty runs between <see cref="Separators"/> (what per-word
    /// targets count; every token of the Words tokenizer lies inside one).</summary>
    public static string[] SplitWords(string text) => text.Split(SeparatorArray, StringSplitOptions.RemoveEmptyEntries);

    /// <summary>The text as ONNX Runtime receives it: every lone surrogate replaced by U+FFFD (what UTF-8 encoding does).</summary>
    public static string AsUtf8Text(string text)
    {
        var firstLone = -1;
        for (var i = 0; i < text.Length; i++)
        {
            if (char.IsHighSurrogate(text[i]) && i + 1 < text.Length && char.IsLowSurrogate(text[i + 1]))
            {
                i++;
                continue;
            }
            if (char.IsSurrogate(text[i]))
            {
                firstLone = i;
                break;
            }
        }
        if (firstLone < 0)
            return text;
        var chars = text.ToCharArray();
        for (var i = firstLone; i < chars.Length; i++)
        {
            if (char.IsHighSurrogate(chars[i]) && i + 1 < chars.Length && char.IsLowSurrogate(chars[i + 1]))
                i++;
            else if (char.IsSurrogate(chars[i]))
                chars[i] = '\uFFFD';
        }
        return new string(chars);
    }

    /// <summary>A-Z to a-z, nothing else.</summary>
    public static string LowercaseAscii(string token)
    {
        var first = -1;
        for (var i = 0; i < token.Length; i++)
        {
            if (token[i] is >= 'A' and <= 'Z')
            {
                first = i;
                break;
            }
        }
        if (first < 0)
            return token;
        return string.Create(token.Length, (token, first), static (span, state) =>
        {
            state.token.AsSpan().CopyTo(span);
            for (var i = state.first; i < span.Length; i++)
            {
                if (span[i] is >= 'A' and <= 'Z')
                    span[i] = (char)(span[i] + ('a' - 'A'));
            }
        });
    }
}
