namespace MlNetRnn.Training;

/// <summary>
/// xoshiro256** with SplitMix64 seeding: a small, fast generator whose whole state can be saved in a checkpoint
/// and restored, so a resumed run draws exactly the numbers the uninterrupted run would have drawn.
/// </summary>
public sealed class SeededRandom
{
    private ulong _s0, _s1, _s2, _s3;

    public SeededRandom(ulong seed)
    {
        var x = seed;
        _s0 = SplitMix(ref x);
        _s1 = SplitMix(ref x);
        _s2 = SplitMix(ref x);
        _s3 = SplitMix(ref x);
    }

    private SeededRandom(ulong[] state) => State = state;

    /// <summary>The four state words; settable to restore a saved generator.</summary>
    public ulong[] State
    {
        get => [_s0, _s1, _s2, _s3];
        set
        {
            if (value is not { Length: 4 } || value.All(v => v == 0))
                throw new ArgumentException("A generator state is four words, not all zero.", nameof(value));
            (_s0, _s1, _s2, _s3) = (value[0], value[1], value[2], value[3]);
        }
    }

    public static SeededRandom FromState(ulong[] state) => new(state);

    /// <summary>An independent generator seeded from this one (for a sub-task such as dropout).</summary>
    public SeededRandom Fork() => new(NextUInt64());

    public ulong NextUInt64()
    {
        var result = RotateLeft(_s1 * 5, 7) * 9;
        var t = _s1 << 17;
        _s2 ^= _s0;
        _s3 ^= _s1;
        _s1 ^= _s2;
        _s0 ^= _s3;
        _s2 ^= t;
        _s3 = RotateLeft(_s3, 45);
        return result;
    }

    /// <summary>Uniform in [0, 1) with 53 bits.</summary>
    public double NextDouble() => (NextUInt64() >> 11) * (1.0 / (1UL << 53));

    /// <summary>Uniform in [0, 1) with 24 bits.</summary>
    public float NextSingle() => (NextUInt64() >> 40) * (1f / (1 << 24));

    /// <summary>Uniform integer in [0, n), without modulo bias.</summary>
    public int Next(int n)
    {
        if (n <= 0)
            throw new ArgumentOutOfRangeException(nameof(n), n, "The bound must be positive.");
        var bound = (ulong)n;
        var threshold = (0UL - bound) % bound;
        while (true)
        {
            var r = NextUInt64();
            if (r >= threshold)
                return (int)(r % bound);
        }
    }

    /// <summary>Uniform in [low, high).</summary>
    public float Uniform(float low, float high) => low + (high - low) * NextSingle();

    /// <summary>Standard normal (Box-Muller, one value per call).</summary>
    public double NextGaussian()
    {
        double u1;
        do
        {
            u1 = NextDouble();
        }
        while (u1 <= double.Epsilon);
        return Math.Sqrt(-2 * Math.Log(u1)) * Math.Cos(2 * Math.PI * NextDouble());
    }

    /// <summary>Fisher-Yates shuffle in place.</summary>
    public void Shuffle<T>(IList<T> items)
    {
        for (var i = items.Count - 1; i > 0; i--)
        {
            var j = Next(i + 1);
            (items[i], items[j]) = (items[j], items[i]);
        }
    }

    private static ulong RotateLeft(ulong x, int k) => (x << k) | (x >> (64 - k));

    private static ulong SplitMix(ref ulong x)
    {
        var z = x += 0x9E3779B97F4A7C15UL;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }
}
