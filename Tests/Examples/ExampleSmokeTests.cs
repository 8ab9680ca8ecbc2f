using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;
using MlNetRnn.Examples.Datasets;
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
        var (code, stdout, stderr) = RunSeparately(project, assembly, args);
        return (code, stdout + stderr);
    }

    private static (int ExitCode, string Stdout, string Stderr) RunSeparately(string project, string assembly, params string[] args)
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
        return (process.ExitCode, stdout, stderr.Result);
    }

    /// <summary>
    /// The demo (reduced: one short epoch, no baseline) trains, exports and scores the held-out mails' extracted texts
    /// through ONNX Runtime; then the deploy example scores the same mails from their raw bytes, written as .eml files,
    /// and must give the demo's ONNX label for every mail, hence its accuracy: the extraction is the same on both sides.
    /// </summary>
    [DataSetFact(RequiredDataSet.SpamAssassin)]
    public void SpamDemoExportsAModelThatTheDeployExampleScoresOnRawMailsAsTheDemoDid()
    {
        var output = Path.Combine(Path.GetTempPath(), $"mlnetrnn-spam-smoke-{Guid.NewGuid():N}");
        try
        {
            var (code, text) = Run("Spam", "spam-demo", "--epochs", "1", "--max-length", "40", "--hidden", "16", "--embedding", "16",
                "--no-baseline", "--output", output);
            // One short epoch need not reach the target (exit 1 says so); anything else is a failure.
            Assert.True(code is 0 or 1, $"exit code {code}:\n{text}");
            Assert.Contains("GRU on the held-out 20%", text);
            Assert.Matches(@"same label as the native model for (\d+)/\1 mails", text);
            var modelPath = Path.Combine(output, "spam.onnx");
            Assert.True(File.Exists(modelPath), text);
            Assert.True(File.Exists(Path.Combine(output, "spam.mlnr")), text);
            var demoAccuracy = double.Parse(Regex.Match(text, @"ONNX Runtime .* raw text in: accuracy (\d+\.\d+) %").Groups[1].Value, CultureInfo.InvariantCulture);

            // predictions.tsv: group, file, label, the demo's ONNX label and probability, one held-out mail a row.
            var demo = File.ReadAllLines(Path.Combine(output, "predictions.tsv")).Skip(1).Select(line => line.Split('\t')).ToList();
            Assert.Equal(1209, demo.Count);
            var mails = Directory.CreateDirectory(Path.Combine(output, "mails")).FullName;
            foreach (var row in demo)
                File.Copy(Path.Combine(SpamAssassinCorpus.Locate(), row[0], row[1]), Path.Combine(mails, $"{row[0]}-{row[1]}.eml"));

            var (deployCode, stdout, stderr) = RunSeparately("SpamDeploy", "spam-deploy", "--model", modelPath, mails);
            Assert.True(deployCode == 0, $"exit code {deployCode}:\n{stderr}");
            var deployed = stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(line => line.Split('\t'))
                .ToDictionary(fields => Path.GetFileName(fields[0]), fields => (Label: fields[1], Probability: double.Parse(fields[2], CultureInfo.InvariantCulture)));
            Assert.Equal(demo.Count, deployed.Count);
            var correct = 0;
            foreach (var row in demo)
            {
                var (label, probability) = deployed[$"{row[0]}-{row[1]}.eml"];
                Assert.True(label == row[3], $"{row[0]}/{row[1]}: the deploy example says {label}, the demo's ONNX scoring {row[3]}");
                Assert.True(Math.Abs(probability - double.Parse(row[4], CultureInfo.InvariantCulture)) <= 1e-5, $"{row[0]}/{row[1]}: P {probability} against {row[4]}");
                correct += label == row[2] ? 1 : 0;
            }
            Assert.Equal(demoAccuracy, Math.Round(100.0 * correct / demo.Count, 2));

            // Errors: one line each on stderr, the readable mails still scored, exit code 2; a missing model likewise.
            var missing = Path.Combine(output, "no-such-mail.eml");
            var empty = Path.Combine(output, "empty.eml");
            File.WriteAllBytes(empty, []);
            var good = Path.Combine(mails, $"{demo[0][0]}-{demo[0][1]}.eml");
            var (badCode, badOut, badErr) = RunSeparately("SpamDeploy", "spam-deploy", "--model", modelPath, missing, empty, good);
            Assert.Equal(2, badCode);
            var errors = badErr.Split('\n', StringSplitOptions.RemoveEmptyEntries);
            Assert.Equal(2, errors.Length);
            Assert.StartsWith($"spam-deploy: {missing}: ", errors[0]);
            Assert.StartsWith($"spam-deploy: {empty}: ", errors[1]);
            Assert.DoesNotContain(" at ", badErr);
            Assert.StartsWith(good + "\t", badOut);
            var (noModelCode, _, noModelErr) = RunSeparately("SpamDeploy", "spam-deploy", "--model", Path.Combine(output, "none.onnx"), good);
            Assert.Equal(2, noModelCode);
            Assert.Single(noModelErr.Split('\n', StringSplitOptions.RemoveEmptyEntries));
            Assert.Contains("none.onnx", noModelErr);
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
