using MlNetRnn.Kernels;

namespace MlNetRnn.Tests.Kernels;

/// <summary>
/// The native kernel's code paths (Native/src/isa.hpp) that this CPU runs, by the kernel's own answer: selecting a path
/// the CPU lacks fails. The kernel tests run on each of them in this one process (a context per path).
/// </summary>
internal static class InstructionSets
{
    public static readonly string[] All = ["avx512", "avx2", "scalar"];

    public static readonly string[] Supported = All.Where(Runs).ToArray();

    /// <summary>A kernel on the path, on the thread count.</summary>
    public static NativeKernel Kernel(string path, int threads) => new(threads, path);

    public static TheoryData<string> Paths()
    {
        var data = new TheoryData<string>();
        foreach (var path in Supported)
            data.Add(path);
        return data;
    }

    private static bool Runs(string path)
    {
        try
        {
            using var kernel = new NativeKernel(1, path);
            return true;
        }
        catch (NativeKernelException e) when (e.Status == 2)
        {
            return false;
        }
    }
}
