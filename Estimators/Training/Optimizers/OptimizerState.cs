namespace MlNetRnn.Training.Optimizers;

/// <summary>Shared checks for restoring optimizer state.</summary>
internal static class OptimizerState
{
    public static void Restore(string optimizer, IReadOnlyDictionary<string, float[]> state, string name, float[] into)
    {
        if (!state.TryGetValue(name, out var saved))
            throw new InvalidDataException($"The saved {optimizer} state has no '{name}' buffer.");
        if (saved.Length != into.Length)
            throw new InvalidDataException($"The saved {optimizer} '{name}' buffer holds {saved.Length} values; the model has {into.Length} parameters.");
        saved.CopyTo(into, 0);
    }
}
