namespace MlNetRnn.Kernels;

/// <summary>Direction of a recurrent layer; values match the native ABI (MLNR_DIRECTION_*).</summary>
public enum RecurrentDirection
{
    Forward = 0,
    Reverse = 1,
    Bidirectional = 2,
}
