using System.CommandLine;
using System.Text.Json;
using MlNetRnn.Cli.Commands;

namespace MlNetRnn.Cli;

/// <summary>Entry point of the `mlnetrnn` command; each subcommand lives in Commands/ as one file.</summary>
public static class Program
{
    public const string Description =
        "MlNetRnn: GRU, LSTM and RNN sequence models from the command line. train fits a model to a CSV, TSV, JSON-lines " +
        "or text file and writes the model (.mlnr), its history (CSV) and its training curve (PNG); evaluate measures a " +
        "model on labelled data; export writes it as ONNX; predict scores a file (a .mlnr on the native kernel, an .onnx " +
        "in ONNX Runtime); info shows what a model file expects and returns. bench and onnx-node-test check the kernel.";

    public static int Main(string[] args) => Run(args, CliContext.FromConsole());

    /// <summary>Runs a command line with the given writers (what Main does with the console's).</summary>
    public static int Run(string[] args, CliContext context)
    {
        ArgumentNullException.ThrowIfNull(args);
        ArgumentNullException.ThrowIfNull(context);
        var root = new RootCommand($"{Description}\n\n{ExitCodes.Table}")
        {
            TrainCommand.Create(context),
            EvaluateCommand.Create(context),
            ExportCommand.Create(context),
            PredictCommand.Create(context),
            InfoCommand.Create(context),
            BenchCommand.Create(),
            OnnxNodeTestCommand.Create(),
        };
        var parse = root.Parse(args);
        if (parse.Errors.Count > 0)
        {
            var command = parse.CommandResult.Command;
            var help = command == root ? "mlnetrnn --help" : $"mlnetrnn {command.Name} --help";
            // An unknown word first: "Required command was not provided" says less about "mlnetrnn frobnicate".
            var error = parse.Errors.FirstOrDefault(e => parse.UnmatchedTokens.Any(t => e.Message.Contains(t, StringComparison.Ordinal))) ?? parse.Errors[0];
            context.Error.WriteLine($"mlnetrnn: {Readable(OneLine(error.Message))} See '{help}'.");
            return ExitCodes.BadInput;
        }
        try
        {
            return parse.Invoke(new InvocationConfiguration { EnableDefaultExceptionHandler = false, Output = context.Out, Error = context.Error });
        }
        catch (OperationCanceledException)
        {
            context.Error.WriteLine("mlnetrnn: interrupted.");
            return ExitCodes.Interrupted;
        }
        catch (Exception e) when (IsBadInput(e))
        {
            // Bad input or environment: the message says what is wrong; no stack trace.
            context.Error.WriteLine($"mlnetrnn: {OneLine(e.Message)}");
            return ExitCodes.BadInput;
        }
        catch (Exception e)
        {
            context.Error.WriteLine($"mlnetrnn: internal error ({e.GetType().Name}): {OneLine(e.Message)}" +
                                    (Environment.GetEnvironmentVariable("MLNETRNN_DEBUG") == "1" ? $"\n{e}" : " (MLNETRNN_DEBUG=1 shows where)"));
            return ExitCodes.InternalError;
        }
    }

    private static bool IsBadInput(Exception e) =>
        e is ArgumentException or IOException or InvalidDataException or InvalidOperationException or NotSupportedException
            or FormatException or JsonException or DllNotFoundException or UnauthorizedAccessException
            or Kernels.NativeKernelException or TrainingDivergedException or Microsoft.ML.OnnxRuntime.OnnxRuntimeException
            or OnnxExecutionProviderException;

    // The parser names .NET types ("as expected type 'System.Int32'"); a user wants the kind of value.
    private static string Readable(string message) => message
        .Replace("'System.Nullable`1[System.Int32]'", "an integer", StringComparison.Ordinal)
        .Replace("'System.Int32'", "an integer", StringComparison.Ordinal)
        .Replace("'System.Single'", "a number", StringComparison.Ordinal)
        .Replace("as expected type", "as", StringComparison.Ordinal);

    /// <summary>An error message on one line (ORT's and the loader's messages carry newlines).</summary>
    internal static string OneLine(string message) =>
        string.Join(' ', message.Split(['\r', '\n'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
}
