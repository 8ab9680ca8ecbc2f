using Xunit.Abstractions;

namespace MlNetRnn.Tests.Integrity;

/// <summary>
/// A bounded slice of the fuzz campaign (scripts/fuzz-model-files.sh runs the long one): fixed seed, 420 cases over
/// the three readers and fourteen seed files, each refused with ModelFileException or loaded bit-identical (see
/// <see cref="LoadOracle"/>).
/// </summary>
public class ModelFileFuzzTests(ITestOutputHelper output)
{
    [Fact]
    public void DamagedFilesAreRefusedOrLoadTheSameModel()
    {
        var scratch = Directory.CreateTempSubdirectory("mlnetrnn-fuzz");
        try
        {
            var campaign = new FuzzCampaign(scratch.FullName);
            var cases = campaign.Run(seed: 1, first: 0, count: 420);
            var summary = FuzzCampaign.Summarize(cases);
            output.WriteLine(summary);
            Assert.True(cases.All(c => c.Result.Outcome != Outcome.Failed), summary);
            // The slice reaches every reader and every kind of mutation.
            Assert.Equal(3, cases.Select(c => c.Reader).Distinct().Count());
            Assert.Equal(ModelFileMutator.Categories.Distinct().Count(), cases.Select(c => c.Mutation.Category).Distinct().Count());
        }
        finally
        {
            scratch.Delete(recursive: true);
        }
    }
}
