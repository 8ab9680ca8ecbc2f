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

    /// <summary>Runs body over [0, count) in contiguous chunks, in parallel when the work is large enough.</summary>
    public static void ForChunks(int count, int threads, Action<int, int> body)
    {
        const int minimumChunk = 1 << 16;
        var chunks = Math.Min(threads, Math.Max(1, count / minimumChunk));
        if (chunks <= 1)
        {
            body(0, count);
            return;
        }
        Parallel.For(0, chunks, new ParallelOptions { MaxDegreeOfParallelism = chunks }, c =>
        {
            var start = (int)((long)count * c / chunks);
            var end = (int)((long)count * (c + 1) / chunks);
            body(start, end - start);
        });
    }
}
