using System.Text.RegularExpressions;

namespace MlNetRnn.Tests.Kernels;

/// <summary>
/// The built library as a NuGet package ships it (runtimes/linux-x64/native): it needs the C runtime only (the C++
/// runtime is linked in), old glibc symbol versions (Native/src/glibc_versions.cpp), and exports the C ABI only.
/// </summary>
public sealed class NativeLibraryTests
{
    /// <summary>The highest glibc symbol version the library may need: GLIBC_2.18 (__cxa_thread_atexit_impl), far
    /// below .NET 10's own GLIBC_2.27. A newer toolchain that references newer symbols fails here: add them to the
    /// wrapped list in CMakeLists.txt and glibc_versions.cpp.</summary>
    private static readonly Version HighestGlibc = new(2, 18);

    [Fact]
    public void NeedsTheCRuntimeOnly()
    {
        var (code, output) = ChildProcess.Run("readelf", ["-d", ChildProcess.NativeLibrary]);
        Assert.True(code == 0, output);
        var needed = Regex.Matches(output, @"\(NEEDED\)\s+Shared library: \[(.*)\]").Select(m => m.Groups[1].Value).ToArray();
        string[] allowed = ["libc.so.6", "libm.so.6", "libpthread.so.0", "libdl.so.2", "ld-linux-x86-64.so.2"];
        Assert.True(needed.Length > 0 && needed.All(allowed.Contains), $"needs {string.Join(", ", needed)}; allowed: {string.Join(", ", allowed)}");
    }

    [Fact]
    public void NeedsOldGlibcSymbolVersionsOnly()
    {
        var (code, output) = ChildProcess.Run("objdump", ["-T", ChildProcess.NativeLibrary]);
        Assert.True(code == 0, output);
        var versions = Regex.Matches(output, @"\((GLIBC_[0-9.]+)\)|\s(GLIBC_[0-9.]+)\s").Select(m => m.Groups[1].Success ? m.Groups[1].Value : m.Groups[2].Value).Distinct().ToArray();
        Assert.NotEmpty(versions);
        var newer = versions.Where(v => Version.Parse(v["GLIBC_".Length..]) > HighestGlibc).ToArray();
        Assert.True(newer.Length == 0, $"needs {string.Join(", ", newer)} (at most GLIBC_{HighestGlibc} allowed):\n" +
            string.Join("\n", output.Split('\n').Where(l => newer.Any(l.Contains))));
        // Nor the C++ runtime's or libgcc's versions: those are linked in.
        Assert.DoesNotMatch(@"GLIBCXX_|CXXABI_|\(GCC_", output);
    }

    [Fact]
    public void ExportsTheCAbiOnly()
    {
        var (code, output) = ChildProcess.Run("objdump", ["-T", ChildProcess.NativeLibrary]);
        Assert.True(code == 0, output);
        // Defined symbols: a section other than *UND*.
        var defined = output.Split('\n').Where(l => Regex.IsMatch(l, @"^[0-9a-f]+ .* (\.text|\.data|\.bss|\.rodata|\.tbss|\.tdata)\s"))
            .Select(l => l.Split(' ', StringSplitOptions.RemoveEmptyEntries)[^1]).ToArray();
        Assert.Contains("mlnr_rnn_forward", defined);
        Assert.True(defined.All(s => s.StartsWith("mlnr_", StringComparison.Ordinal)), "exports beyond the C ABI: " +
            string.Join(", ", defined.Where(s => !s.StartsWith("mlnr_", StringComparison.Ordinal))));
    }

    private static (int ExitCode, string Output) RunCli(string variable, string value)
    {
        // The CLI (built beside the tests) loads the kernel in a process of its own, as an application would.
        var cli = Path.Combine(AppContext.BaseDirectory, "mlnetrnn.dll");
        var onnxCase = Path.Combine(OnnxNodeTests.NodeTestRoot, "test_gru_defaults");
        return ChildProcess.Run("dotnet", [cli, "onnx-node-test", onnxCase], new Dictionary<string, string?> { [variable] = value });
    }

    [Fact]
    public void LibraryThatCannotBeLoadedIsReportedWithTheSystemLoadersReason()
    {
        var path = Path.Combine(Path.GetTempPath(), $"mlnetrnn-not-a-library-{Guid.NewGuid():N}.so");
        File.WriteAllText(path, "not a library");
        try
        {
            var (code, output) = RunCli("MLNETRNN_NATIVE_LIBRARY", path);
            Assert.True(code != 0, output);
            Assert.Contains($"{path} (exists but could not be loaded: {path}: file too short)", output);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void PathTheEnvironmentNamesWrongIsReportedByTheApplication()
    {
        var (code, output) = RunCli("MLNETRNN_KERNEL_ISA", "avx1024");
        Assert.True(code != 0, output);
        Assert.Contains("mlnr_context_create failed (unsupported): mlnr_context_create: MLNETRNN_KERNEL_ISA=avx1024: unknown instruction set 'avx1024'; expected one of avx512, avx2, scalar", output);
    }
}
