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
                                      or Kernels.NativeKernelException or OnnxExport.Runtime.OnnxRuntimeException)
        {
            // Bad input or environment: the message says what is wrong; no stack trace.
            Console.Error.WriteLine($"mlnetrnn: {e.Message}");
            return 1;
        }
    }
}
