namespace MlNetRnn.Examples.Datasets;

/// <summary>
/// Fashion-MNIST (Zalando, MIT licence): 28x28 grey-scale images of clothing in 10 classes, 60,000 for training and
/// 10,000 for testing, read from the four idx files that Debian's package dataset-fashion-mnist installs into
/// <see cref="DefaultDirectory"/> (scripts/setup.sh installs it). Uncompressed copies (names without ".gz") are read too.
/// </summary>
public sealed record FashionMnistDataset(FashionMnistSplit Train, FashionMnistSplit Test)
{
    /// <summary>Where Debian's dataset-fashion-mnist puts the files.</summary>
    public const string DefaultDirectory = "/usr/share/datasets/fashion-mnist";

    public const int ImageHeight = 28;
    public const int ImageWidth = 28;
    public const int PixelCount = ImageHeight * ImageWidth;

    /// <summary>As a sequence: one step per image row.</summary>
    public const int SequenceLength = ImageHeight;

    /// <summary>As a sequence: the pixels of one row.</summary>
    public const int FeaturesPerStep = ImageWidth;

    public const int ClassCount = 10;

    /// <summary>Label i's name, in the order of the dataset's documentation.</summary>
    public static IReadOnlyList<string> ClassNames { get; } =
        ["T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot"];

    /// <summary>Reads the training and test sets from <paramref name="directory"/> (default <see cref="DefaultDirectory"/>).</summary>
    /// <exception cref="FileNotFoundException">a file is missing; the message names it and the Debian package.</exception>
    public static FashionMnistDataset Load(string? directory = null)
    {
        directory ??= DefaultDirectory;
        return new FashionMnistDataset(
            LoadSplit(directory, "train", expectedCount: 60_000),
            LoadSplit(directory, "t10k", expectedCount: 10_000));
    }

    /// <summary>
    /// The image as 28 steps of 28 features: result[t] is row t. Copies; the flat float[784] is the same data in the
    /// same order ([T, F] row-major), so APIs that take a flat sequence can use the image directly.
    /// </summary>
    public static float[][] ToSequence(float[] image)
    {
        ArgumentNullException.ThrowIfNull(image);
        if (image.Length != PixelCount)
            throw new ArgumentException($"An image has {PixelCount} pixels (28x28); got {image.Length}.", nameof(image));
        return Enumerable.Range(0, SequenceLength).Select(row => image.AsSpan(row * FeaturesPerStep, FeaturesPerStep).ToArray()).ToArray();
    }

    private static FashionMnistSplit LoadSplit(string directory, string prefix, int expectedCount)
    {
        var images = IdxReader.Read(FindFile(directory, $"{prefix}-images-idx3-ubyte"));
        var labels = IdxReader.Read(FindFile(directory, $"{prefix}-labels-idx1-ubyte"));
        if (images.Dimensions is not [var imageCount, ImageHeight, ImageWidth])
            throw new InvalidDataException($"{prefix} images have dimensions [{string.Join(", ", images.Dimensions)}]; expected [N, 28, 28].");
        if (labels.Dimensions is not [var labelCount] || labelCount != imageCount)
            throw new InvalidDataException(
                $"{prefix} labels have dimensions [{string.Join(", ", labels.Dimensions)}]; expected [{imageCount}] to match the images.");
        if (imageCount != expectedCount)
            throw new InvalidDataException($"{prefix} holds {imageCount} images; Fashion-MNIST's has {expectedCount}.");
        var pixels = new float[imageCount][];
        for (var index = 0; index < imageCount; index++)
        {
            var image = new float[PixelCount];
            var source = images.Data.AsSpan(index * PixelCount, PixelCount);
            for (var pixel = 0; pixel < PixelCount; pixel++)
                image[pixel] = source[pixel] / 255f;
            pixels[index] = image;
        }
        var classes = new int[labelCount];
        for (var index = 0; index < labelCount; index++)
        {
            classes[index] = labels.Data[index];
            if (classes[index] >= ClassCount)
                throw new InvalidDataException($"{prefix} label {index} is {classes[index]}; expected 0..9.");
        }
        return new FashionMnistSplit(pixels, classes);
    }

    private static string FindFile(string directory, string name)
    {
        foreach (var candidate in new[] { name + ".gz", name })
        {
            var path = Path.Combine(directory, candidate);
            if (File.Exists(path))
                return path;
        }
        throw new FileNotFoundException(
            $"Fashion-MNIST file {Path.Combine(directory, name + ".gz")} (or an uncompressed {name}) was not found. " +
            "Install Debian's package: apt-get install dataset-fashion-mnist (scripts/setup.sh does), " +
            $"or pass the directory that holds the four idx files (default {DefaultDirectory}).",
            Path.Combine(directory, name + ".gz"));
    }
}
