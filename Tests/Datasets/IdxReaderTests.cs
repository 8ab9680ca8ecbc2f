using System.IO.Compression;
using MlNetRnn.Examples.Datasets;

namespace MlNetRnn.Tests.Datasets;

public class IdxReaderTests
{
    // An idx3 file of 2 images of 2 rows x 3 columns: header 00 00 08 03, dims 2, 2, 3 (big-endian), then 12 bytes.
    private static readonly byte[] TinyImages =
    [
        0, 0, 8, 3, 0, 0, 0, 2, 0, 0, 0, 2, 0, 0, 0, 3,
        0, 1, 2, 3, 4, 5,
        255, 254, 253, 128, 64, 0,
    ];

    private static byte[] Gzip(byte[] content)
    {
        using var output = new MemoryStream();
        using (var gzip = new GZipStream(output, CompressionLevel.Optimal, leaveOpen: true))
            gzip.Write(content);
        return output.ToArray();
    }

    [Fact]
    public void ReadsGzippedFileFromDisk()
    {
        var path = Path.Combine(Path.GetTempPath(), $"idx-test-{Guid.NewGuid():N}.gz");
        File.WriteAllBytes(path, Gzip(TinyImages));
        try
        {
            var file = IdxReader.Read(path);
            Assert.Equal([2, 2, 3], file.Dimensions);
            Assert.Equal(2, file.Count);
            Assert.Equal(6, file.ItemSize);
            Assert.Equal(TinyImages[16..], file.Data);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void ReadsUncompressedContent()
    {
        var file = IdxReader.Parse([0, 0, 8, 1, 0, 0, 0, 3, 7, 8, 9]);
        Assert.Equal([3], file.Dimensions);
        Assert.Equal([7, 8, 9], file.Data);
    }

    [Theory]
    [InlineData(new byte[] { 1, 0, 8, 1, 0, 0, 0, 1, 5 }, "expected 00 00")]
    [InlineData(new byte[] { 0, 0, 0x0D, 1, 0, 0, 0, 1, 5, 5, 5, 5 }, "0x0d is not supported")]
    [InlineData(new byte[] { 0, 0, 8, 1, 0, 0, 0, 4, 5 }, "need 4 values but the file holds 1")]
    [InlineData(new byte[] { 0, 0, 8, 2, 0, 0 }, "declares 2 dimensions")]
    public void MalformedContentIsRejectedWithTheReason(byte[] content, string expected)
    {
        var error = Assert.Throws<InvalidDataException>(() => IdxReader.Parse(content));
        Assert.Contains(expected, error.Message);
    }

    [Fact]
    public void ImageRowsAreTheSequenceSteps()
    {
        var image = Enumerable.Range(0, 784).Select(index => index / 784f).ToArray();
        var steps = FashionMnistDataset.ToSequence(image);
        Assert.Equal(28, steps.Length);
        Assert.All(steps, step => Assert.Equal(28, step.Length));
        Assert.Equal(image[5 * 28 + 3], steps[5][3]);
        Assert.Throws<ArgumentException>(() => FashionMnistDataset.ToSequence(new float[783]));
    }

    [Fact]
    public void MissingDirectoryNamesTheDebianPackage()
    {
        var error = Assert.Throws<FileNotFoundException>(() => FashionMnistDataset.Load("/nonexistent/fashion"));
        Assert.Contains("dataset-fashion-mnist", error.Message);
        Assert.Contains("/nonexistent/fashion/train-images-idx3-ubyte.gz", error.Message);
    }

    [DataSetFact(RequiredDataSet.FashionMnist)]
    public void RealFashionMnistHasTheDocumentedShape()
    {
        var data = FashionMnistDataset.Load();
        Assert.Equal(60_000, data.Train.Count);
        Assert.Equal(10_000, data.Test.Count);
        Assert.All(Enumerable.Range(0, 10), label => Assert.Equal(6_000, data.Train.Labels.Count(value => value == label)));
        Assert.All(data.Test.Images.Take(100), image => Assert.Equal(784, image.Length));
        Assert.InRange(data.Train.Images[0].Min(), 0f, 0f);
        Assert.InRange(data.Train.Images[0].Max(), 0.5f, 1f);
        Assert.Equal(9, data.Train.Labels[0]);
        Assert.Equal("Ankle boot", FashionMnistDataset.ClassNames[9]);
    }
}
