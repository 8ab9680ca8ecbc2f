using System.Diagnostics;

namespace MlNetRnn.Tests.Kernels;

/// <summary>Runs a program to its end (a child process: a fresh environment, a library loaded anew, limits of its own).</summary>
internal static class ChildProcess
{
    /// <summary>The native kernel these tests load: MLNETRNN_NATIVE_LIBRARY when set (as the loader reads it), else the
    /// library the build put beside the test assembly.</summary>
    public static string NativeLibrary =>
        Environment.GetEnvironmentVariable("MLNETRNN_NATIVE_LIBRARY") is { Length: > 0 } path
            ? path
            : Path.Combine(AppContext.BaseDirectory, "libmlnetrnn_native.so");

    public static (int ExitCode, string Output) Run(string program, IEnumerable<string> arguments,
        IReadOnlyDictionary<string, string?>? environment = null, int timeoutSeconds = 60)
    {
        var start = new ProcessStartInfo(program) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in arguments)
            start.ArgumentList.Add(argument);
        foreach (var (name, value) in environment ?? new Dictionary<string, string?>())
            start.Environment[name] = value;
        using var process = Process.Start(start)!;
        var stderr = process.StandardError.ReadToEndAsync();
        var stdout = process.StandardOutput.ReadToEndAsync();
        if (!process.WaitForExit(TimeSpan.FromSeconds(timeoutSeconds)))
        {
            process.Kill(entireProcessTree: true);
            Assert.Fail($"{program} did not finish in {timeoutSeconds} s:\n{stdout.Result}{stderr.Result}");
        }
        return (process.ExitCode, stdout.Result + stderr.Result);
    }

    /// <summary>Python (Debian's python3, which the export tests use too) calling the C ABI through ctypes: the script
    /// gets the library's path as sys.argv[1].</summary>
    public static (int ExitCode, string Output) Python(string script, IReadOnlyDictionary<string, string?>? environment = null) =>
        Run("/usr/bin/python3", ["-c", script, NativeLibrary], environment);
}
