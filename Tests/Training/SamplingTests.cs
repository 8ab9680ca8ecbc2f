using MlNetRnn.Kernels;
using MlNetRnn.Tests.Export;
using MlNetRnn.Training;

namespace MlNetRnn.Tests.Training;

/// <summary>
/// Top-k and top-p (nucleus) sampling: k = 1 and a tiny p are greedy; the kept set of a hand-computed distribution;
/// the frequencies of many seeded draws against the renormalized distribution (chi-square).
/// </summary>
public class SamplingTests
{
    [Fact]
    public void TopKOfOneAndATinyTopPAreGreedy()
    {
        using var model = RandomModels.Create("lm gru text 2layers", KernelKind.Reference, seed: 3);
        var greedy = model.Generate("the cat", 12);
        Assert.Equal(greedy, model.Generate("the cat", 12, new SamplingOptions { TopK = 1, Temperature = 1.7f, Seed = 11 }));
        Assert.Equal(greedy, model.Generate("the cat", 12, new SamplingOptions { TopP = 1e-6f, Temperature = 2.5f, Seed = 12 }));
        Assert.Equal(greedy, model.Generate("the cat", 12, new SamplingOptions { Temperature = 0f, TopK = 4, Seed = 13 }));
        var sampled = model.Generate("the cat", 12, new SamplingOptions { Temperature = 1.5f, TopK = 5, TopP = 0.95f, Seed = 14 });
        Assert.NotEqual(greedy, sampled);
        Assert.Equal(sampled, model.Generate("the cat", 12, new SamplingOptions { Temperature = 1.5f, TopK = 5, TopP = 0.95f, Seed = 14 }));
        // The flat overload is the options overload without top-k and top-p.
        Assert.Equal(model.Generate("the", 10, temperature: 0.8f, seed: 5), model.Generate("the", 10, new SamplingOptions { Temperature = 0.8f, Seed = 5 }));
    }

    [Fact]
    public void TopPKeepsTheSmallestSetThatReachesP()
    {
        // Sorted: token 1 (0.4), 4 (0.25), 2 (0.2), 0 (0.1), 3 (0.05).
        float[] p = [0.1f, 0.4f, 0.2f, 0.05f, 0.25f];
        Assert.Equal([1], TokenSampler.Kept(p, 0, 0.39f));
        Assert.Equal([1, 4], TokenSampler.Kept(p, 0, 0.41f));
        Assert.Equal([1, 4], TokenSampler.Kept(p, 0, 0.64f));
        Assert.Equal([1, 4, 2], TokenSampler.Kept(p, 0, 0.66f));
        Assert.Equal([1, 4, 2, 0], TokenSampler.Kept(p, 0, 0.9f));
        Assert.Equal([1, 4, 2, 0, 3], TokenSampler.Kept(p, 0, 1f));
        // Top-k first, then top-p of the renormalized k: {1, 4, 2} has 0.85; 0.4/0.85 = 0.47 < 0.7 <= 0.65/0.85 = 0.76.
        Assert.Equal([1, 4], TokenSampler.Kept(p, 3, 0.7f));
        Assert.Equal([1, 4, 2], TokenSampler.Kept(p, 3, 0.8f));
        Assert.Equal([1, 4], TokenSampler.Kept(p, 2, 1f));
        // Reaching p exactly is enough (binary fractions: no rounding).
        Assert.Equal([0, 1], TokenSampler.Kept([0.5f, 0.25f, 0.125f, 0.125f], 0, 0.75f));
        // Ties: the lower index first.
        Assert.Equal([0, 2], TokenSampler.Kept([0.3f, 0.2f, 0.3f, 0.2f], 2, 1f));
    }

    [Fact]
    public void DrawsFollowTheRenormalizedDistribution()
    {
        float[] logits = [1.2f, -0.3f, 2.0f, 0.4f, 1.9f, -1.5f, 0.9f, 0.0f];
        var options = new SamplingOptions { Temperature = 0.8f, TopK = 6, TopP = 0.9f };

        // The expected distribution, computed here in double: softmax(l / T), the 6 largest, the shortest prefix
        // reaching 0.9 of their mass, renormalized.
        var exp = logits.Select(l => Math.Exp(l / 0.8)).ToArray();
        var order = Enumerable.Range(0, logits.Length).OrderByDescending(i => exp[i]).Take(6).ToArray();
        var mass = order.Sum(i => exp[i]);
        var kept = new List<int>();
        double cumulative = 0;
        foreach (var i in order)
        {
            kept.Add(i);
            cumulative += exp[i];
            if (cumulative >= 0.9 * mass)
                break;
        }
        var keptMass = kept.Sum(i => exp[i]);
        Assert.Equal(4, kept.Count);   // tokens 2, 4, 0, 6: the case exercises both cuts

        const int Draws = 200_000;
        var counts = new int[logits.Length];
        var random = new SeededRandom(2026);
        for (var n = 0; n < Draws; n++)
            counts[TokenSampler.Sample(logits, options, random)]++;
        Assert.All(Enumerable.Range(0, logits.Length).Where(i => !kept.Contains(i)), i => Assert.Equal(0, counts[i]));
        double chiSquare = 0;
        foreach (var i in kept)
        {
            var expected = Draws * exp[i] / keptMass;
            chiSquare += (counts[i] - expected) * (counts[i] - expected) / expected;
        }
        // 3 degrees of freedom: P(chi2 > 16.27) = 0.001.
        Assert.True(chiSquare < 16.27, $"chi-square {chiSquare:F2} over {string.Join(", ", kept.Select(i => $"{i}: {counts[i]} vs {Draws * exp[i] / keptMass:F0}"))}");
    }

    [Fact]
    public void InvalidSamplingOptionsNameTheSetting()
    {
        using var model = RandomModels.Create("lm gru text", KernelKind.Reference);
        Assert.Equal("TopP", Assert.Throws<ArgumentException>(() => model.Generate("the", 3, new SamplingOptions { TopP = 0f })).ParamName);
        Assert.Equal("TopK", Assert.Throws<ArgumentException>(() => model.Generate("the", 3, new SamplingOptions { TopK = -1 })).ParamName);
        Assert.Equal("Temperature", Assert.Throws<ArgumentException>(() => model.Generate("the", 3, new SamplingOptions { Temperature = float.NaN })).ParamName);
    }
}
