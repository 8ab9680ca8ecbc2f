namespace MlNetRnn.Examples.Datasets;

/// <summary>
/// SplitMix64 (Steele, Lea and Flood, 2014), a tiny generator whose sequence for a seed is fixed by this code, so
/// splits stay the same across .NET versions (System.Random's seeded sequence is not a documented contract).
/// </summary>
public sealed class SplitMix64(ulong seed)
{
    private ulong state = seed;

    public ulong NextUInt64()
    {
        state += 0x9E3779B97F4A7C15UL;
        var mixed = state;
        mixed = (mixed ^ (mixed >> 30)) * 0xBF58476D1CE4E5B9UL;
        mixed = (mixed ^ (mixed >> 27)) * 0x94D049BB133111EBUL;
        return mixed ^ (mixed >> 31);
    }

    /// <summary>Uniform in [0, <paramref name="exclusiveMaximum"/>), without modulo bias (rejection sampling).</summary>
    public int NextInt(int exclusiveMaximum)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(exclusiveMaximum);
        var range = (ulong)exclusiveMaximum;
        var limit = ulong.MaxValue - ulong.MaxValue % range;
        ulong value;
        do
            value = NextUInt64();
        while (value >= limit);
        return (int)(value % range);
    }

    /// <summary>Uniform in [0, 1) with 53 random bits.</summary>
    public double NextDouble() => (NextUInt64() >> 11) * (1.0 / (1UL << 53));

    /// <summary>Fisher-Yates shuffle in place.</summary>
    public void Shuffle<T>(IList<T> items)
    {
        for (var index = items.Count - 1; index > 0; index--)
        {
            var other = NextInt(index + 1);
            (items[index], items[other]) = (items[other], items[index]);
        }
    }
}
