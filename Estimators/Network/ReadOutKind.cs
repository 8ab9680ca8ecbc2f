namespace MlNetRnn;

/// <summary>How the recurrent stack's outputs become the head's input (Keras semantics).</summary>
public enum ReadOutKind
{
    /// <summary>The state after each sequence's last valid step, directions concatenated (Keras return_state;
    /// for the reverse direction that is the state after step 0). One head output per sequence.</summary>
    LastState = 0,

    /// <summary>Element-wise maximum of the outputs over the valid steps. One head output per sequence.</summary>
    MaxPool = 1,

    /// <summary>Mean of the outputs over the valid steps. One head output per sequence.</summary>
    MeanPool = 2,

    /// <summary>Every valid step's output (Keras return_sequences): the head runs at every step.</summary>
    AllSteps = 3,
}
