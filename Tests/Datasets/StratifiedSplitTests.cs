using MlNetRnn.Examples.Datasets;

namespace MlNetRnn.Tests.Datasets;

public class StratifiedSplitTests
{
    // 1000 items, every 7th positive (143 positives); ids are the items.
    private static readonly int[] Items = Enumerable.Range(0, 1000).ToArray();

    private static bool IsPositive(int item) => item % 7 == 0;

    [Theory]
    [InlineData(0.2)]
    [InlineData(0.5)]
    [InlineData(0.013)]
    public void EachClassKeepsItsProportion(double testFraction)
    {
        var split = DatasetSplits.StratifiedSplit(Items, IsPositive, testFraction, seed: 42);
        var positives = Items.Count(IsPositive);
        var negatives = Items.Length - positives;
        Assert.Equal((int)Math.Round(positives * testFraction, MidpointRounding.AwayFromZero), split.Test.Count(IsPositive));
        Assert.Equal((int)Math.Round(negatives * testFraction, MidpointRounding.AwayFromZero), split.Test.Count(item => !IsPositive(item)));
    }

    [Fact]
    public void TrainAndTestAreDisjointCoverEverythingAndKeepOrder()
    {
        var split = DatasetSplits.StratifiedSplit(Items, IsPositive, 0.2, seed: 7);
        Assert.Empty(split.Train.Intersect(split.Test));
        Assert.Equal(Items, split.Train.Concat(split.Test).Order());
        Assert.Equal(split.Train.Order(), split.Train);
        Assert.Equal(split.Test.Order(), split.Test);
    }

    [Fact]
    public void SameSeedGivesSameSplitAndOtherSeedsDiffer()
    {
        var first = DatasetSplits.StratifiedSplit(Items, IsPositive, 0.2, seed: 42);
        var again = DatasetSplits.StratifiedSplit(Items, IsPositive, 0.2, seed: 42);
        var other = DatasetSplits.StratifiedSplit(Items, IsPositive, 0.2, seed: 43);
        Assert.Equal(first.Test, again.Test);
        Assert.Equal(first.Train, again.Train);
        Assert.NotEqual(first.Test, other.Test);
    }

    [Fact]
    public void GeneratorMatchesTheSplitMix64Reference()
    {
        // Reference outputs of Vigna's splitmix64.c: the split depends on this code only, not on System.Random.
        var fromZero = new SplitMix64(0);
        Assert.Equal(0xE220A8397B1DCDAFUL, fromZero.NextUInt64());
        var generator = new SplitMix64(1234567);
        Assert.Equal(
            [6457827717110365317UL, 3203168211198807973UL, 9817491932198370423UL, 4593380528125082431UL, 16408922859458223821UL],
            Enumerable.Range(0, 5).Select(_ => generator.NextUInt64()));
    }

    [Theory]
    [InlineData(0.0)]
    [InlineData(1.0)]
    [InlineData(-0.1)]
    [InlineData(double.NaN)]
    public void FractionOutsideTheOpenIntervalIsRejected(double testFraction)
    {
        var error = Assert.Throws<ArgumentOutOfRangeException>(() => DatasetSplits.StratifiedSplit(Items, IsPositive, testFraction, 1));
        Assert.Equal("testFraction", error.ParamName);
        Assert.Contains("strictly between 0 and 1", error.Message);
    }
}
