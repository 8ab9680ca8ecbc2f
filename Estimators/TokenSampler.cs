using MlNetRnn.Training;

namespace MlNetRnn;

/// <summary>
/// Picks a next token from a language model's logits as <see cref="SamplingOptions"/> says; what
/// <see cref="SequenceModel.Generate(string, int, SamplingOptions)"/> runs each step, public for a
/// <see cref="SequenceStream"/> that generates on its own.
/// </summary>
public static class TokenSampler
{
    /// <summary>
    /// The tokens top-k and top-p keep from a distribution, most likely first (ties: lower index first): the first
    /// <paramref name="topK"/> (0: all), then of those, renormalized, the shortest prefix whose probability reaches
    /// <paramref name="topP"/> (1: all).
    /// </summary>
    /// <param name="probabilities">[V], summing to 1.</param>
    public static int[] Kept(ReadOnlySpan<float> probabilities, int topK, float topP)
    {
        if (probabilities.IsEmpty)
            throw new ArgumentException("The distribution is empty.", nameof(probabilities));
        var p = probabilities.ToArray();
        var order = Enumerable.Range(0, p.Length).OrderByDescending(i => p[i]).ThenBy(i => i).ToArray();
        var count = topK > 0 ? Math.Min(topK, order.Length) : order.Length;
        if (topP < 1f)
        {
            double total = 0;
            for (var i = 0; i < count; i++)
                total += p[order[i]];
            double cumulative = 0;
            for (var i = 0; i < count; i++)
            {
                cumulative += p[order[i]];
                if (cumulative >= topP * total)
                {
                    count = i + 1;
                    break;
                }
            }
        }
        return order[..count];
    }

    /// <summary>
    /// The next token: the most likely at temperature 0; otherwise one draw (one <see cref="SeededRandom.NextDouble"/>)
    /// from softmax(logits / temperature) restricted to the kept tokens and renormalized, walking the kept tokens in
    /// index order.
    /// </summary>
    /// <param name="logits">[V]</param>
    public static int Sample(ReadOnlySpan<float> logits, SamplingOptions options, SeededRandom random)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(random);
        options.Validate();
        if (options.Temperature == 0f)
            return SequencePredictionDecoder.ArgMax(logits);
        var scaled = new float[logits.Length];
        for (var k = 0; k < logits.Length; k++)
            scaled[k] = logits[k] / options.Temperature;
        var p = SequencePredictionDecoder.Softmax(scaled);
        var kept = Kept(p, options.TopK, options.TopP);
        Array.Sort(kept);
        double total = 0;
        foreach (var k in kept)
            total += p[k];
        var target = random.NextDouble() * total;
        double cumulative = 0;
        foreach (var k in kept)
        {
            cumulative += p[k];
            if (target < cumulative)
                return k;
        }
        return kept[^1];
    }
}
