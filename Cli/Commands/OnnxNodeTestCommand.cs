using System.CommandLine;
using MlNetRnn.Kernels;
using MlNetRnn.OnnxExport.Onnx;

namespace MlNetRnn.Cli.Commands;

/// <summary>
/// `mlnetrnn onnx-node-test DIR... [--kernel native|reference] [--threads N] [--tolerance X]`: runs ONNX backend node
/// tests of RNN/GRU/LSTM (model.onnx + test_data_set_*/*.pb) through a kernel; PASS/FAIL per directory with the
/// largest absolute difference per output. Exit code 1 if any case fails or uses an unsupported attribute.
/// </summary>
internal static class OnnxNodeTestCommand
{
    public static Command Create()
    {
        var directories = new Argument<string[]>("directories") { Description = "Node-test directories (each with model.onnx and test_data_set_*).", Arity = ArgumentArity.OneOrMore };
        var kernel = new Option<KernelKind>("--kernel") { Description = "native or reference.", DefaultValueFactory = _ => KernelKind.Native };
        var threads = new Option<int>("--threads") { Description = "Kernel threads.", DefaultValueFactory = _ => 1 };
        var tolerance = new Option<float>("--tolerance") { Description = "Largest allowed absolute difference.", DefaultValueFactory = _ => OnnxNodeTestRunner.DefaultTolerance };
        var command = new Command("onnx-node-test", "Run ONNX RNN/GRU/LSTM node tests through the MlNetRnn kernel.") { directories, kernel, threads, tolerance };
        command.SetAction(result =>
        {
            var failures = 0;
            var chosen = KernelFactory.Create(result.GetValue(kernel), Math.Max(1, result.GetValue(threads)));
            try
            {
                foreach (var directory in result.GetValue(directories)!)
                {
                    var name = Path.GetFileName(Path.TrimEndingDirectorySeparator(directory));
                    try
                    {
                        var outcome = OnnxNodeTestRunner.Run(OnnxNodeTestCase.Load(directory), chosen, result.GetValue(tolerance));
                        var details = string.Join(", ", outcome.Outputs.Select(o =>
                            $"{o.Name} max|diff| {o.MaxAbsDifference:G3}" + (o.Problem is null ? "" : $" ({o.Problem})")));
                        Console.WriteLine($"{(outcome.Passed ? "PASS" : "FAIL")} {name}: {details}");
                        if (!outcome.Passed)
                            failures++;
                    }
                    catch (NotSupportedException e)
                    {
                        Console.WriteLine($"FAIL {name}: unsupported: {e.Message}");
                        failures++;
                    }
                    catch (Exception e) when (e is InvalidDataException or IOException or ArgumentException or NativeKernelException)
                    {
                        Console.WriteLine($"FAIL {name}: {e.Message}");
                        failures++;
                    }
                }
            }
            finally
            {
                (chosen as IDisposable)?.Dispose();
            }
            return failures == 0 ? 0 : 1;
        });
        return command;
    }
}
