namespace MlNetRnn;

/// <summary>The checks public boundaries share; each throws an <see cref="ArgumentException"/> naming the parameter,
/// the expected and the actual value.</summary>
internal static class ArgumentChecks
{
    public static void Defined<T>(T value, string name) where T : struct, Enum
    {
        if (!Enum.IsDefined(value))
            throw new ArgumentException($"{name} is {value}, not one of {string.Join(", ", Enum.GetNames<T>())}.", name);
    }

    /// <param name="what">What the value counts, said in the message; null to say nothing.</param>
    public static void InRange(int value, int min, int max, string name, string? what = null)
    {
        if (value < min || value > max)
            throw new ArgumentException($"{name}{(what is null ? "" : $" ({what})")} must be in [{min}, {max}], got {value}.", name);
    }

    /// <summary>1 to <see cref="SequenceModelLimits.MaxThreads"/>.</summary>
    public static void Threads(int threads, string name) =>
        InRange(threads, 1, SequenceModelLimits.MaxThreads, name, $"kernel threads; the cap is SequenceModelLimits.MaxThreads");
}
