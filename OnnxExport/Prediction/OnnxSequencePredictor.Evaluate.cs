using MlNetRnn.Network.Losses;
using MlNetRnn.Training;

namespace MlNetRnn;

public sealed partial class OnnxSequencePredictor
{
    /// <summary>
    /// Metrics of the exported model on a labelled data set: the model's own loss over ONNX Runtime's outputs and the
    /// metrics of <see cref="SequenceModel.Evaluate(SequenceData)"/>, by the same definitions. Not for language models:
    /// their perplexity runs over one text stream with the state carried across windows; evaluate the .mlnr instead.
    /// </summary>
    public EvaluationMetrics Evaluate(SequenceData data)
    {
        if (Spec.Task == SequenceTask.LanguageModel)
            throw new NotSupportedException("Evaluating an exported language model is not supported: its perplexity runs over the whole text with the state carried across windows. Evaluate the model file (.mlnr) instead.");
        var encoded = _encoder.Encode(data, requireTargets: true);
        var loss = LossFactory.Create(Spec, Options.ClassWeights, Options.HuberDelta);
        var total = new LossValue(0, 0);
        var predictions = new SequencePrediction[encoded.Count];
        foreach (var batch in EncodedBatches(encoded))
        {
            var outputs = Run(batch, TextsOf(data, batch), out _, out var lengths);
            total += loss.Compute(outputs, batch, new float[outputs.Length]);
            Decode(outputs, batch, lengths, encoded.TargetSteps, predictions);
        }
        return PredictionMetrics.Compute(Schema, Spec, predictions, encoded, total.Mean);
    }
}
