using Xunit.Abstractions;

namespace MlNetRnn.Tests.Integrity;

/// <summary>
/// Bounded slices of the fuzz campaigns (scripts/fuzz-model-files.sh runs the long ones), fixed seed, each reaching
/// every reader and every kind of mutation of its family: model files and checkpoints (420 cases,
/// <see cref="FuzzCampaign"/>), ONNX files (220, <see cref="OnnxFuzzCampaign"/>), the CLI's input files (200,
/// <see cref="InputFuzzCampaign"/>). Every case refused with the library's own error, read identically, or (where
/// nothing can tell) read as other valid data; never a failure. About 30 s together on the 2-core machine.
/// </summary>
public class ReaderFuzzTests(ITestOutputHelper output)
{
    [Fact]
    public void DamagedModelFilesAreRefusedOrLoadTheSameModel() =>
        Slice(scratch => new FuzzCampaign(scratch).Run(seed: 1, first: 0, count: 420), readers: 3, ModelFileMutator.Categories);

    [Fact]
    public void DamagedOnnxFilesAreRefusedOrReadAsTheSameModel() =>
        Slice(scratch => new OnnxFuzzCampaign(scratch).Run(seed: 1, first: 0, count: 220), readers: 3, OnnxFileMutator.Categories);

    [Fact]
    public void DamagedInputFilesAreReadOrRefusedWithTheDocumentedError() =>
        Slice(scratch => new InputFuzzCampaign(scratch).Run(seed: 1, first: 0, count: 200), readers: 2, InputFuzzCampaign.Categories);

    private void Slice(Func<string, List<FuzzCampaign.Case>> run, int readers, string[] categories)
    {
        var scratch = Directory.CreateTempSubdirectory("mlnetrnn-fuzz");
        try
        {
            var cases = run(scratch.FullName);
            var summary = FuzzCampaign.Summarize(cases);
            output.WriteLine(summary);
            Assert.True(cases.All(c => c.Result.Outcome != Outcome.Failed), summary);
            Assert.Equal(readers, cases.Select(c => c.Reader).Distinct().Count());
            Assert.Equal(categories.Distinct().Count(), cases.Select(c => c.Mutation.Category).Distinct().Count());
        }
        finally
        {
            scratch.Delete(recursive: true);
        }
    }
}
