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
                var predicted = predictions.SelectMany(p => p.StepLabels!.Select(l => labelIndex[l])).ToArray();
                var actual = data.StepClasses!.SelectMany(s => s).ToArray();
                return MetricsCalculator.Multiclass(predicted, actual, spec.OutputSize, meanLoss) with { Count = actual.Length };
            }
            case SequenceTask.Regression:
                return MetricsCalculator.Regression(predictions.Select(p => p.Values!).ToArray(), data.Values!, meanLoss);
            default:
                throw new NotSupportedException($"A {spec.Task} model is evaluated over its text stream, not per sequence.");
        }
    }
}
