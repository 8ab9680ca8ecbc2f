using System.Diagnostics;
using MlNetRnn.Tests.Datasets;

namespace MlNetRnn.Tests.Examples;

/// <summary>
/// The examples end to end with reduced settings (a few seconds each): each program loads its real data set, trains,
/// evaluates and prints its report. Full runs and their figures are in the README; these keep the programs working.
/// The test project builds the example projects (ProjectReference without the assembly), so their binaries are here.
/// </summary>
public sealed class ExampleSmokeTests
{
    private static (int ExitCode, string Output) Run(string project, string assembly, params string[] args)
    {
        var configuration = AppContext.BaseDirectory.Contains($"{Path.DirectorySeparatorChar}Debug{Path.DirectorySeparatorChar}", StringComparison.Ordinal) ? "Debug" : "Release";
        var dll = Path.Combine(RepositoryPaths.Root, "Examples", project, "bin", configuration, "net10.0", assembly + ".dll");
        Assert.True(File.Exists(dll), $"{dll} is missing: build the solution (dotnet build MlNetRnn.sln -c {configuration}).");
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = Path.GetTempPath() };
        start.ArgumentList.Add(dll);
        foreach (var a in args)
            start.ArgumentList.Add(a);
        using var process = Process.Start(start)!;
        var stderr = process.StandardError.ReadToEndAsync();
        var stdout = process.StandardOutput.ReadToEnd();
        Assert.True(process.WaitForExit(TimeSpan.FromMinutes(3)), $"{assembly} did not finish in 3 minutes");
        return (process.ExitCode, stdout + stderr.Result);
    }

    [DataSetFact(RequiredDataSet.SpamAssassin)]
    public void SpamDemoTrainsExportsAndScoresThroughOnnxRuntime()
    {
        var output = Path.Combine(Path.GetTempPath(), $"mlnetrnn-spam-smoke-{Guid.NewGuid():N}");
        try
        {
            var (code, text) = Run("Spam", "spam-demo", "--epochs", "1", "--max-length", "40", "--hidden", "16", "--embedding", "16", "--output", output);
            // One short epoch need not reach the target (exit 1 says so); anything else is a failure.
            Assert.True(code is 0 or 1, $"exit code {code}:\n{text}");
            Assert.Contains("baseline, bag of words + logistic regression", text);
            Assert.Contains("GRU on the held-out 20%", text);
            Assert.Matches(@"same label as the native model for (\d+)/\1 mails", text);
            Assert.True(File.Exists(Path.Combine(output, "spam.onnx")), text);
            Assert.True(File.Exists(Path.Combine(output, "spam.mlnr")), text);
        }
        finally
        {
            if (Directory.Exists(output))
                Directory.Delete(output, recursive: true);
        }
    }

    [DataSetFact(RequiredDataSet.FashionMnist)]
    public void FashionMnistDemoReportsTestAccuracyAndWritesItsCurve()
    {
        var output = Path.Combine(Path.GetTempPath(), $"mlnetrnn-fashion-smoke-{Guid.NewGuid():N}");
        try
        {
            var (code, text) = Run("FashionMnist", "fashion-mnist-demo", "--epochs", "1", "--train-limit", "2000", "--output", output);
            Assert.True(code is 0 or 1, $"exit code {code}:\n{text}");
            Assert.Contains("test (10000 images)", text);
            Assert.Contains("confusion matrix", text);
            Assert.Matches(@"test accuracy \d+\.\d+ %", text);
            AssertModelWithCurve(output, "fashion-mnist", text);
        }
        finally
        {
            if (Directory.Exists(output))
                Directory.Delete(output, recursive: true);
        }
    }

    [DataSetFact(RequiredDataSet.Gutenberg)]
    public void CharacterLanguageModelReportsPerplexityGeneratesAndWritesItsCurve()
    {
        var output = Path.Combine(Path.GetTempPath(), $"mlnetrnn-charlm-smoke-{Guid.NewGuid():N}");
        try
        {
            var (code, text) = Run("CharLm", "char-lm-demo", "--epochs", "1", "--limit", "60000", "--output", output);
            Assert.True(code is 0 or 1, $"exit code {code}:\n{text}");
            Assert.Matches(@"validation perplexity: GRU \d+\.\d+", text);
            Assert.Contains("character bigram baseline", text);
            Assert.Contains("greedy from", text);
            AssertModelWithCurve(output, "char-lm", text);
        }
        finally
        {
            if (Directory.Exists(output))
                Directory.Delete(output, recursive: true);
        }
    }

    private static void AssertModelWithCurve(string output, string name, string text)
    {
        Assert.True(File.Exists(Path.Combine(output, name + ".mlnr")), text);
        Assert.Equal(2, File.ReadAllLines(Path.Combine(output, name + ".history.csv")).Length);   // the header and one epoch
        Assert.True(new FileInfo(Path.Combine(output, name + ".history.png")).Length > 10_000, text);
    }
}
