namespace MlNetRnn.Examples.Datasets;

/// <summary>
/// One part of Fashion-MNIST. <see cref="Images"/>[i] is a float[784] in [0, 1] (byte / 255), row-major: 28 rows
/// of 28 pixels, top row first. Read as a sequence, that layout already is 28 steps x 28 features
/// ([T = 28, F = 28], step t = image row t); <see cref="FashionMnistDataset.ToSequence"/> makes the rows explicit.
/// <see cref="Labels"/>[i] is the class 0..9 (<see cref="FashionMnistDataset.ClassNames"/>).
/// </summary>
public sealed record FashionMnistSplit(float[][] Images, int[] Labels)
{
    public int Count => Labels.Length;
}
