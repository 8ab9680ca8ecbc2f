using MlNetRnn.Featurization;
using MlNetRnn.Kernels;
using MlNetRnn.Network;
using MlNetRnn.Training;

namespace MlNetRnn;

/// <summary>
/// Everything a <see cref="SequenceModelEstimator"/> needs to build and train a model. Every property has a
/// documented default; <see cref="Validate"/> names the first inconsistent one.
/// </summary>
public sealed record SequenceModelOptions
{
    // ---- Task ----

    /// <summary>What the model predicts. Default multiclass classification.</summary>
    public SequenceTask Task { get; init; } = SequenceTask.MulticlassClassification;

    /// <summary>Binary classification: the label counted as positive. Default "True" (what bool labels become).</summary>
    public string PositiveLabel { get; init; } = SequenceData.BinaryLabel(true);

    /// <summary>Multiclass classification and tagging: the classes in the order the model outputs them; every training
    /// label must be one of them. Default null: the distinct training labels in ordinal order.</summary>
    public IReadOnlyList<string>? ClassLabels { get; init; }

    // ---- Input ----

    /// <summary>Tokenizer and vocabulary for text input.</summary>
    public TextFeaturizerOptions Text { get; init; } = new();

    /// <summary>Vocabulary size for token-id input (ids 0 .. size-1); ignored for text (the vocabulary decides).</summary>
    public int VocabularySize { get; init; }

    /// <summary>Embedding vector size for text and token input. Default 64.</summary>
    public int EmbeddingSize { get; init; } = 64;

    // ---- Network ----

    /// <summary>Default GRU.</summary>
    public RecurrentCell Cell { get; init; } = RecurrentCell.Gru;

    /// <summary>Units per direction. Default 128.</summary>
    public int HiddenSize { get; init; } = 128;

    /// <summary>Stacked recurrent layers. Default 1.</summary>
    public int Layers { get; init; } = 1;

    /// <summary>Default false.</summary>
    public bool Bidirectional { get; init; }

    /// <summary>GRU variant: true (default) = reset after the recurrent matmul (Keras reset_after, PyTorch, cuDNN);
    /// false = before it (textbook, TF1 GRUCell).</summary>
    public bool LinearBeforeReset { get; init; } = true;

    /// <summary>LSTM only: trainable peephole connections from the cell state into the input, output and forget gates
    /// (ONNX P [D, 3*H], order i, o, f; initialised to zero), exported as the LSTM node's P input. ONNX Runtime's CUDA
    /// provider does not run peepholes on cuDNN (the export warns). Default false.</summary>
    [System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingDefault)]
    public bool Peepholes { get; init; }

    /// <summary>Vanilla RNN activation, Tanh (default) or Relu.</summary>
    public ActivationKind RnnActivation { get; init; } = ActivationKind.Tanh;

    /// <summary>Dropout between stacked layers and before the head. Default 0.</summary>
    public float Dropout { get; init; }

    /// <summary>Default last state; tagging and language models always read every step.</summary>
    public ReadOutKind ReadOut { get; init; } = ReadOutKind.LastState;

    // ---- Loss ----

    /// <summary>Per-class loss weights for imbalanced data, in label order (binary: negative, positive). Default none.</summary>
    public IReadOnlyList<float>? ClassWeights { get; init; }

    /// <summary>Regression: 0 (default) for mean squared error, a positive delta for the Huber loss.</summary>
    public float HuberDelta { get; init; }

    // ---- Optimisation ----

    /// <summary>Default Adam.</summary>
    public OptimizerKind Optimizer { get; init; } = OptimizerKind.Adam;

    /// <summary>Default 1e-3 (Adam).</summary>
    public float LearningRate { get; init; } = 1e-3f;

    /// <summary>Learning rate per epoch. Default constant.</summary>
    public LearningRateSchedule Schedule { get; init; } = LearningRateSchedule.Constant;

    /// <summary>Adam: decoupled weight decay (AdamW). Default 0.</summary>
    public float WeightDecay { get; init; }

    /// <summary>L2 penalty added to the gradients (l2 * w). Default 0.</summary>
    public float L2 { get; init; }

    /// <summary>SGD momentum. Default 0.9.</summary>
    public float Momentum { get; init; } = 0.9f;

    /// <summary>SGD Nesterov momentum. Default false.</summary>
    public bool Nesterov { get; init; }

    /// <summary>Polyak averaging of the weights after every step with this decay (e.g. 0.999); the model validates
    /// with and ends with the averaged weights. 0 (default) turns it off.</summary>
    public float WeightAverageDecay { get; init; }

    /// <summary>Clip the global gradient norm to this value; 0 turns clipping off. Default 5.</summary>
    public float GradientClipNorm { get; init; } = 5f;

    // ---- Training loop ----

    /// <summary>Sequences per batch (language models: parallel streams). Default 32.</summary>
    public int BatchSize { get; init; } = 32;

    /// <summary>Default 10.</summary>
    public int Epochs { get; init; } = 10;

    /// <summary>Group sequences of similar length into batches so padded work stays small. Default true.</summary>
    public bool BucketByLength { get; init; } = true;

    /// <summary>Language models: steps per truncated-BPTT window; the state carries across windows. Default 64.</summary>
    public int BpttLength { get; init; } = 64;

    /// <summary>
    /// Truncated BPTT for long sequences (every task but the language model, which windows its stream with
    /// BpttLength): each batch is cut along time into windows of this many steps, run in order with the recurrent state
    /// (and a MaxPool/MeanPool read-out's running pool) carried from one window to the next, detached (no gradient
    /// crosses a boundary), and one optimizer step per window that has a loss. Per-step targets count in every
    /// window; a sequence's own target in the window holding its last step (where its read-out is complete). Memory
    /// holds one window's activations. Validation and prediction read whole sequences. Not with Bidirectional (the
    /// reverse direction needs the sequence's end). 0 (default): backpropagate through whole sequences; a window at
    /// least as long as the batch's longest sequence trains exactly as 0 does.
    /// </summary>
    [System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingDefault)]
    public int TruncatedBpttSteps { get; init; }

    /// <summary>Fraction of the training data held out for validation when no validation set is given
    /// (stratified for classification). Default 0.</summary>
    public float ValidationFraction { get; init; }

    /// <summary>Stop after this many epochs without a better validation loss; 0 (default) never stops early.</summary>
    public int EarlyStoppingPatience { get; init; }

    /// <summary>With validation: end with the weights of the epoch with the lowest validation loss. Default true.</summary>
    public bool RestoreBestWeights { get; init; } = true;

    /// <summary>Seeds initialisation, shuffling, dropout and the validation split. Default 1.</summary>
    public int Seed { get; init; } = 1;

    /// <summary>Kernel threads, 1 to <see cref="SequenceModelLimits.MaxThreads"/>; at 1 thread a seed reproduces a
    /// run bit for bit. Default: the processor count (at most the cap).</summary>
    public int Threads { get; init; } = Math.Min(Environment.ProcessorCount, SequenceModelLimits.MaxThreads);

    /// <summary>Native (default) or the C# reference kernel (slow; the specification).</summary>
    public KernelKind Kernel { get; init; } = KernelKind.Native;

    /// <summary>Write a checkpoint here after every epoch (atomically); Fit resumes from it when it exists. Default none.</summary>
    public string? CheckpointPath { get; init; }

    public void Validate()
    {
        ArgumentChecks.Defined(Task, nameof(Task));
        ArgumentChecks.Defined(Cell, nameof(Cell));
        ArgumentChecks.Defined(RnnActivation, nameof(RnnActivation));
        ArgumentChecks.Defined(ReadOut, nameof(ReadOut));
        ArgumentChecks.Defined(Optimizer, nameof(Optimizer));
        ArgumentChecks.Defined(Kernel, nameof(Kernel));
        if (Text is null)
            throw new ArgumentException("Text must be set (the default TextFeaturizerOptions when the input is not text).", nameof(Text));
        if (Schedule is null)
            throw new ArgumentException("Schedule must be set (LearningRateSchedule.Constant by default).", nameof(Schedule));
        if (PositiveLabel is null)
            throw new ArgumentException("PositiveLabel must not be null.", nameof(PositiveLabel));
        Text.Validate();
        Schedule.Validate();
        ArgumentChecks.InRange(EmbeddingSize, 1, SequenceModelLimits.MaxEmbeddingSize, nameof(EmbeddingSize));
        ArgumentChecks.InRange(VocabularySize, 0, SequenceModelLimits.MaxInputWidth, nameof(VocabularySize), "token ids; 0 takes it from the data");
        ArgumentChecks.InRange(HiddenSize, 1, SequenceModelLimits.MaxHiddenSize, nameof(HiddenSize));
        ArgumentChecks.InRange(Layers, 1, SequenceModelLimits.MaxLayers, nameof(Layers));
        if (Dropout is < 0f or >= 1f || float.IsNaN(Dropout))
            throw new ArgumentException($"Dropout must be in [0, 1), got {Dropout}.", nameof(Dropout));
        if (Peepholes && Cell != RecurrentCell.Lstm)
            throw new ArgumentException($"Peepholes are an LSTM connection; Cell is {Cell}. Set Cell = RecurrentCell.Lstm or leave Peepholes false.", nameof(Peepholes));
        if (!(LearningRate > 0f) || float.IsInfinity(LearningRate))
            throw new ArgumentException($"LearningRate must be positive and finite, got {LearningRate}.", nameof(LearningRate));
        if (!(WeightDecay >= 0f) || !(L2 >= 0f))
            throw new ArgumentException($"WeightDecay and L2 must be >= 0, got {WeightDecay} and {L2}.", nameof(WeightDecay));
        if (Momentum is < 0f or >= 1f || float.IsNaN(Momentum))
            throw new ArgumentException($"Momentum must be in [0, 1), got {Momentum}.", nameof(Momentum));
        if (!(GradientClipNorm >= 0f))
            throw new ArgumentException($"GradientClipNorm must be >= 0 (0 = off), got {GradientClipNorm}.", nameof(GradientClipNorm));
        if (WeightAverageDecay is < 0f or >= 1f || float.IsNaN(WeightAverageDecay))
            throw new ArgumentException($"WeightAverageDecay must be in [0, 1) (0 = off), got {WeightAverageDecay}.", nameof(WeightAverageDecay));
        if (!(HuberDelta >= 0f))
            throw new ArgumentException($"HuberDelta must be >= 0 (0 = MSE), got {HuberDelta}.", nameof(HuberDelta));
        if (BatchSize <= 0)
            throw new ArgumentException($"BatchSize must be positive, got {BatchSize}.", nameof(BatchSize));
        if (Epochs <= 0)
            throw new ArgumentException($"Epochs must be positive, got {Epochs}.", nameof(Epochs));
        if (BpttLength <= 0)
            throw new ArgumentException($"BpttLength must be positive, got {BpttLength}.", nameof(BpttLength));
        if (TruncatedBpttSteps < 0)
            throw new ArgumentException($"TruncatedBpttSteps must be >= 0 (0 = whole sequences), got {TruncatedBpttSteps}.", nameof(TruncatedBpttSteps));
        if (TruncatedBpttSteps > 0 && Task == SequenceTask.LanguageModel)
            throw new ArgumentException("A language model already trains in truncated-BPTT windows of BpttLength steps over its stream; set BpttLength instead of TruncatedBpttSteps.", nameof(TruncatedBpttSteps));
        if (TruncatedBpttSteps > 0 && Bidirectional)
            throw new ArgumentException("TruncatedBpttSteps needs a forward-only network: a bidirectional layer's reverse direction starts from the end of the sequence, which a window before it does not hold.", nameof(TruncatedBpttSteps));
        if (ValidationFraction is < 0f or >= 1f || float.IsNaN(ValidationFraction))
            throw new ArgumentException($"ValidationFraction must be in [0, 1), got {ValidationFraction}.", nameof(ValidationFraction));
        if (EarlyStoppingPatience < 0)
            throw new ArgumentException($"EarlyStoppingPatience must be >= 0, got {EarlyStoppingPatience}.", nameof(EarlyStoppingPatience));
        ArgumentChecks.Threads(Threads, nameof(Threads));
        if (ClassLabels is { } classes && (classes.Count < 2 || classes.Distinct(StringComparer.Ordinal).Count() != classes.Count || classes.Any(c => c is null)))
            throw new ArgumentException($"ClassLabels must hold at least two distinct, non-null labels, got {classes.Count}.", nameof(ClassLabels));
        var reserved = ClassLabels?.FirstOrDefault(IsReservedLabel);
        if (reserved is not null)
            throw new ArgumentException($"ClassLabels holds '{reserved}', a reserved token of the vocabulary; name the class otherwise.", nameof(ClassLabels));
        if (ClassWeights is { } weights && weights.Any(w => !(w >= 0f) || float.IsInfinity(w)))
            throw new ArgumentException($"ClassWeights must be finite and >= 0, got [{string.Join(", ", weights)}].", nameof(ClassWeights));
        if (Task is SequenceTask.Tagging or SequenceTask.LanguageModel && ReadOut is not (ReadOutKind.LastState or ReadOutKind.AllSteps))
            throw new ArgumentException($"{Task} reads every step; leave ReadOut at its default.", nameof(ReadOut));
    }

    /// <summary>Class names the vocabulary reserves (padding, unknown); a label may not be one of them.</summary>
    internal static bool IsReservedLabel(string? label) => label is Vocabulary.PaddingToken or Vocabulary.UnknownToken;
}

/// <summary>The update rule.</summary>
public enum OptimizerKind
{
    Adam = 0,
    Sgd = 1,
}

/// <summary>Which kernel runs the recurrent layers and GEMMs.</summary>
public enum KernelKind
{
    /// <summary>The native kernel (C++, its own GEMM, threads; AVX-512, AVX2 or baseline x86-64 code).</summary>
    Native = 0,

    /// <summary>The C# reference implementation: slow, single-threaded, the specification.</summary>
    Reference = 1,
}
