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
                predictions[batch.ExampleIndices![b]] = ToPrediction(outputs, batch, b, data);
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
                // Steps without a target (-1: the unknown token of a text without tokens) are not scored.
                var pairs = Enumerable.Range(0, data.Count)
                    .SelectMany(i => predictions[i].StepLabels!.Zip(data.StepTargetsOf(i), (p, a) => (Predicted: labelIndex[p], Actual: a)))
                    .Where(p => p.Actual >= 0).ToArray();
                return MetricsCalculator.Multiclass(pairs.Select(p => p.Predicted).ToArray(), pairs.Select(p => p.Actual).ToArray(),
                    Spec.OutputSize, meanLoss) with { Count = pairs.Length };
            }
            default:
            {
                // Values without a target (NaN: the unknown token of a text without tokens) are not scored.
                var actual = Enumerable.Range(0, data.Count).Select(i => data.ValueTargetsOf(i, Spec.OutputSize)).ToArray();
                var predicted = predictions.Select((p, i) => p.Values!.Where((_, k) => !float.IsNaN(actual[i][k])).ToArray()).ToArray();
                return MetricsCalculator.Regression(predicted, actual.Select(a => a.Where(v => !float.IsNaN(v)).ToArray()).ToArray(), meanLoss);
            }
        }
    }
}
