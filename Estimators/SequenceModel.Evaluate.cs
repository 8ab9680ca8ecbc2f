using MlNetRnn.Network.Losses;
using MlNetRnn.Training;

namespace MlNetRnn;

public sealed partial class SequenceModel
{
    /// <summary>Metrics on a labelled data set (see <see cref="EvaluationMetrics"/> for which apply to the task).</summary>
    public EvaluationMetrics Evaluate(SequenceData data)
    {
        if (Spec.Task == SequenceTask.LanguageModel)
            return WithNetwork(network => LanguageModelStream.Evaluate(network, CreateLoss(), Encoder.EncodeStream(data),
                Options.BatchSize, Options.BpttLength));
        return Evaluate(Encoder.Encode(data, requireTargets: true));
    }

    internal EvaluationMetrics Evaluate(EncodedData data)
    {
        var loss = CreateLoss();
        var total = new LossValue(0, 0);
        var predictions = new SequencePrediction[data.Count];
        RunBatches(data, (batch, outputs, _) =>
        {
            var scratch = new float[outputs.Length];
            total += loss.Compute(outputs, batch, scratch);
            for (var b = 0; b < batch.Batch; b++)
                predictions[batch.ExampleIndices![b]] = ToPrediction(outputs, batch, b, data);
        });
        return PredictionMetrics.Compute(Schema, Spec, predictions, data, total.Mean);
    }
}
