namespace MlNetRnn.Kernels;

/// <summary>
/// Checks an embedding call, so that every kernel rejects a bad one the same way: the tensor, its expected shape and the
/// actual length, or the token id, where it is and the vocabulary it falls outside.
/// </summary>
public static class EmbeddingArguments
{
    /// <param name="tableLength">Length of the table [V, E] (or its gradient).</param>
    /// <param name="rowsLength">Length of the per-step rows [T, B, E] (the output, or its gradient).</param>
    public static void Validate(int tableLength, int vocabulary, int size, ReadOnlySpan<int> ids, ReadOnlySpan<int> lengths,
        int seqLength, int batch, int rowsLength, string rowsName)
    {
        if (vocabulary <= 0)
            throw new ArgumentOutOfRangeException(nameof(vocabulary), vocabulary, "The vocabulary size V must be positive.");
        if (size <= 0)
            throw new ArgumentOutOfRangeException(nameof(size), size, "The embedding size E must be positive.");
        if (seqLength < 0 || batch < 0)
            throw new ArgumentOutOfRangeException(nameof(seqLength), $"T and B must be >= 0, got T={seqLength}, B={batch}.");
        if (tableLength != (long)vocabulary * size)
            throw new ArgumentException($"The table must hold [V={vocabulary}, E={size}] = {(long)vocabulary * size} values, got {tableLength}.", "table");
        var cells = (long)seqLength * batch;
        if (lengths.Length != batch)
            throw new ArgumentException($"lengths must hold B={batch} values, got {lengths.Length}.", nameof(lengths));
        if (rowsLength < cells * size)
            throw new ArgumentException($"{rowsName} must hold [T={seqLength}, B={batch}, E={size}] = {cells * size} values, got {rowsLength}.", rowsName);
        ValidateIds(ids, lengths, seqLength, batch, vocabulary);
    }

    /// <summary>Every id at a valid step (t &lt; lengths[b]; every step where <paramref name="lengths"/> is empty) within
    /// [0, V), the lengths within [0, T] (ids holds at least T*B values).</summary>
    public static void ValidateIds(ReadOnlySpan<int> ids, ReadOnlySpan<int> lengths, int seqLength, int batch, int vocabulary)
    {
        var cells = (long)seqLength * batch;
        if (ids.Length < cells)
            throw new ArgumentException($"ids must hold [T={seqLength}, B={batch}] = {cells} values, got {ids.Length}.", nameof(ids));
        if (!lengths.IsEmpty && lengths.Length != batch)
            throw new ArgumentException($"lengths must hold B={batch} values, got {lengths.Length}.", nameof(lengths));
        for (var b = 0; b < lengths.Length; b++)
        {
            if ((uint)lengths[b] > (uint)seqLength)
                throw new ArgumentOutOfRangeException(nameof(lengths), lengths[b], $"lengths[{b}] must be in [0, T={seqLength}].");
        }
        for (var t = 0; t < seqLength; t++)
        {
            for (var b = 0; b < batch; b++)
            {
                var id = ids[t * batch + b];
                if ((lengths.IsEmpty || t < lengths[b]) && (uint)id >= (uint)vocabulary)
                    throw new ArgumentOutOfRangeException(nameof(ids), id, $"Token id at step {t} of sequence {b} is outside the vocabulary [0, {vocabulary}).");
            }
        }
    }
}
