using System.Runtime.Intrinsics.X86;
using System.Text.RegularExpressions;
using MlNetRnn.Kernels;

namespace MlNetRnn.Tests.Kernels;

/// <summary>
/// How the native kernel picks its code path (Native/src/dispatch.cpp): the best the CPU runs unless
/// MLNETRNN_KERNEL_ISA names one, a clear error for a path it cannot run, and, in the built library, no instruction
/// beyond the x86-64 baseline outside the avx512 and avx2 paths' own code (Native/src/isa.hpp).
/// </summary>
public sealed class InstructionSetTests
{
    [Fact]
    public void DefaultPathIsTheBestTheCpuRuns()
    {
        // .NET's own view of the CPU (CPUID and the OS's register state), as the kernel's dispatch reads it.
        var v3 = Avx2.IsSupported && Fma.IsSupported && Bmi1.IsSupported && Bmi2.IsSupported && Lzcnt.IsSupported && Popcnt.IsSupported;
        var expected = Environment.GetEnvironmentVariable("MLNETRNN_KERNEL_ISA") is { Length: > 0 } forced
            ? forced
            : v3 && Avx512F.IsSupported ? "avx512" : v3 ? "avx2" : "scalar";
        using var kernel = new NativeKernel();
        Assert.Equal(expected, kernel.InstructionSet);
        Assert.Contains(expected, InstructionSets.Supported);
    }

    [Fact]
    public void UnknownPathIsRefusedWithTheChoices()
    {
        var error = Assert.Throws<NativeKernelException>(() => new NativeKernel(1, "sse9"));
        Assert.Equal(2, error.Status);
        Assert.Contains("unknown instruction set 'sse9'; expected one of avx512, avx2, scalar", error.Message);
    }

    /// <summary>
    /// MLNETRNN_KERNEL_ISA is read once, when the library loads, so each value gets a process of its own (Python through
    /// ctypes): a path the CPU runs becomes the process's path and every context's; a name that is no path, or a path
    /// the CPU lacks, fails context creation with MLNR_ERROR_UNSUPPORTED and a message naming the variable.
    /// </summary>
    [Fact]
    public void EnvironmentVariableChoosesThePathOrFailsWithAMessage()
    {
        const string script = """
            import ctypes, sys
            lib = ctypes.CDLL(sys.argv[1])
            lib.mlnr_last_error.restype = ctypes.c_char_p
            name = ctypes.c_char_p()
            status = lib.mlnr_kernel_isa(ctypes.byref(name))
            context = ctypes.c_void_p()
            created = lib.mlnr_context_create(2, ctypes.byref(context))
            if created == 0:
                context_name = ctypes.c_char_p()
                lib.mlnr_context_isa(context, ctypes.byref(context_name))
                print("ok", name.value.decode(), context_name.value.decode())
                lib.mlnr_context_destroy(context)
            else:
                print("error", status, created, lib.mlnr_last_error().decode())
            """;
        foreach (var path in InstructionSets.Supported)
        {
            var (code, output) = ChildProcess.Python(script, new Dictionary<string, string?> { ["MLNETRNN_KERNEL_ISA"] = path });
            Assert.True(code == 0, output);
            Assert.Equal($"ok {path} {path}", output.Trim());
        }
        var (bogusCode, bogus) = ChildProcess.Python(script, new Dictionary<string, string?> { ["MLNETRNN_KERNEL_ISA"] = "avx1024" });
        Assert.True(bogusCode == 0, bogus);
        Assert.StartsWith("error 2 2 mlnr_context_create: MLNETRNN_KERNEL_ISA=avx1024: unknown instruction set 'avx1024'", bogus.Trim());
        foreach (var lacking in InstructionSets.All.Except(InstructionSets.Supported))
        {
            var (code, output) = ChildProcess.Python(script, new Dictionary<string, string?> { ["MLNETRNN_KERNEL_ISA"] = lacking });
            Assert.True(code == 0, output);
            Assert.Contains($"MLNETRNN_KERNEL_ISA={lacking}: the {lacking} path needs instructions this CPU lacks", output);
        }
    }

    // Instructions beyond x86-64's SSE and SSE2: SSE3 to SSE4.2, POPCNT, BMI1/2, LZCNT, MOVBE. Every VEX or EVEX
    // instruction (AVX and later) starts with 'v' or is a mask-register op ('k...'), or names a ymm, zmm or k register.
    private static readonly HashSet<string> BeyondBaseline =
    [
        "addsubps", "addsubpd", "haddps", "haddpd", "hsubps", "hsubpd", "lddqu", "movddup", "movshdup", "movsldup", "fisttp",
        "pabsb", "pabsw", "pabsd", "palignr", "phaddw", "phaddd", "phaddsw", "phsubw", "phsubd", "phsubsw", "pmaddubsw",
        "pmulhrsw", "pshufb", "psignb", "psignw", "psignd",
        "blendps", "blendpd", "blendvps", "blendvpd", "dpps", "dppd", "extractps", "insertps", "movntdqa", "mpsadbw",
        "packusdw", "pblendvb", "pblendw", "pcmpeqq", "pextrb", "pextrd", "pextrq", "phminposuw", "pinsrb", "pinsrd",
        "pinsrq", "pmaxsb", "pmaxsd", "pmaxud", "pmaxuw", "pminsb", "pminsd", "pminud", "pminuw", "pmovsxbw", "pmovsxbd",
        "pmovsxbq", "pmovsxwd", "pmovsxwq", "pmovsxdq", "pmovzxbw", "pmovzxbd", "pmovzxbq", "pmovzxwd", "pmovzxwq",
        "pmovzxdq", "pmuldq", "pmulld", "ptest", "roundps", "roundpd", "roundss", "roundsd", "pcmpgtq", "crc32",
        "pcmpestri", "pcmpestrm", "pcmpistri", "pcmpistrm", "popcnt", "lzcnt", "tzcnt", "andn", "bextr", "blsi", "blsmsk",
        "blsr", "bzhi", "mulx", "pdep", "pext", "rorx", "sarx", "shlx", "shrx", "movbe",
    ];

    /// <summary>
    /// The disassembled library: every function that uses an instruction beyond the baseline is one of the avx512 or
    /// avx2 paths' own (its name mentions mlnr::avx512 or mlnr::avx2), so none can be reached from the scalar path or
    /// the shared code on a CPU that lacks it. Catches a header's inline code compiled into a path's region, and a
    /// -march flag on a whole file.
    /// </summary>
    [Fact]
    public void NoInstructionBeyondTheBaselineOutsideThePaths()
    {
        var (code, disassembly) = ChildProcess.Run("objdump", ["-d", "--no-show-raw-insn", "-C", ChildProcess.NativeLibrary]);
        Assert.True(code == 0, disassembly[..Math.Min(disassembly.Length, 2000)]);
        var offending = new SortedDictionary<string, SortedSet<string>>(StringComparer.Ordinal);
        var pathFunctions = new Dictionary<string, int> { ["avx512"] = 0, ["avx2"] = 0 };
        string? function = null;
        var isPath = false;
        var usesWide = false;
        foreach (var line in disassembly.Split('\n'))
        {
            var header = Regex.Match(line, "^[0-9a-f]+ <(.*)>:$");
            if (header.Success)
            {
                function = header.Groups[1].Value;
                isPath = Regex.IsMatch(function, @"mlnr::(avx512|avx2)::");
                usesWide = false;
                continue;
            }
            var fields = line.Split('\t');
            if (function is null || fields.Length < 2)
                continue;
            var instruction = fields[1].Trim();
            var words = instruction.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (words.Length == 0)
                continue;
            var mnemonic = words[0] is "rep" or "repz" or "repnz" or "lock" or "notrack" or "bnd" && words.Length > 1 ? words[1] : words[0];
            var beyond = mnemonic.StartsWith('v') || Regex.IsMatch(mnemonic, "^k(mov|and|or|xor|not|test|shift|unpck|add)")
                || BeyondBaseline.Contains(mnemonic) || Regex.IsMatch(instruction, "%[yz]mm|%k[0-7]");
            if (!beyond)
                continue;
            if (!isPath)
            {
                if (!offending.TryGetValue(function, out var mnemonics))
                    offending[function] = mnemonics = new SortedSet<string>(StringComparer.Ordinal);
                mnemonics.Add(mnemonic);
            }
            else if (!usesWide && Regex.Match(function, @"mlnr::(avx512|avx2)::") is { Success: true } m)
            {
                usesWide = true;
                pathFunctions[m.Groups[1].Value]++;
            }
        }
        Assert.True(offending.Count == 0, "instructions beyond the x86-64 baseline outside the avx512/avx2 paths:\n" +
            string.Join("\n", offending.Select(o => $"  {o.Key}: {string.Join(", ", o.Value)}")));
        // The scan sees what it looks for: both paths' functions use their instructions.
        Assert.True(pathFunctions["avx512"] > 10 && pathFunctions["avx2"] > 10, $"path functions seen: avx512 {pathFunctions["avx512"]}, avx2 {pathFunctions["avx2"]}");
    }
}
