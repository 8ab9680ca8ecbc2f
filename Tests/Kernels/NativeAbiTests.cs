using System.Runtime.InteropServices;
using MlNetRnn.Kernels;

namespace MlNetRnn.Tests.Kernels;

/// <summary>
/// The C ABI's own checks (Native/src/api.cpp), called directly, past the managed binding's checks: sizes, strides,
/// flags, element counts that overflow int64, thread counts, and a thread the system refuses. Each fails with a status
/// and a message naming the argument, what it must be and what it was, and touches nothing.
/// </summary>
public sealed unsafe class NativeAbiTests
{
    private static string LastError() => Marshal.PtrToStringUTF8(NativeMethods.LastError()) ?? "";

    private static void AssertFails(int status, int expectedStatus, string expectedMessage)
    {
        var message = LastError();
        Assert.True(status == expectedStatus, $"status {status}, expected {expectedStatus}: {message}");
        Assert.Contains(expectedMessage, message);
    }

    private sealed record GemmCall(string What, int TransA, int TransB, int M, int N, int K, int Lda, long ALength,
        int Ldb, long BLength, int Ldc, long CLength, string Expected);

    /// <summary>mlnr_gemm calls on a 3x5 A, 5x7 B and 3x7 C with one thing wrong each.</summary>
    private static readonly GemmCall[] BadGemmCalls =
    [
        new("negative lda", 0, 0, 3, 7, 5, -4, 15, 7, 35, 7, 21, "lda must be >= max(1, 5) = 5 for a stored [3, 5], got -4"),
        new("lda below the columns", 0, 0, 3, 7, 5, 4, 15, 7, 35, 7, 21, "lda must be >= max(1, 5) = 5 for a stored [3, 5], got 4"),
        new("transposed lda", 1, 0, 3, 7, 5, 2, 15, 7, 35, 7, 21, "lda must be >= max(1, 3) = 3 for a stored [5, 3], got 2"),
        new("ldb past B", 0, 0, 3, 7, 5, 5, 15, 100, 35, 7, 21, "b stored [5, 7] at ldb = 100 spans 407 floats, but b_length is 35"),
        new("transposed ldb past B", 0, 1, 3, 7, 5, 5, 15, 6, 35, 7, 21, "b stored [7, 5] at ldb = 6 spans 41 floats, but b_length is 35"),
        new("ldc", 0, 0, 3, 7, 5, 5, 15, 7, 35, 6, 21, "ldc must be >= max(1, 7) = 7 for c stored [3, 7], got 6"),
        new("C too short", 0, 0, 3, 7, 5, 5, 15, 7, 35, 7, 20, "c stored [3, 7] at ldc = 7 spans 21 floats, but c_length is 20"),
        new("A too short", 0, 0, 3, 7, 5, 5, 14, 7, 35, 7, 21, "a stored [3, 5] at lda = 5 spans 15 floats, but a_length is 14"),
        new("negative length", 0, 0, 3, 7, 5, 5, -1, 7, 35, 7, 21, "a_length must be >= 0, got -1"),
        new("trans_a 2", 2, 0, 3, 7, 5, 5, 15, 7, 35, 7, 21, "trans_a must be 0 or 1, got 2"),
        new("negative m", 0, 0, -1, 7, 5, 5, 15, 7, 35, 7, 21, "m must be >= 0, got -1"),
        new("negative k", 0, 0, 3, 7, -5, 5, 15, 7, 35, 7, 21, "k must be >= 0, got -5"),
        new("lda 0 with k 0", 0, 0, 3, 7, 0, 0, 0, 7, 0, 7, 21, "lda must be >= max(1, 0) = 1 for a stored [3, 0], got 0"),
    ];

    public static TheoryData<string> BadGemms() => new(BadGemmCalls.Select(g => g.What));

    [Theory]
    [MemberData(nameof(BadGemms))]
    public void GemmChecksEveryLeadingDimensionAndExtent(string what)
    {
        var g = BadGemmCalls.Single(c => c.What == what);
        using var context = NativeContextHandle.Create(1);
        var a = new float[64];
        var b = new float[512];
        var c = Enumerable.Repeat(3f, 64).ToArray();
        fixed (float* pa = a, pb = b, pc = c)
        {
            var status = NativeMethods.Gemm(context, g.TransA, g.TransB, g.M, g.N, g.K, 1f, pa, g.Lda, g.ALength, pb, g.Ldb,
                g.BLength, 0f, pc, g.Ldc, g.CLength);
            AssertFails(status, 1, "mlnr_gemm: " + g.Expected);
        }
        Assert.True(c.All(v => v == 3f), $"{what}: C was written");
    }

    [Fact]
    public void GemmWithinItsBuffersRuns()
    {
        using var context = NativeContextHandle.Create(1);
        var a = Enumerable.Range(0, 15).Select(i => (float)i).ToArray();
        var b = Enumerable.Repeat(1f, 35).ToArray();
        var c = new float[21];
        fixed (float* pa = a, pb = b, pc = c)
            Assert.Equal(0, NativeMethods.Gemm(context, 0, 0, 3, 7, 5, 1f, pa, 5, 15, pb, 7, 35, 0f, pc, 7, 21));
        Assert.Equal(10f, c[0]);  // 0 + 1 + 2 + 3 + 4
        // No terms: A and B are not read (NULL is fine), C = beta C.
        fixed (float* pc = c)
            Assert.Equal(0, NativeMethods.Gemm(context, 0, 0, 3, 7, 0, 1f, null, 1, 0, null, 7, 0, 0.5f, pc, 7, 21));
        Assert.Equal(5f, c[0]);
    }

    private static NativeMethods.RnnDesc Desc(RecurrentCell cell, int input, int hidden) => new()
    {
        Cell = (int)cell, InputSize = input, HiddenSize = hidden,
        Activation0 = new NativeMethods.ActivationDesc { Kind = (int)ActivationKind.Sigmoid },
        Activation1 = new NativeMethods.ActivationDesc { Kind = (int)ActivationKind.Tanh },
        Activation2 = new NativeMethods.ActivationDesc { Kind = (int)ActivationKind.Tanh },
    };

    [Fact]
    public void SizesThatOverflowAreErrorsNotWrappedNumbers()
    {
        // A GRU reserve row of 1 + 1 + 1 + 2 = 5 floats (H = 1): D T B 5 = 5 (2^31 - 1)^2 > 2^63, though X and Y fit.
        var gru = Desc(RecurrentCell.Gru, 1, 1);
        gru.LinearBeforeReset = 1;
        AssertFails(NativeMethods.RnnReserveSize(gru, int.MaxValue, int.MaxValue, out _), 1,
            "mlnr_rnn_reserve_size: the reserve's size, D * T * B * 5 floats for D = 1, T = 2147483647, B = 2147483647, overflows int64");
        Assert.Equal(0, NativeMethods.RnnReserveSize(gru, 1000, 1000, out var floats));
        Assert.Equal(5_000_000, floats);
        // X [T, B, I] = (2^31 - 1)^3 > 2^63.
        AssertFails(NativeMethods.RnnReserveSize(Desc(RecurrentCell.Rnn, int.MaxValue, 1), int.MaxValue, int.MaxValue, out _), 1,
            "the element count of X [T, B, I], 2147483647 * 2147483647 * 2147483647, overflows int64");
        // An LSTM's bias row, 2 * 4 * 2^28 floats, does not fit in the int the kernel holds it in.
        AssertFails(NativeMethods.RnnReserveSize(Desc(RecurrentCell.Lstm, 3, 1 << 28), 1, 1, out _), 1,
            "desc->hidden_size = 268435456 is too large: a bias row (2*G*H = 2147483648)");
        // The calls check the same before reading anything (the pointers here point at nothing of those sizes).
        using var context = NativeContextHandle.Create(1);
        var one = new float[1];
        fixed (float* p = one)
        {
            var status = NativeMethods.RnnForward(context, gru, int.MaxValue, int.MaxValue, p, p, p, null, null, null, null, null, p, null, null, null);
            AssertFails(status, 1, "mlnr_rnn_forward: the reserve's size");
            AssertFails(NativeMethods.RnnForward(context, gru, -1, 1, p, p, p, null, null, null, null, null, p, null, null, null), 1, "seq_length must be >= 0, got -1");
        }
    }

    [Fact]
    public void EveryExportRejectsBadCountsAndFlags()
    {
        using var context = NativeContextHandle.Create(1);
        var values = new float[8];
        var ids = new int[4];
        fixed (float* p = values)
        fixed (int* pi = ids)
        {
            AssertFails(NativeMethods.ContextSetChunkRows(context, -1), 1, "chunk rows must be 0 (automatic) or positive, got -1");
            AssertFails(NativeMethods.SgdUpdate(context, 8, 0.1f, 0.9f, 2, p, p, p), 1, "nesterov must be 0 or 1, got 2");
            AssertFails(NativeMethods.SgdUpdate(context, -8, 0.1f, 0f, 0, p, p, null), 1, "count must be >= 0, got -8");
            var step = new NativeMethods.AdamStepDesc { Beta1 = 0.9f, Beta2 = 0.999f, Epsilon = 1e-8f, StepSize = 1e-3f, Correction2 = 1f, Decay = 1f };
            AssertFails(NativeMethods.AdamUpdate(context, -1, step, p, p, p, p), 1, "count must be >= 0, got -1");
            AssertFails(NativeMethods.EmbeddingForward(context, p, 0, 2, pi, null, 2, 2, p), 1, "vocabulary must be >= 1, got 0");
            AssertFails(NativeMethods.EmbeddingForward(context, p, 4, 2, pi, null, -2, 2, p), 1, "seq_length must be >= 0, got -2");
            AssertFails(NativeMethods.ActivationApply(context, new NativeMethods.ActivationDesc { Kind = 1 }, p, -3), 1, "n must be >= 0, got -3");
            // The forward from a projection table checks every id it will read (before reading the table) and its sizes.
            var gru = Desc(RecurrentCell.Gru, 2, 2);
            ids[3] = 9;
            AssertFails(NativeMethods.RnnForwardTable(context, gru, 2, 2, p, 4, pi, p, null, null, null, null, null, p, null, null), 1,
                "mlnr_rnn_forward_table: token id 9 at step 1 of sequence 1 is outside the vocabulary [0, 4)");
            AssertFails(NativeMethods.RnnForwardTable(context, gru, 2, 2, p, 0, pi, p, null, null, null, null, null, p, null, null), 1,
                "vocabulary must be >= 1, got 0");
            AssertFails(NativeMethods.RnnForwardTable(context, gru, 2, 2, null, 4, pi, p, null, null, null, null, null, p, null, null), 1,
                "the table and the ids must not be NULL");
            AssertFails(NativeMethods.ContextSetIsa(context, "avx1024"), 2, "unknown instruction set 'avx1024'");
        }
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-3)]
    [InlineData(257)]
    public void ThreadCountsOutsideTheCapAreRejected(int threads)
    {
        AssertFails(NativeMethods.ContextCreate(threads, out var context), 1, $"num_threads must be in [1, 256] (MLNR_MAX_THREADS), got {threads}");
        Assert.Equal(0, context);
        var error = Assert.Throws<ArgumentException>(() => new NativeKernel(threads));
        Assert.Equal("threads", error.ParamName);
        Assert.Contains($"must be in [1, 256], got {threads}", error.Message);
    }

    /// <summary>
    /// A context asks for more threads than the system gives: RLIMIT_NPROC (ulimit -u) a few threads above what the
    /// user runs, in a child process (Python through ctypes) that drops to user nobody where it runs as root (root is
    /// exempt from the limit). Creation fails with MLNR_ERROR_RESOURCE and the reason, having joined the workers it
    /// started; the process carries on (a 1-thread context works) and exits normally: no abort, no deadlock.
    /// </summary>
    [Fact]
    public void ThreadTheSystemRefusesIsAnErrorNotACrash()
    {
        const string script = """
            import ctypes, os, resource, sys
            if os.getuid() == 0:
                os.setgroups([])
                os.setgid(65534)
                os.setuid(65534)
            uid = os.getuid()
            def tasks_of(uid):
                count = 0
                for pid in filter(str.isdigit, os.listdir("/proc")):
                    try:
                        with open(f"/proc/{pid}/status") as status:
                            real = next(l for l in status if l.startswith("Uid:")).split()[1]
                        if int(real) == uid:
                            count += len(os.listdir(f"/proc/{pid}/task"))
                    except (OSError, StopIteration):
                        pass
                return count
            soft, hard = resource.getrlimit(resource.RLIMIT_NPROC)
            resource.setrlimit(resource.RLIMIT_NPROC, (tasks_of(uid) + 4, hard))
            lib = ctypes.CDLL(sys.argv[1])
            lib.mlnr_last_error.restype = ctypes.c_char_p
            context = ctypes.c_void_p()
            status = lib.mlnr_context_create(64, ctypes.byref(context))
            print(status, context.value is None, lib.mlnr_last_error().decode())
            print(lib.mlnr_context_create(1, ctypes.byref(context)))
            """;
        var (code, output) = ChildProcess.Python(script);
        Assert.True(code == 0, $"exit code {code}:\n{output}");
        var lines = output.Trim().Split('\n');
        Assert.True(lines.Length == 2, output);
        Assert.StartsWith("5 True mlnr_context_create: could not start worker thread ", lines[0]);
        Assert.Contains("of the 63 a context of 64 threads needs (Resource temporarily unavailable)", lines[0]);
        Assert.Equal("0", lines[1].Trim());
    }
}
