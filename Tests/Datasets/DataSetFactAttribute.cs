using MlNetRnn.Examples.Datasets;

namespace MlNetRnn.Tests.Datasets;

/// <summary>The data sets a test may need that a machine can lack (scripts/setup.sh installs all three).</summary>
public enum RequiredDataSet
{
    SpamAssassin,
    Gutenberg,
    FashionMnist,
}

/// <summary>A fact that is skipped, with a message saying what is missing and how to install it, when its data set is absent.</summary>
public sealed class DataSetFactAttribute : FactAttribute
{
    public DataSetFactAttribute(RequiredDataSet dataSet)
    {
        var missing = dataSet switch
        {
            RequiredDataSet.SpamAssassin => MissingPackage(() => SpamAssassinCorpus.Locate()),
            RequiredDataSet.Gutenberg => MissingPackage(() => CharacterCorpus.AvailableBooks()),
            RequiredDataSet.FashionMnist => File.Exists(Path.Combine(FashionMnistDataset.DefaultDirectory, "train-images-idx3-ubyte.gz"))
                ? null
                : $"Fashion-MNIST is not in {FashionMnistDataset.DefaultDirectory}: apt-get install dataset-fashion-mnist (scripts/setup.sh does).",
            _ => throw new ArgumentOutOfRangeException(nameof(dataSet), dataSet, "unknown data set"),
        };
        if (missing is not null)
            Skip = missing;
    }

    private static string? MissingPackage(Action locate)
    {
        try
        {
            locate();
            return null;
        }
        catch (DirectoryNotFoundException error)
        {
            return error.Message;
        }
    }
}
