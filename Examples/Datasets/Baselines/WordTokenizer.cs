namespace MlNetRnn.Examples.Datasets.Baselines;

/// <summary>
/// Lower-case word tokens: maximal runs of letters and digits (Unicode categories), everything else separates.
/// Runs longer than <see cref="MaximumTokenLength"/> (base64 debris, long URLs squashed together) are dropped.
/// </summary>
public static class WordTokenizer
{
    public const int MaximumTokenLength = 40;

    /// <summary>The tokens of <paramref name="text"/>, in order, duplicates kept.</summary>
    public static List<string> Tokenize(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var tokens = new List<string>();
        var start = -1;
        for (var index = 0; index <= text.Length; index++)
        {
            var inWord = index < text.Length && char.IsLetterOrDigit(text[index]);
            if (inWord && start < 0)
                start = index;
            else if (!inWord && start >= 0)
            {
                if (index - start <= MaximumTokenLength)
                    tokens.Add(text[start..index].ToLowerInvariant());
                start = -1;
            }
        }
        return tokens;
    }
}
