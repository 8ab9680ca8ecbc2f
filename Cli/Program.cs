using System.CommandLine;

namespace MlNetRnn.Cli;

/// <summary>Entry point of the `mlnetrnn` command; each subcommand lives in Commands/ as one file.</summary>
public static class Program
{
    public static int Main(string[] args)
    {
        var root = new RootCommand("MlNetRnn: train, test, benchmark and serve recurrent sequence models from .NET.");
        root.Subcommands.Add(Commands.BenchCommand.Create());
        root.Subcommands.Add(Commands.OnnxNodeTestCommand.Create());
        root.Subcommands.Add(Commands.PredictCommand.Create());
        try
        {
            return root.Parse(args).Invoke(new InvocationConfiguration { EnableDefaultExceptionHandler = false });
        }
        catch (Exception e) when (e is ArgumentException or IOException or InvalidDataException or InvalidOperationException
                                      or NotSupportedException or DllNotFoundException or UnauthorizedAccessException
                                      or Kernels.NativeKernelException or Microsoft.ML.OnnxRuntime.OnnxRuntimeException
                                      or OnnxExecutionProviderException)
        {
            // Bad input or environment: the message says what is wrong; no stack trace.
            Console.Error.WriteLine($"mlnetrnn: {OneLine(e.Message)}");
            return 2;
        }
    }

    /// <summary>An error message on one line (ORT's and the loader's messages carry newlines).</summary>
    private static string OneLine(string message) =>
        string.Join(' ', message.Split(['\r', '\n'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
}
