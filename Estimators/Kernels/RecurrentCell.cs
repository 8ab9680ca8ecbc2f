namespace MlNetRnn;

/// <summary>The recurrent cell of a layer; values match the native ABI (MLNR_CELL_*).</summary>
public enum RecurrentCell
{
    /// <summary>Vanilla RNN: H = f(X W^T + H R^T + Wb + Rb). One gate.</summary>
    Rnn = 0,

    /// <summary>Gated recurrent unit, ONNX gate order z, r, h. Three gates.</summary>
    Gru = 1,

    /// <summary>Long short-term memory, ONNX gate order i, o, f, c. Four gates.</summary>
    Lstm = 2,
}
