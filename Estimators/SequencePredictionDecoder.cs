using MlNetRnn.Network;

namespace MlNetRnn;

/// <summary>
/// Turns a model's raw head outputs into a <see cref="SequencePrediction"/>: the same decoding for the native network
/// and for ONNX Runtime running an exported model. Outputs are [B, K] per sequence or time-major [T, B, K] per step.
/// </summary>
public static class SequencePredictionDecoder
{
    /// <summary>A per-step prediction read at the given steps only: the words' last tokens of a text model aligned
    /// by words (<see cref="StepAlignment.Words"/>); other predictions unchanged.</summary>
    internal static SequencePrediction AtSteps(SequencePrediction prediction, int[] steps, int outputSize)
    {
        if (prediction.StepLabels is { } labels)
            return prediction with { StepLabels = steps.Select(t => labels[t]).ToArray() };
        if (prediction.Values is not { } values)
            return prediction;
        return prediction with { Values = steps.SelectMany(t => values.AsSpan(t * outputSize, outputSize).ToArray()).ToArray() };
    }

    /// <param name="outputs">The head outputs of the batch: logits (classification) or values (regression).</param>
    /// <param name="batch">B.</param>
    /// <param name="lengths">[B] real lengths.</param>
    /// <param name="b">Which sequence of the batch.</param>
    public static SequencePrediction Decode(SequenceModelSchema schema, SequenceNetworkSpec spec, ReadOnlySpan<float> outputs,
        int batch, ReadOnlySpan<int> lengths, int b)
    {
        ArgumentNullException.ThrowIfNull(schema);
        ArgumentNullException.ThrowIfNull(spec);
        var K = spec.OutputSize;
        var B = batch;
        var length = lengths[b];
        switch (spec.Task)
        {
            case SequenceTask.BinaryClassification:
            {
                var logit = outputs[b];
                var p = 1f / (1f + MathF.Exp(-logit));
                return new SequencePrediction { Score = logit, Probabilities = [1f - p, p], PredictedLabel = schema.Labels[p >= 0.5f ? 1 : 0] };
            }
            case SequenceTask.MulticlassClassification:
            {
                var probabilities = Softmax(outputs.Slice(b * K, K));
                var best = ArgMax(probabilities);
                return new SequencePrediction { Score = probabilities[best], Probabilities = probabilities, PredictedLabel = schema.Labels[best] };
            }
            case SequenceTask.Regression when spec.PerStep:
            {
                var values = new float[length * K];
                for (var t = 0; t < length; t++)
                    outputs.Slice((t * B + b) * K, K).CopyTo(values.AsSpan(t * K, K));
                return new SequencePrediction { Values = values };
            }
            case SequenceTask.Regression:
                return new SequencePrediction { Values = outputs.Slice(b * K, K).ToArray() };
            case SequenceTask.Tagging:
            {
                var labels = new string[length];
                for (var t = 0; t < length; t++)
                    labels[t] = schema.Labels[ArgMax(outputs.Slice((t * B + b) * K, K))];
                return new SequencePrediction { StepLabels = labels };
            }
            default:
            {
                var next = Softmax(outputs.Slice(((length - 1) * B + b) * K, K));
                var best = ArgMax(next);
                return new SequencePrediction { Score = next[best], Probabilities = next, PredictedLabel = schema.Featurizer?.Vocabulary[best] };
            }
        }
    }

    /// <summary>Softmax in float with the maximum subtracted, sums in double.</summary>
    public static float[] Softmax(ReadOnlySpan<float> logits)
    {
        var result = new float[logits.Length];
        var max = float.NegativeInfinity;
        foreach (var z in logits)
            max = MathF.Max(max, z);
        double sum = 0;
        for (var k = 0; k < logits.Length; k++)
        {
            result[k] = MathF.Exp(logits[k] - max);
            sum += result[k];
        }
        for (var k = 0; k < logits.Length; k++)
            result[k] = (float)(result[k] / sum);
        return result;
    }

    /// <summary>Index of the largest value (the first on ties).</summary>
    public static int ArgMax(ReadOnlySpan<float> values)
    {
        var best = 0;
        for (var k = 1; k < values.Length; k++)
        {
            if (values[k] > values[best])
                best = k;
        }
        return best;
    }
}
