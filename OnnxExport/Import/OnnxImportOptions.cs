namespace MlNetRnn;

/// <summary>
/// What an ONNX file from another producer (PyTorch's torch.onnx.export, say) does not say and the importer cannot
/// infer from its graph: the task where the output activation leaves it open, class names, the vocabulary. Every
/// property is optional; files exported by MlNetRnn carry all of this in their metadata and ignore these options.
/// </summary>
public sealed record OnnxImportOptions
{
    /// <summary>
    /// The task, where the graph's last operator does not decide it. Default null: Sigmoid over one output is binary
    /// classification, Softmax or LogSoftmax is multiclass classification (per step: tagging), no activation is
    /// regression. Raw scores can be declared as BinaryClassification (one output), MulticlassClassification or
    /// Tagging; a per-step softmax over the vocabulary of a token model as <see cref="SequenceTask.LanguageModel"/>.
    /// </summary>
    public SequenceTask? Task { get; init; }

    /// <summary>
    /// Class (or tag) names in the order of the head's outputs; binary: the negative class, then the positive one
    /// (the class whose probability the sigmoid gives). Default null: "0" .. "K-1", and for binary "False", "True"
    /// (what <see cref="SequenceData.FromTexts(IReadOnlyList{string}, IReadOnlyList{bool})"/> makes of bool labels).
    /// </summary>
    public IReadOnlyList<string>? Labels { get; init; }

    /// <summary>
    /// Token models: the token of every embedding row, in id order, which makes the imported model read text. MlNetRnn
    /// reserves id 0 for "&lt;pad&gt;" and id 1 for "&lt;unk&gt;" (unknown words), so the list must start with them.
    /// Default null: the model reads token ids (SequenceData.FromTokenIds).
    /// </summary>
    public IReadOnlyList<string>? Vocabulary { get; init; }

    /// <summary>With <see cref="Vocabulary"/>: how text is split into its tokens. Default: words, lower-cased, no length limit.</summary>
    public TextFeaturizerOptions? Text { get; init; }

    /// <summary>Token models: the number of ids, checked against the embedding's rows. Default 0: the embedding's rows.</summary>
    public int VocabularySize { get; init; }

    /// <summary>Dense models: features per step, checked against the graph. Default 0: from the graph.</summary>
    public int InputWidth { get; init; }

    /// <summary>The graph output that is the prediction. Default null: the graph's only output, or its first.</summary>
    public string? OutputName { get; init; }
}
