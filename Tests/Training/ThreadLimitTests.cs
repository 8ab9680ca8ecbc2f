using MlNetRnn.Kernels;
using MlNetRnn.Tests.Export;

namespace MlNetRnn.Tests.Training;

/// <summary>Every thread count the library takes is checked against <see cref="SequenceModelLimits.MaxThreads"/> (256)
/// before a kernel starts a thread; the error names the value and the cap.</summary>
public class ThreadLimitTests
{
    [Theory]
    [InlineData(0)]
    [InlineData(-3)]
    [InlineData(257)]
    [InlineData(int.MaxValue)]
    public void OptionsRefuseThreadCountsOutsideOneToTheCap(int threads)
    {
        var error = Assert.Throws<ArgumentException>(() => new SequenceModelEstimator(new SequenceModelOptions { Threads = threads }));
        Assert.Equal("Threads", error.ParamName);
        Assert.Contains($"must be in [1, 256], got {threads}", error.Message);
        Assert.Contains("SequenceModelLimits.MaxThreads", error.Message);
    }

    [Fact]
    public void TheCapItselfAndTheDefaultAreAccepted()
    {
        new SequenceModelOptions { Threads = SequenceModelLimits.MaxThreads }.Validate();
        Assert.InRange(new SequenceModelOptions().Threads, 1, SequenceModelLimits.MaxThreads);
    }

    [Fact]
    public void KernelsAndInferenceRefuseThemToo()
    {
        Assert.Contains("got 257", Assert.Throws<ArgumentException>(() => new NativeKernel(257)).Message);
        Assert.Contains("got 1000", Assert.Throws<ArgumentException>(() => KernelFactory.Create(KernelKind.Native, 1000)).Message);
        using var model = RandomModels.Create("binary gru tokens last", KernelKind.Reference);
        var error = Assert.Throws<ArgumentException>(() => model.UseKernel(KernelKind.Native, 300));
        Assert.Equal("threads", error.ParamName);
        Assert.Contains("must be in [1, 256], got 300", error.Message);
        Assert.Equal("kind", Assert.Throws<ArgumentException>(() => model.UseKernel((KernelKind)9, 1)).ParamName);
    }
}
