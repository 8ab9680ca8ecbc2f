namespace MlNetRnn.Tests.Bench;

[CollectionDefinition("Console", DisableParallelization = true)]
public sealed class ConsoleCollection;

/// <summary>`mlnetrnn bench --alternate-with` and option checks, in process (the console is redirected, so no other test runs beside).</summary>
[Collection("Console")]
public class BenchCommandTests
{
    /// <summary>
    /// W5 beside W1 in one process: one line each in the WORKLOADS.md shape, and a per-real-token ratio that follows
    /// from the two printed throughputs and W5's printed fraction of real steps.
    /// </summary>
    [Fact]
    public void AlternateWithPrintsBothWorkloadsAndTheirRealTokenRatio()
    {
        var (code, output, _) = Run(["bench", "--workload", "w5", "--alternate-with", "w1", "--threads", "2", "--warmup-seconds", "0"]);
        Assert.Equal(0, code);
        var w5 = Assert.Single(output, l => l.StartsWith("w5 mlnetrnn-paired 2 train_seq_per_s ", StringComparison.Ordinal));
        var w1 = Assert.Single(output, l => l.StartsWith("w1 mlnetrnn-paired 2 train_seq_per_s ", StringComparison.Ordinal));
        var ratio = double.Parse(Field(w5, "real_token_ratio_vs_w1="), System.Globalization.CultureInfo.InvariantCulture);
        var real = double.Parse(Field(w5, "real_steps=").TrimEnd('%'), System.Globalization.CultureInfo.InvariantCulture) / 100;
        var expected = Value(w5) * real / Value(w1);   // both have T = 200: sequences carry real_steps x T real tokens
        Assert.True(Math.Abs(ratio - expected) <= 0.01 * expected, $"ratio {ratio} against {expected} from the lines:\n{w5}\n{w1}");
    }

    [Theory]
    [InlineData("--workload w5 --alternate-with w4-b1", "pairs training workloads")]
    [InlineData("--workload w5 --alternate-with w9", "Unknown workload 'w9'")]
    [InlineData("--alternate-with w1", "pairs one training workload")]
    [InlineData("--workload w1 --warmup-seconds -1", "--warmup-seconds at least 0")]
    [InlineData("--workload w4-b1 --runtime onnx --alternate-with w1", "pairs one training workload")]
    public void RejectsWhatItCannotRunWithExit2AndAMessage(string arguments, string message)
    {
        var (code, _, error) = Run(["bench", .. arguments.Split(' ')]);
        Assert.Equal(2, code);
        Assert.Contains(message, error);
    }

    private static (int Code, string[] Output, string Error) Run(string[] arguments)
    {
        var (output, error) = (new StringWriter(), new StringWriter());
        var (oldOutput, oldError) = (Console.Out, Console.Error);
        Console.SetOut(output);
        Console.SetError(error);
        try
        {
            var code = Cli.Program.Main(arguments);
            return (code, output.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries), error.ToString());
        }
        finally
        {
            Console.SetOut(oldOutput);
            Console.SetError(oldError);
        }
    }

    private static double Value(string line) =>
        double.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[4], System.Globalization.CultureInfo.InvariantCulture);

    private static string Field(string line, string key)
    {
        var at = line.IndexOf(key, StringComparison.Ordinal);
        Assert.True(at >= 0, $"no {key} in: {line}");
        var rest = line[(at + key.Length)..];
        var end = rest.IndexOf(' ');
        // real_steps prints as "55.2 %": keep the number, drop the space before the percent sign.
        return end < 0 ? rest : rest[..end];
    }
}
