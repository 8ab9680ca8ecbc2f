namespace MlNetRnn.Network;

/// <summary>Inverted dropout: each element is kept with probability 1 - rate and scaled by 1 / (1 - rate).</summary>
public static class Dropout
{
    /// <summary>Draws a mask of 0 and 1/(1-rate) values.</summary>
    public static void SampleMask(Span<float> mask, float rate, Training.SeededRandom random)
    {
        var keep = 1f / (1f - rate);
        for (var i = 0; i < mask.Length; i++)
            mask[i] = random.NextSingle() < rate ? 0f : keep;
    }
}
