namespace MlNetRnn.Network.Losses;

/// <summary>The loss of a task: BCE (binary), softmax cross-entropy (multiclass, tagging, LM), MSE or Huber (regression).</summary>
public static class LossFactory
{
    public static ILoss Create(SequenceNetworkSpec spec, IReadOnlyList<float>? classWeights, float huberDelta) => spec.Task switch
    {
        SequenceTask.BinaryClassification => new BinaryCrossEntropyLoss(classWeights),
        SequenceTask.Regression => new RegressionLoss(spec.OutputSize, spec.PerStep, huberDelta),
        SequenceTask.LanguageModel => new SoftmaxCrossEntropyLoss(spec.OutputSize, perStep: true),
        _ => new SoftmaxCrossEntropyLoss(spec.OutputSize, spec.PerStep, classWeights),
    };
}
