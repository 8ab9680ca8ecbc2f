namespace MlNetRnn;

/// <summary>What a model predicts, which fixes its head, output activation and loss.</summary>
public enum SequenceTask
{
    /// <summary>One logit per sequence, sigmoid, binary cross-entropy.</summary>
    BinaryClassification = 0,

    /// <summary>K logits per sequence, softmax, cross-entropy.</summary>
    MulticlassClassification = 1,

    /// <summary>K values per sequence (or per step with <see cref="ReadOutKind.AllSteps"/>), identity, MSE or Huber.</summary>
    Regression = 2,

    /// <summary>K logits at every step (a label per step), softmax, cross-entropy over the valid steps.</summary>
    Tagging = 3,

    /// <summary>A distribution over the vocabulary at every step predicting the next token, softmax, cross-entropy.</summary>
    LanguageModel = 4,
}
