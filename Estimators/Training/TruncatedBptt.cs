namespace MlNetRnn.Training;

/// <summary>
/// Truncated backpropagation through time over a batch of sequences: the batch [T, B] cut along time into windows of
/// at most W steps, window w holding steps [wW, min(wW + W, T)) of every sequence (a sequence that has ended has length
/// 0 there and keeps its state). The network carries its recurrent state, and a pooled read-out its running pool,
/// from one window to the next, detached: no gradient crosses a window boundary. Each window's loss covers:
/// <list type="bullet">
/// <item>per-step targets (tagging, per-step regression): the window's steps;</item>
/// <item>per-sequence targets (classification, regression): the sequences whose last step lies in the window, so each
/// sequence's loss is applied once, in the window where its read-out is complete (its final state, or its pool over
/// every step); the other sequences' targets are masked (-1, NaN) there.</item>
/// </list>
/// A window whose loss covers nothing still runs forward (to carry the state) but takes no optimizer step.
/// </summary>
public static class TruncatedBptt
{
    /// <summary>Windows of <paramref name="windowSteps"/> steps a batch of <paramref name="seqLength"/> steps is cut into.</summary>
    public static int Windows(int seqLength, int windowSteps)
    {
        if (windowSteps <= 0)
            throw new ArgumentOutOfRangeException(nameof(windowSteps), windowSteps, "A window has at least one step.");
        return (seqLength + windowSteps - 1) / windowSteps;
    }

    /// <summary>Window <paramref name="window"/> of the batch: its steps of every input and per-step target, every
    /// sequence's length within it, and the per-sequence targets of the sequences that end in it.</summary>
    /// <param name="perStep">Whether the targets are per step ([T, B] classes, [T, B, K] values) or per sequence.</param>
    public static SequenceBatch Window(SequenceBatch batch, int windowSteps, int window, bool perStep)
    {
        ArgumentNullException.ThrowIfNull(batch);
        var windows = Windows(batch.SeqLength, windowSteps);
        if ((uint)window >= (uint)windows)
            throw new ArgumentOutOfRangeException(nameof(window), window, $"The batch of {batch.SeqLength} steps has {windows} windows of {windowSteps}.");
        int B = batch.Batch, start = window * windowSteps, T = Math.Min(windowSteps, batch.SeqLength - start);
        bool EndsHere(int b) => batch.Lengths[b] > 0 && (batch.Lengths[b] - 1) / windowSteps == window;

        // Time-major [T, B, width]: a window's steps are one contiguous block.
        TValue[]? Steps<TValue>(TValue[]? values)
        {
            if (values is null)
                return null;
            var width = values.Length / (batch.SeqLength * B);
            return values.AsSpan(start * B * width, T * B * width).ToArray();
        }

        int[]? classes = batch.ClassTargets;
        float[]? values = batch.ValueTargets;
        if (perStep)
        {
            classes = Steps(classes);
            values = Steps(values);
        }
        else
        {
            classes = classes?.Select((c, b) => EndsHere(b) ? c : -1).ToArray();
            if (values is not null)
            {
                var K = values.Length / B;
                values = (float[])values.Clone();
                for (var b = 0; b < B; b++)
                {
                    if (!EndsHere(b))
                        values.AsSpan(b * K, K).Fill(float.NaN);
                }
            }
        }
        return new SequenceBatch
        {
            SeqLength = T,
            Batch = B,
            Lengths = batch.Lengths.Select(l => Math.Clamp(l - start, 0, T)).ToArray(),
            Tokens = Steps(batch.Tokens),
            Features = Steps(batch.Features),
            ClassTargets = classes,
            ValueTargets = values,
            ExampleIndices = batch.ExampleIndices,
        };
    }
}
