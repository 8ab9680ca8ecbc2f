using MlNetRnn.Network;
using MlNetRnn.Training;

namespace MlNetRnn;

public sealed partial class SequenceModel
{
    /// <summary>Predicts every sequence of the data set (targets, if any, are ignored).</summary>
    public IReadOnlyList<SequencePrediction> Predict(SequenceData data)
    {
        var encoded = Encoder.Encode(data, requireTargets: false);
        var results = new SequencePrediction[encoded.Count];
        RunBatches(encoded, (batch, outputs, _) =>
        {
            for (var b = 0; b < batch.Batch; b++)
                results[batch.ExampleIndices![b]] = ToPrediction(outputs, batch, b);
        });
        return results;
    }

    /// <summary>Predicts one text (text models).</summary>
    public SequencePrediction Predict(string text) => Predict(SequenceData.FromTexts([text]))[0];

    /// <summary>
    /// The read-out vector of every sequence ([D*H] each: last state or pooled outputs), the fixed-length encoding a
    /// downstream model can use as features. Per-step models return the last valid step's output.
    /// </summary>
    public IReadOnlyList<float[]> Encode(SequenceData data)
    {
        var encoded = Encoder.Encode(data, requireTargets: false);
        var results = new float[encoded.Count][];
        var F = Spec.FeatureSize;
        RunBatches(encoded, (batch, _, network) =>
        {
            var features = network.ReadOutFeatures;
            for (var b = 0; b < batch.Batch; b++)
            {
                var row = Spec.PerStep ? (batch.Lengths[b] - 1) * batch.Batch + b : b;
                results[batch.ExampleIndices![b]] = features.Slice(row * F, F).ToArray();
            }
        });
        return results;
    }

    internal SequencePrediction ToPrediction(ReadOnlySpan<float> outputs, SequenceBatch batch, int b)
    {
        var K = Spec.OutputSize;
        var B = batch.Batch;
        var length = batch.Lengths[b];
        switch (Spec.Task)
        {
            case SequenceTask.BinaryClassification:
            {
                var logit = outputs[b];
                var p = 1f / (1f + MathF.Exp(-logit));
                return new SequencePrediction
                {
                    Score = logit,
                    Probabilities = [1f - p, p],
                    PredictedLabel = Schema.Labels[p >= 0.5f ? 1 : 0],
                };
            }
            case SequenceTask.MulticlassClassification:
            {
                var probabilities = Softmax(outputs.Slice(b * K, K));
                var best = ArgMax(probabilities);
                return new SequencePrediction { Score = probabilities[best], Probabilities = probabilities, PredictedLabel = Schema.Labels[best] };
            }
            case SequenceTask.Regression when Spec.PerStep:
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
                    labels[t] = Schema.Labels[ArgMax(outputs.Slice((t * B + b) * K, K))];
                return new SequencePrediction { StepLabels = labels };
            }
            default:
            {
                var next = Softmax(outputs.Slice(((length - 1) * B + b) * K, K));
                var best = ArgMax(next);
                return new SequencePrediction { Score = next[best], Probabilities = next, PredictedLabel = Schema.Featurizer?.Vocabulary[best] };
            }
        }
    }

    internal static float[] Softmax(ReadOnlySpan<float> logits)
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

    internal static int ArgMax(ReadOnlySpan<float> values)
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
