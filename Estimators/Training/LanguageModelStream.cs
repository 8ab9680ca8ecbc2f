using MlNetRnn.Network;
using MlNetRnn.Network.Losses;

namespace MlNetRnn.Training;

/// <summary>
/// Truncated BPTT over one token stream: the stream is cut into B contiguous streams of L = (n-1)/B tokens that run in
/// parallel, and each batch is the next window of at most T steps of all of them, targets being the next tokens.
/// The network carries its state from one window to the next.
/// </summary>
internal static class LanguageModelStream
{
    public static int Windows(int streamLength, int batchSize, int bptt)
    {
        var (b, l) = Shape(streamLength, batchSize);
        return b == 0 ? 0 : (l + bptt - 1) / bptt;
    }

    public static SequenceBatch Window(int[] stream, int batchSize, int bptt, int window)
    {
        var (B, L) = Shape(stream.Length, batchSize);
        var start = window * bptt;
        var T = Math.Min(bptt, L - start);
        var tokens = new int[T * B];
        var targets = new int[T * B];
        for (var t = 0; t < T; t++)
        {
            for (var b = 0; b < B; b++)
            {
                var position = b * L + start + t;
                tokens[t * B + b] = stream[position];
                targets[t * B + b] = stream[position + 1];
            }
        }
        return new SequenceBatch
        {
            SeqLength = T,
            Batch = B,
            Lengths = Enumerable.Repeat(T, B).ToArray(),
            Tokens = tokens,
            ClassTargets = targets,
        };
    }

    /// <summary>Mean cross-entropy, perplexity and next-token accuracy over the whole stream, state carried.</summary>
    public static EvaluationMetrics Evaluate(SequenceNetwork network, ILoss loss, int[] stream, int batchSize, int bptt)
    {
        network.InitialStates = null;
        var total = new LossValue(0, 0);
        long correct = 0;
        var windows = Windows(stream.Length, batchSize, bptt);
        var K = network.Spec.OutputSize;
        for (var w = 0; w < windows; w++)
        {
            var batch = Window(stream, batchSize, bptt, w);
            var outputs = network.Forward(batch, training: false);
            var scratch = new float[outputs.Length];
            total += loss.Compute(outputs, batch, scratch);
            for (var row = 0; row < batch.SeqLength * batch.Batch; row++)
            {
                if (SequenceModel.ArgMax(outputs.Slice(row * K, K)) == batch.ClassTargets![row])
                    correct++;
            }
            network.InitialStates = network.FinalStates();
        }
        network.InitialStates = null;
        return new EvaluationMetrics
        {
            Count = (long)total.Weight,
            Loss = total.Mean,
            Perplexity = Math.Exp(total.Mean),
            Accuracy = total.Weight > 0 ? correct / total.Weight : 0,
        };
    }

    private static (int Streams, int Length) Shape(int streamLength, int batchSize)
    {
        var b = Math.Min(batchSize, streamLength - 1);
        return b <= 0 ? (0, 0) : (b, (streamLength - 1) / b);
    }
}
