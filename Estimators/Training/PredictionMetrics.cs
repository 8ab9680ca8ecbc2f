using MlNetRnn.Network;

namespace MlNetRnn.Training;

/// <summary>
/// The task's metrics from every sequence's prediction and the data's targets: one definition for the native model
/// (SequenceModel.Evaluate) and for an exported model in ONNX Runtime (OnnxSequencePredictor.Evaluate).
/// </summary>
internal static class PredictionMetrics
{
    /// <param name="predictions">[data.Count], in the data's order.</param>
    /// <param name="meanLoss">The model's loss over the data (per sequence, or per step for per-step tasks).</param>
    public static EvaluationMetrics Compute(SequenceModelSchema schema, SequenceNetworkSpec spec, IReadOnlyList<SequencePrediction> predictions,
        EncodedData data, double meanLoss)
    {
        switch (spec.Task)
        {
            case SequenceTask.BinaryClassification:
                return MetricsCalculator.Binary(predictions.Select(p => p.Probability).ToArray(),
                    data.Classes!.Select(c => c == 1).ToArray(), meanLoss);
            case SequenceTask.MulticlassClassification:
                return MetricsCalculator.Multiclass(predictions.Select(p => SequencePredictionDecoder.ArgMax(p.Probabilities!)).ToArray(),
                    data.Classes!, spec.OutputSize, meanLoss);
            case SequenceTask.Tagging:
            {
                var labelIndex = schema.Labels.Select((l, i) => (l, i)).ToDictionary(p => p.l, p => p.i, StringComparer.Ordinal);
                // Steps without a target (-1: the unknown token of a text without tokens) are not scored.
                var pairs = Enumerable.Range(0, data.Count)
                    .SelectMany(i => predictions[i].StepLabels!.Zip(data.StepTargetsOf(i), (p, a) => (Predicted: labelIndex[p], Actual: a)))
                    .Where(p => p.Actual >= 0).ToArray();
                return MetricsCalculator.Multiclass(pairs.Select(p => p.Predicted).ToArray(), pairs.Select(p => p.Actual).ToArray(),
                    spec.OutputSize, meanLoss) with { Count = pairs.Length };
            }
            case SequenceTask.Regression:
            {
                // Values without a target (NaN: the unknown token of a text without tokens) are not scored.
                var actual = Enumerable.Range(0, data.Count).Select(i => data.ValueTargetsOf(i, spec.OutputSize)).ToArray();
                var predicted = predictions.Select((p, i) => p.Values!.Where((_, k) => !float.IsNaN(actual[i][k])).ToArray()).ToArray();
                return MetricsCalculator.Regression(predicted, actual.Select(a => a.Where(v => !float.IsNaN(v)).ToArray()).ToArray(), meanLoss);
            }
            default:
                throw new NotSupportedException($"A {spec.Task} model is evaluated over its text stream, not per sequence.");
        }
    }
}
