namespace MlNetRnn.Network;

/// <summary>Token embedding: a table lookup forward, a scatter-add backward. Padded steps read and write nothing.</summary>
public static class Embedding
{
    /// <summary>output[t, b, :] = table[ids[t, b], :] for t &lt; lengths[b], zero elsewhere.</summary>
    /// <param name="table">[V, E]</param>
    /// <param name="ids">[T, B]</param>
    /// <param name="output">[T, B, E]</param>
    public static void Forward(ReadOnlySpan<float> table, int vocabulary, int size, ReadOnlySpan<int> ids,
        ReadOnlySpan<int> lengths, int seqLength, int batch, Span<float> output)
    {
        for (var t = 0; t < seqLength; t++)
        {
            for (var b = 0; b < batch; b++)
            {
                var row = output.Slice((t * batch + b) * size, size);
                if (t >= lengths[b])
                {
                    row.Clear();
                    continue;
                }
                var id = ids[t * batch + b];
                if ((uint)id >= (uint)vocabulary)
                    throw new ArgumentOutOfRangeException(nameof(ids), id, $"Token id at step {t} of sequence {b} is outside the vocabulary [0, {vocabulary}).");
                table.Slice(id * size, size).CopyTo(row);
            }
        }
    }

    /// <summary>dtable[ids[t, b], :] += doutput[t, b, :] for t &lt; lengths[b].</summary>
    public static void Backward(Span<float> dtable, int size, ReadOnlySpan<int> ids, ReadOnlySpan<int> lengths,
        int seqLength, int batch, ReadOnlySpan<float> doutput)
    {
        for (var t = 0; t < seqLength; t++)
        {
            for (var b = 0; b < batch; b++)
            {
                if (t >= lengths[b])
                    continue;
                var id = ids[t * batch + b];
                System.Numerics.Tensors.TensorPrimitives.Add(dtable.Slice(id * size, size),
                    doutput.Slice((t * batch + b) * size, size), dtable.Slice(id * size, size));
            }
        }
    }
}
