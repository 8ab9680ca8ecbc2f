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
                results[batch.ExampleIndices![b]] = ToPrediction(outputs, batch, b, encoded);
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

    /// <summary>The prediction for sequence b of the batch; per-step predictions of text are read at its target steps
    /// (one per white-space word, or per token: <see cref="StepAlignment"/>).</summary>
    internal SequencePrediction ToPrediction(ReadOnlySpan<float> outputs, SequenceBatch batch, int b, EncodedData data)
    {
        var prediction = SequencePredictionDecoder.Decode(Schema, Spec, outputs, batch.Batch, batch.Lengths, b);
        if (data.TargetSteps is not { } targetSteps)
            return prediction;
        return SequencePredictionDecoder.AtSteps(prediction, targetSteps[batch.ExampleIndices![b]], Spec.OutputSize);
    }

    internal static float[] Softmax(ReadOnlySpan<float> logits) => SequencePredictionDecoder.Softmax(logits);

    internal static int ArgMax(ReadOnlySpan<float> values) => SequencePredictionDecoder.ArgMax(values);
}
