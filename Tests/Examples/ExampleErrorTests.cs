using System.Diagnostics;

namespace MlNetRnn.Tests.Examples;

/// <summary>
/// Every example's errors are one line on standard error, prefixed with the program's name, with exit code 2 (bad
/// input or environment; see Examples/Datasets/ExampleProgram.cs and docs/reliability.md), never a stack trace: an
/// unknown option, an option's value that is not a number, a thread count of 0, a data set that is not there. Each
/// fails before training starts, so these run in about a second each.
/// </summary>
public sealed class ExampleErrorTests
{
    [Theory]
    [InlineData("Spam", "spam-demo", "--bogus", "unknown argument '--bogus'")]
    [InlineData("Spam", "spam-demo", "--epochs abc", "--epochs expects an integer; got 'abc'")]
    [InlineData("Spam", "spam-demo", "--threads 0", "--threads must be at least 1; got 0")]
    [InlineData("Spam", "spam-demo", "--lr fast", "--lr expects a number; got 'fast'")]
    [InlineData("Spam", "spam-demo", "--kernel gpu", "--kernel expects one of")]
    [InlineData("Spam", "spam-demo", "--corpus /nonexistent/spam", "Could not find The SpamAssassin corpus")]
    [InlineData("MLNetSpam", "mlnet-spam-demo", "--epochs abc", "--epochs expects an integer; got 'abc'")]
    [InlineData("MLNetSpam", "mlnet-spam-demo", "--bogus", "unknown argument '--bogus'")]
    [InlineData("MLNetSpam", "mlnet-spam-demo", "--corpus /nonexistent/spam", "Could not find The SpamAssassin corpus")]
    [InlineData("FashionMnist", "fashion-mnist-demo", "--epochs abc", "--epochs expects an integer; got 'abc'")]
    [InlineData("FashionMnist", "fashion-mnist-demo", "--threads 0", "--threads must be at least 1; got 0")]
    [InlineData("FashionMnist", "fashion-mnist-demo", "--bogus", "unknown argument '--bogus'")]
    [InlineData("FashionMnist", "fashion-mnist-demo", "--data /nonexistent/fashion", "/nonexistent/fashion")]
    [InlineData("CharLm", "char-lm-demo", "--epochs abc", "--epochs expects an integer; got 'abc'")]
    [InlineData("CharLm", "char-lm-demo", "--threads 0", "--threads must be at least 1; got 0")]
    [InlineData("CharLm", "char-lm-demo", "--bogus", "unknown argument '--bogus'")]
    [InlineData("CharLm", "char-lm-demo", "--epochs", "--epochs needs a value")]
    [InlineData("CharLm", "char-lm-demo", "--book no-such-book", "no-such-book")]
    [InlineData("SpamBaseline", "spam-baseline", "--seed abc", "--seed expects an integer; got 'abc'")]
    [InlineData("SpamBaseline", "spam-baseline", "--test-fraction x", "--test-fraction expects a number; got 'x'")]
    [InlineData("SpamBaseline", "spam-baseline", "--corpus /nonexistent/spam", "Could not find The SpamAssassin corpus")]
    [InlineData("SpamDeploy", "spam-deploy", "--model /nonexistent/spam.onnx x.eml", "/nonexistent/spam.onnx")]
    public void AnErrorIsOneLineWithExitCodeTwo(string project, string assembly, string arguments, string message)
    {
        var configuration = AppContext.BaseDirectory.Contains($"{Path.DirectorySeparatorChar}Debug{Path.DirectorySeparatorChar}", StringComparison.Ordinal) ? "Debug" : "Release";
        var dll = Path.Combine(RepositoryPaths.Root, "Examples", project, "bin", configuration, "net10.0", assembly + ".dll");
        Assert.True(File.Exists(dll), $"{dll} is missing: build the solution (dotnet build MlNetRnn.sln -c {configuration}).");
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = Path.GetTempPath() };
        start.ArgumentList.Add(dll);
        foreach (var a in arguments.Split(' '))
            start.ArgumentList.Add(a);
        using var process = Process.Start(start)!;
        var stderr = process.StandardError.ReadToEndAsync();
        var stdout = process.StandardOutput.ReadToEnd();
        Assert.True(process.WaitForExit(TimeSpan.FromMinutes(2)), $"{assembly} {arguments} did not finish in 2 minutes");
        var error = stderr.Result;
        var report = $"{assembly} {arguments}: exit code {process.ExitCode}\nstdout:\n{stdout}\nstderr:\n{error}";
        Assert.True(process.ExitCode == 2, report);
        var lines = error.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.True(lines.Length == 1, report);
        Assert.StartsWith($"{assembly}: ", lines[0]);
        Assert.Contains(message, lines[0]);
        Assert.DoesNotContain("   at ", error);
    }
}
