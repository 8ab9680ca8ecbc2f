namespace MlNetRnn.Network;

/// <summary>What a network reads at each step.</summary>
public enum SequenceInputKind
{
    /// <summary>A vector of <c>InputWidth</c> floats per step (sensor readings, image rows, one-hot characters).</summary>
    Dense = 0,

    /// <summary>A token id per step, looked up in a trainable embedding table.</summary>
    Tokens = 1,
}
