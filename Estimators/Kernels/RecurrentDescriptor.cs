namespace MlNetRnn.Kernels;

/// <summary>
/// Describes one recurrent layer exactly as one ONNX RNN/GRU/LSTM node does (opset 14, layout 0):
/// the cell, direction, sizes, GRU variant, LSTM coupling, cell clip and activation functions.
/// Shapes of the tensors a kernel reads and writes (T = sequence length, B = batch):
/// <code>
/// X [T, B, I]   W [D, G*H, I]   R [D, G*H, H]   Bias [D, 2*G*H]   P [D, 3*H]
/// h0, c0, Y_h, Y_c [D, B, H]    Y [T, D, B, H]  sequence_lens [B]
/// </code>
/// with D = <see cref="NumDirections"/> and G = <see cref="GateCount"/>.
/// </summary>
public sealed class RecurrentDescriptor : IEquatable<RecurrentDescriptor>
{
    private readonly Activation[] _activations;

    public RecurrentDescriptor(
        RecurrentCell cell,
        int inputSize,
        int hiddenSize,
        RecurrentDirection direction = RecurrentDirection.Forward,
        bool linearBeforeReset = true,
        bool inputForget = false,
        float clip = 0f,
        IReadOnlyList<Activation>? activations = null)
    {
        if (!Enum.IsDefined(cell))
            throw new ArgumentOutOfRangeException(nameof(cell), cell, "Expected Rnn, Gru or Lstm.");
        if (!Enum.IsDefined(direction))
            throw new ArgumentOutOfRangeException(nameof(direction), direction, "Expected Forward, Reverse or Bidirectional.");
        if (inputSize <= 0)
            throw new ArgumentOutOfRangeException(nameof(inputSize), inputSize, "The input size must be positive.");
        if (hiddenSize <= 0)
            throw new ArgumentOutOfRangeException(nameof(hiddenSize), hiddenSize, "The hidden size must be positive.");
        if (float.IsNaN(clip) || clip < 0f)
            throw new ArgumentOutOfRangeException(nameof(clip), clip, "The cell clip must be >= 0 (0 means no clip).");
        if (inputForget && cell != RecurrentCell.Lstm)
            throw new ArgumentException($"inputForget applies to LSTM only, not to {cell}.", nameof(inputForget));

        Cell = cell;
        Direction = direction;
        InputSize = inputSize;
        HiddenSize = hiddenSize;
        LinearBeforeReset = cell == RecurrentCell.Gru && linearBeforeReset;
        InputForget = inputForget;
        Clip = clip;

        var expected = NumDirections * FunctionCount;
        if (activations is null)
        {
            _activations = new Activation[expected];
            for (var d = 0; d < NumDirections; d++)
                DefaultActivations(cell).CopyTo(_activations, d * FunctionCount);
        }
        else
        {
            // ONNX lets a bidirectional node list the functions of the forward direction only; they then apply to both.
            if (activations.Count == FunctionCount && NumDirections == 2)
                activations = [.. activations, .. activations];
            if (activations.Count != expected)
                throw new ArgumentException(
                    $"Expected {expected} activation functions for a {direction} {cell} ({FunctionCount} per direction), got {activations.Count}.",
                    nameof(activations));
            _activations = [.. activations];
        }
    }

    public RecurrentCell Cell { get; }

    public RecurrentDirection Direction { get; }

    /// <summary>I: features per step of the input X.</summary>
    public int InputSize { get; }

    /// <summary>H: units of the hidden state per direction.</summary>
    public int HiddenSize { get; }

    /// <summary>GRU only: true applies the reset gate after the recurrent matmul (ONNX linear_before_reset = 1,
    /// Keras reset_after, PyTorch, cuDNN); false applies it before (textbook, TF1 GRUCell). Always false for RNN and LSTM.</summary>
    public bool LinearBeforeReset { get; }

    /// <summary>LSTM only: couples the input and forget gates, f = 1 - i.</summary>
    public bool InputForget { get; }

    /// <summary>Cell clip: gate pre-activations are clamped to [-Clip, Clip]; 0 means none.</summary>
    public float Clip { get; }

    /// <summary>The functions of each direction, D * <see cref="FunctionCount"/> of them: f (RNN); f, g (GRU); f, g, h (LSTM).</summary>
    public IReadOnlyList<Activation> Activations => _activations;

    /// <summary>D: 2 for bidirectional, else 1.</summary>
    public int NumDirections => Direction == RecurrentDirection.Bidirectional ? 2 : 1;

    /// <summary>G: gates per cell, 1 (RNN), 3 (GRU) or 4 (LSTM).</summary>
    public int GateCount => GateCountOf(Cell);

    /// <summary>Activation functions per direction: 1 (RNN), 2 (GRU) or 3 (LSTM).</summary>
    public int FunctionCount => Cell switch { RecurrentCell.Rnn => 1, RecurrentCell.Gru => 2, _ => 3 };

    /// <summary>Whether every activation is the ONNX default for the cell (what cuDNN and fast paths implement).</summary>
    public bool HasDefaultActivations
    {
        get
        {
            var defaults = DefaultActivations(Cell);
            for (var i = 0; i < _activations.Length; i++)
            {
                if (_activations[i].Kind != defaults[i % FunctionCount].Kind)
                    return false;
            }
            return true;
        }
    }

    /// <summary>Elements of W, [D, G*H, I].</summary>
    public int WeightLength => NumDirections * GateCount * HiddenSize * InputSize;

    /// <summary>Elements of R, [D, G*H, H].</summary>
    public int RecurrenceLength => NumDirections * GateCount * HiddenSize * HiddenSize;

    /// <summary>Elements of Bias, [D, 2*G*H].</summary>
    public int BiasLength => NumDirections * 2 * GateCount * HiddenSize;

    /// <summary>Elements of the peephole weights P, [D, 3*H] (LSTM only).</summary>
    public int PeepholeLength => Cell == RecurrentCell.Lstm ? NumDirections * 3 * HiddenSize : 0;

    /// <summary>Elements of one state tensor h0/c0/Y_h/Y_c, [D, B, H].</summary>
    public int StateLength(int batch) => NumDirections * batch * HiddenSize;

    /// <summary>Elements of X, [T, B, I].</summary>
    public int InputLength(int seqLength, int batch) => seqLength * batch * InputSize;

    /// <summary>Elements of Y, [T, D, B, H].</summary>
    public int OutputLength(int seqLength, int batch) => seqLength * NumDirections * batch * HiddenSize;

    public static int GateCountOf(RecurrentCell cell) => cell switch
    {
        RecurrentCell.Rnn => 1,
        RecurrentCell.Gru => 3,
        RecurrentCell.Lstm => 4,
        _ => throw new ArgumentOutOfRangeException(nameof(cell), cell, "Expected Rnn, Gru or Lstm."),
    };

    /// <summary>The ONNX default functions of one direction: RNN Tanh; GRU Sigmoid, Tanh; LSTM Sigmoid, Tanh, Tanh.</summary>
    public static Activation[] DefaultActivations(RecurrentCell cell) => cell switch
    {
        RecurrentCell.Rnn => [Activation.Tanh],
        RecurrentCell.Gru => [Activation.Sigmoid, Activation.Tanh],
        _ => [Activation.Sigmoid, Activation.Tanh, Activation.Tanh],
    };

    /// <summary>The activation function k (0 = f, 1 = g, 2 = h) of direction d.</summary>
    public Activation ActivationOf(int direction, int k) => _activations[direction * FunctionCount + k];

    public bool Equals(RecurrentDescriptor? other) =>
        other is not null && Cell == other.Cell && Direction == other.Direction && InputSize == other.InputSize
        && HiddenSize == other.HiddenSize && LinearBeforeReset == other.LinearBeforeReset
        && InputForget == other.InputForget && Clip.Equals(other.Clip)
        && _activations.AsSpan().SequenceEqual(other._activations);

    public override bool Equals(object? obj) => Equals(obj as RecurrentDescriptor);

    public override int GetHashCode() => HashCode.Combine(Cell, Direction, InputSize, HiddenSize, LinearBeforeReset, InputForget, Clip);

    public override string ToString() =>
        $"{Direction} {Cell}(I={InputSize}, H={HiddenSize}" +
        (Cell == RecurrentCell.Gru ? $", linear_before_reset={(LinearBeforeReset ? 1 : 0)}" : "") +
        (InputForget ? ", input_forget=1" : "") + (Clip > 0 ? $", clip={Clip}" : "") +
        (HasDefaultActivations ? "" : $", activations=[{string.Join(", ", _activations.Select(a => a.OnnxName))}]") + ")";
}
