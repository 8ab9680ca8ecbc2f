using System.Diagnostics;

namespace MlNetRnn.Tests.CommandLine;

/// <summary>
/// What the CLI does with files and settings that are not what they should be: a damaged model file or export, an
/// input that is not a data file (no line break for megabytes: /dev/zero, a binary), CUDA without a GPU, a native
/// library that is not the kernel. Each is one line on standard error and exit code 2, never a stack trace.
/// </summary>
public sealed class HostileInputTests(TrainedMailModel trained) : IClassFixture<TrainedMailModel>
{
    [Theory]
    [InlineData(".mlnr")]
    [InlineData(".onnx")]
    public void ADamagedModelFileIsOneLineNamingTheFile(string extension)
    {
        var source = extension == ".mlnr" ? trained.Model : trained.Onnx;
        var bytes = File.ReadAllBytes(source);
        bytes[bytes.Length / 2] ^= 0x10;
        var damaged = trained.Path("damaged" + extension);
        File.WriteAllBytes(damaged, bytes);
        foreach (var command in new[] { "predict", "evaluate" })
        {
            var run = command == "predict"
                ? CliRun.Run("predict", "--model", damaged, "--input", trained.Csv)
                : CliRun.Run("evaluate", "--model", damaged, "--data", trained.Csv);
            CliRun.AssertBadInput(run, damaged);
        }
        CliRun.AssertBadInput(CliRun.Run("info", "--model", damaged), damaged);
    }

    [Theory]
    [InlineData("predict")]
    [InlineData("train")]
    public void AnInputWithoutLineBreaksStopsAtTheRowCap(string command)
    {
        // What /dev/zero reads as (NULs, no line break), bounded here so that the test writes a file.
        var input = trained.Path($"zeros-{command}.txt");
        File.WriteAllBytes(input, new byte[Cli.Data.TableReader.MaxRowCharacters + 10]);
        var run = command == "predict"
            ? CliRun.Run("predict", "--model", trained.Model, "--input", input, "--format", "text")
            : CliRun.Run("train", "--data", input, "--format", "text", "--task", "lm", "--model", trained.Path("lm.mlnr"));
        CliRun.AssertBadInput(run, $"{input}:1: the row is longer than 8,388,608 characters");
    }

    [Fact]
    public void CudaWithoutAGpuIsOneLine()
    {
        if (File.Exists("/dev/nvidia0"))
            return;   // a machine with a GPU runs it
        var run = CliRun.Run("predict", "--model", trained.Onnx, "--input", trained.Csv, "--provider", "cuda");
        CliRun.AssertBadInput(run, "CUDA");
    }

    [Fact]
    public void ANativeLibraryThatIsNotTheKernelIsOneLineInAChildProcess()
    {
        var cli = Path.Combine(AppContext.BaseDirectory, "mlnetrnn.dll");
        Assert.True(File.Exists(cli), cli);
        var libm = new[] { "/lib/x86_64-linux-gnu/libm.so.6", "/usr/lib/x86_64-linux-gnu/libm.so.6", "/lib64/libm.so.6" }.First(File.Exists);
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in new[] { cli, "predict", "--model", trained.Model, "--input", trained.Csv })
            start.ArgumentList.Add(a);
        start.Environment["MLNETRNN_NATIVE_LIBRARY"] = libm;
        using var process = Process.Start(start)!;
        var stderr = process.StandardError.ReadToEndAsync();
        process.StandardOutput.ReadToEnd();
        Assert.True(process.WaitForExit(TimeSpan.FromMinutes(1)));
        var error = stderr.Result;
        Assert.True(process.ExitCode == 2, $"exit code {process.ExitCode}: {error}");
        Assert.Single(error.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.StartsWith("mlnetrnn: ", error);
        Assert.Contains(libm, error);
        Assert.DoesNotContain("   at ", error);
    }
}
