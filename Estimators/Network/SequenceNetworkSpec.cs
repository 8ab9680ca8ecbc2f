using MlNetRnn.Kernels;

namespace MlNetRnn.Network;

/// <summary>
/// The architecture of a sequence network: input -> [embedding] -> recurrent stack -> read-out -> dense head.
/// Everything needed to rebuild the network and to export it; the weights live in a <see cref="ParameterSet"/>.
/// </summary>
public sealed record SequenceNetworkSpec
{
    public SequenceTask Task { get; init; } = SequenceTask.MulticlassClassification;

    public SequenceInputKind InputKind { get; init; } = SequenceInputKind.Dense;

    /// <summary>Dense: features per step. Tokens: vocabulary size (ids are 0 .. InputWidth-1).</summary>
    public int InputWidth { get; init; }

    /// <summary>Tokens only: embedding vector size.</summary>
    public int EmbeddingSize { get; init; }

    public RecurrentCell Cell { get; init; } = RecurrentCell.Gru;

    /// <summary>H per direction.</summary>
    public int HiddenSize { get; init; } = 128;

    public int Layers { get; init; } = 1;

    public bool Bidirectional { get; init; }

    /// <summary>GRU variant; see <see cref="RecurrentDescriptor.LinearBeforeReset"/>.</summary>
    public bool LinearBeforeReset { get; init; } = true;

    /// <summary>LSTM only: peephole connections P [D, 3*H] (ONNX order i, o, f) from the cell state into the input,
    /// output and forget gates, one more parameter per layer ("rnn.l.P"). Not written to JSON when false, so the
    /// files of models without them keep their bytes.</summary>
    [System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingDefault)]
    public bool Peepholes { get; init; }

    /// <summary>Vanilla RNN activation (Tanh or Relu).</summary>
    public ActivationKind RnnActivation { get; init; } = ActivationKind.Tanh;

    /// <summary>Dropout rate between stacked layers and before the head, training only.</summary>
    public float Dropout { get; init; }

    public ReadOutKind ReadOut { get; init; } = ReadOutKind.LastState;

    /// <summary>Head outputs K: 1 for binary, classes for multiclass/tagging, values for regression, vocabulary for LM.</summary>
    public int OutputSize { get; init; }

    public int NumDirections => Bidirectional ? 2 : 1;

    /// <summary>Width of the recurrent stack's output per step and of the read-out vector: D*H.</summary>
    public int FeatureSize => NumDirections * HiddenSize;

    /// <summary>Whether the head runs at every step.</summary>
    public bool PerStep => ReadOut == ReadOutKind.AllSteps;

    /// <summary>Width of X for recurrent layer <paramref name="layer"/>.</summary>
    public int LayerInputSize(int layer) => layer == 0
        ? (InputKind == SequenceInputKind.Tokens ? EmbeddingSize : InputWidth)
        : FeatureSize;

    public RecurrentDescriptor LayerDescriptor(int layer)
    {
        var direction = Bidirectional ? RecurrentDirection.Bidirectional : RecurrentDirection.Forward;
        IReadOnlyList<Activation>? activations = Cell == RecurrentCell.Rnn
            ? Enumerable.Repeat(Activation.WithDefaults(RnnActivation), NumDirections).ToArray()
            : null;
        return new RecurrentDescriptor(Cell, LayerInputSize(layer), HiddenSize, direction,
            linearBeforeReset: Cell == RecurrentCell.Gru && LinearBeforeReset, activations: activations);
    }

    /// <summary>Trainable parameters of a network with this spec (computed in 64 bits; call after the sizes are
    /// known to be within <see cref="SequenceModelLimits"/>).</summary>
    public long ParameterCount() =>
        SequenceNetwork.Layout(this).Sum(p => p.Shape.Aggregate(1L, (product, size) => product * size));

    /// <summary>Throws an <see cref="ArgumentException"/> naming the first inconsistent setting.</summary>
    public void Validate()
    {
        ArgumentChecks.Defined(Task, nameof(Task));
        ArgumentChecks.Defined(InputKind, nameof(InputKind));
        ArgumentChecks.Defined(Cell, nameof(Cell));
        ArgumentChecks.Defined(RnnActivation, nameof(RnnActivation));
        ArgumentChecks.Defined(ReadOut, nameof(ReadOut));
        ArgumentChecks.InRange(InputWidth, 1, SequenceModelLimits.MaxInputWidth, nameof(InputWidth), "features per step, or vocabulary size for tokens");
        if (InputKind == SequenceInputKind.Tokens)
            ArgumentChecks.InRange(EmbeddingSize, 1, SequenceModelLimits.MaxEmbeddingSize, nameof(EmbeddingSize), "for token inputs");
        ArgumentChecks.InRange(HiddenSize, 1, SequenceModelLimits.MaxHiddenSize, nameof(HiddenSize), "units per direction");
        ArgumentChecks.InRange(Layers, 1, SequenceModelLimits.MaxLayers, nameof(Layers), "stacked recurrent layers");
        if (Dropout is < 0f or >= 1f || float.IsNaN(Dropout))
            throw new ArgumentException($"Dropout must be in [0, 1), got {Dropout}.", nameof(Dropout));
        ArgumentChecks.InRange(OutputSize, 1, SequenceModelLimits.MaxOutputSize, nameof(OutputSize), "head outputs");
        if (InputKind == SequenceInputKind.Dense && EmbeddingSize is < 0 or > SequenceModelLimits.MaxEmbeddingSize)
            throw new ArgumentException($"EmbeddingSize must be in [0, {SequenceModelLimits.MaxEmbeddingSize}] (unused for dense input), got {EmbeddingSize}.", nameof(EmbeddingSize));
        var parameters = ParameterCount();
        if (parameters > SequenceModelLimits.MaxParameters)
            throw new ArgumentException($"This network has {parameters} parameters; at most {SequenceModelLimits.MaxParameters} (SequenceModelLimits.MaxParameters) are supported. Reduce HiddenSize, Layers, EmbeddingSize or the vocabulary.", nameof(HiddenSize));
        if (Peepholes && Cell != RecurrentCell.Lstm)
            throw new ArgumentException($"Peepholes are an LSTM connection; a {Cell} has none.", nameof(Peepholes));
        if (Cell == RecurrentCell.Rnn && RnnActivation is not (ActivationKind.Tanh or ActivationKind.Relu))
            throw new ArgumentException($"RnnActivation must be Tanh or Relu, got {RnnActivation}.", nameof(RnnActivation));
        if (Task == SequenceTask.BinaryClassification && OutputSize != 1)
            throw new ArgumentException($"Binary classification has one output (a logit), got OutputSize {OutputSize}.", nameof(OutputSize));
        if (Task is SequenceTask.Tagging or SequenceTask.LanguageModel && ReadOut != ReadOutKind.AllSteps)
            throw new ArgumentException($"{Task} predicts at every step and needs ReadOut AllSteps, got {ReadOut}.", nameof(ReadOut));
        if (Task is SequenceTask.BinaryClassification or SequenceTask.MulticlassClassification && ReadOut == ReadOutKind.AllSteps)
            throw new ArgumentException($"{Task} predicts one label per sequence; use LastState, MaxPool or MeanPool, or the Tagging task for a label per step.", nameof(ReadOut));
        if (Task == SequenceTask.LanguageModel && (InputKind != SequenceInputKind.Tokens || OutputSize != InputWidth))
            throw new ArgumentException("A language model reads tokens and predicts the next token: it needs token input and OutputSize = vocabulary size.", nameof(Task));
    }
}
