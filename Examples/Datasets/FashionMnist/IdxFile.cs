namespace MlNetRnn.Examples.Datasets;

/// <summary>
/// An idx file of unsigned bytes (the MNIST format): <see cref="Dimensions"/> (e.g. [60000, 28, 28]) and the
/// values in row-major order (the last dimension varies fastest).
/// </summary>
public sealed record IdxFile(int[] Dimensions, byte[] Data)
{
    /// <summary>Number of items along the first dimension.</summary>
    public int Count => Dimensions.Length == 0 ? 1 : Dimensions[0];

    /// <summary>Values per item: the product of the dimensions after the first.</summary>
    public int ItemSize => Dimensions.Skip(1).Aggregate(1, (product, dimension) => product * dimension);
}
