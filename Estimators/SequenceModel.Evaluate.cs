using MlNetRnn.Network;
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
                predictions[batch.ExampleIndices![b]] = ToPrediction(outputs, batch, b);
        });
        var meanLoss = total.Mean;
        switch (Spec.Task)
        {
            case SequenceTask.BinaryClassification:
                return MetricsCalculator.Binary(predictions.Select(p => p.Probability).ToArray(),
                    data.Classes!.Select(c => c == 1).ToArray(), meanLoss);
            case SequenceTask.MulticlassClassification:
                return MetricsCalculator.Multiclass(predictions.Select(p => ArgMax(p.Probabilities!)).ToArray(),
                    data.Classes!, Spec.OutputSize, meanLoss);
            case SequenceTask.Tagging:
            {
                var labelIndex = Schema.Labels.Select((l, i) => (l, i)).ToDictionary(p => p.l, p => p.i, StringComparer.Ordinal);
                var predicted = predictions.SelectMany(p => p.StepLabels!.Select(l => labelIndex[l])).ToArray();
                var actual = data.StepClasses!.SelectMany(s => s).ToArray();
                return MetricsCalculator.Multiclass(predicted, actual, Spec.OutputSize, meanLoss) with { Count = actual.Length };
            }
            default:
                return MetricsCalculator.Regression(predictions.Select(p => p.Values!).ToArray(), data.Values!, meanLoss);
        }
    }
}
