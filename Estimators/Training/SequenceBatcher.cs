namespace MlNetRnn.Training;

/// <summary>
/// Plans batches over a data set (shuffled by seed, bucketed by length so padded work stays small) and gathers a
/// batch's sequences into the time-major layout the network reads.
/// </summary>
internal static class SequenceBatcher
{
    /// <summary>
    /// Splits the indices into batches of at most batchSize. With bucketing, the shuffled order is cut into pools of
    /// 50 batches, each pool sorted by length and cut into batches; the batch order is shuffled again.
    /// </summary>
    public static List<int[]> Plan(IReadOnlyList<int> indices, IReadOnlyList<int> lengths, int batchSize, bool bucket, SeededRandom? random)
    {
        var order = indices.ToArray();
        if (random is not null)
            random.Shuffle(order);
        var batches = new List<int[]>();
        if (bucket)
        {
            var pool = batchSize * 50;
            for (var start = 0; start < order.Length; start += pool)
            {
                var slice = order.AsSpan(start, Math.Min(pool, order.Length - start)).ToArray();
                // Stable sort by length keeps the shuffled order among equal lengths.
                var sorted = slice.Select((index, position) => (index, position))
                    .OrderBy(p => lengths[p.index]).ThenBy(p => p.position).Select(p => p.index).ToArray();
                for (var b = 0; b < sorted.Length; b += batchSize)
                    batches.Add(sorted.AsSpan(b, Math.Min(batchSize, sorted.Length - b)).ToArray());
            }
            if (random is not null)
                random.Shuffle(batches);
        }
        else
        {
            for (var b = 0; b < order.Length; b += batchSize)
                batches.Add(order.AsSpan(b, Math.Min(batchSize, order.Length - b)).ToArray());
        }
        return batches;
    }

    /// <summary>Gathers the sequences at <paramref name="indices"/> into one time-major batch.</summary>
    public static SequenceBatch Gather(EncodedData data, IReadOnlyList<int> indices)
    {
        var B = indices.Count;
        var lengths = indices.Select(i => data.Lengths[i]).ToArray();
        var T = lengths.Length == 0 ? 0 : lengths.Max();
        int[]? tokens = null;
        float[]? features = null;
        if (data.Tokens is not null)
        {
            tokens = new int[T * B];
            for (var b = 0; b < B; b++)
            {
                var seq = data.Tokens[indices[b]];
                for (var t = 0; t < seq.Length; t++)
                    tokens[t * B + b] = seq[t];
            }
        }
        else
        {
            var D = data.FeatureWidth;
            features = new float[T * B * D];
            for (var b = 0; b < B; b++)
            {
                var seq = data.Features![indices[b]];
                for (var t = 0; t < lengths[b]; t++)
                    seq.AsSpan(t * D, D).CopyTo(features.AsSpan((t * B + b) * D, D));
            }
        }

        int[]? classes = null;
        float[]? values = null;
        if (data.Classes is not null)
        {
            classes = indices.Select(i => data.Classes[i]).ToArray();
        }
        else if (data.StepClasses is not null)
        {
            classes = new int[T * B];
            Array.Fill(classes, -1);
            for (var b = 0; b < B; b++)
            {
                var steps = data.StepClasses[indices[b]];
                for (var t = 0; t < steps.Length; t++)
                    classes[t * B + b] = steps[t];
            }
        }
        else if (data.Values is not null && B > 0)
        {
            var first = indices[0];
            var K = data.ValuesPerStep ? data.Values[first].Length / data.Lengths[first] : data.Values[first].Length;
            if (data.ValuesPerStep)
            {
                values = new float[T * B * K];
                for (var b = 0; b < B; b++)
                {
                    var v = data.Values[indices[b]];
                    for (var t = 0; t < lengths[b]; t++)
                        v.AsSpan(t * K, K).CopyTo(values.AsSpan((t * B + b) * K, K));
                }
            }
            else
            {
                values = new float[B * K];
                for (var b = 0; b < B; b++)
                    data.Values[indices[b]].CopyTo(values.AsSpan(b * K, K));
            }
        }

        return new SequenceBatch
        {
            SeqLength = T,
            Batch = B,
            Lengths = lengths,
            Tokens = tokens,
            Features = features,
            ClassTargets = classes,
            ValueTargets = values,
            ExampleIndices = indices.ToArray(),
        };
    }
}
