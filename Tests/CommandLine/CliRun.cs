using MlNetRnn.Cli;

namespace MlNetRnn.Tests.CommandLine;

/// <summary>Runs `mlnetrnn` in process with its own writers (never the process's console, which other tests share).</summary>
internal static class CliRun
{
    public sealed record Result(int Code, string Output, string Error)
    {
        public string[] Lines => Output.Split('\n', StringSplitOptions.RemoveEmptyEntries);

        public override string ToString() => $"exit code {Code}\nstdout:\n{Output}\nstderr:\n{Error}";
    }

    public static Result Run(params string[] args)
    {
        var (output, error) = (new StringWriter(), new StringWriter());
        var code = Program.Run(args, new CliContext(output, error, Interactive: false));
        return new Result(code, output.ToString(), error.ToString());
    }

    /// <summary>Asserts exit code 2 with one line on standard error that holds <paramref name="message"/> and no stack trace.</summary>
    public static void AssertBadInput(Result result, string message)
    {
        Assert.True(result.Code == 2, result.ToString());
        var lines = result.Error.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.True(lines.Length == 1, result.ToString());
        Assert.StartsWith("mlnetrnn: ", lines[0]);
        Assert.Contains(message, lines[0]);
        Assert.DoesNotContain("   at ", result.Error);
    }
}
