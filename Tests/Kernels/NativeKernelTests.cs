using MlNetRnn.Kernels;
using MlNetRnn.OnnxExport.Onnx;
using MlNetRnn.Training;

namespace MlNetRnn.Tests.Kernels;

/// <summary>The native kernel against the reference kernel (the spec) on randomized configurations.</summary>
public class NativeKernelTests
{
    public static TheoryData<string> Configurations()
    {
        var data = new TheoryData<string>();
        string[] cells = ["rnn-tanh", "rnn-relu", "gru-lbr0", "gru-lbr1", "lstm", "lstm-peepholes", "lstm-input-forget"];
        string[] directions = ["forward", "reverse", "bidirectional"];
        var index = 0;
        foreach (var cell in cells)
            foreach (var direction in directions)
                foreach (var threads in new[] { 1, 2 })
                    data.Add($"{cell} {direction} threads={threads} seed={index++}");
        data.Add("gru-lbr1 forward threads=2 seed=100 batch=1");
        data.Add("lstm bidirectional threads=2 seed=101 steps=1");
        data.Add("gru-lbr0 bidirectional threads=1 seed=102 activations");
        data.Add("lstm forward threads=2 seed=103 activations");
        data.Add("gru-lbr1 bidirectional threads=2 seed=104 full");
        data.Add("rnn-tanh forward threads=1 seed=105 bare");
        // Many chunks of steps (the input projection and weight gradients per chunk): chunks of one step, of several
        // steps, with the batch in order (no gather/scatter) and out of order.
        foreach (var cell in cells)
        {
            data.Add($"{cell} bidirectional threads=2 seed={index++} chunk=3");
            data.Add($"{cell} forward threads=1 seed={index++} chunk=7 batch=3 steps=9 full");
            data.Add($"{cell} reverse threads=2 seed={index++} chunk=5 batch=4 steps=8");
            // Large enough (over a million multiply-adds per weight-gradient GEMM, for every cell) that the workers
            // split the chunk's GEMMs.
            data.Add($"{cell} bidirectional threads=2 seed={index++} batch=32 steps=64 input=32 hidden=40");
            // A cell clip (0.9) that saturates some pre-activations of every gate: backward zeroes their gradients.
            data.Add($"{cell} bidirectional threads=2 seed={index++} clip");
            data.Add($"{cell} reverse threads=1 seed={index++} clip chunk=4 batch=6 steps=7");
            // More row groups than threads (2 threads, 70 rows: 4 groups of 17-18 rows; 3 threads, 100 rows: 6
            // groups), taken dynamically chunk by chunk, ragged lengths, many chunks: each group's state must follow
            // it from chunk to chunk whichever thread runs it.
            data.Add($"{cell} bidirectional threads=2 seed={index++} batch=70 steps=10 chunk=40");
            data.Add($"{cell} reverse threads=3 seed={index++} batch=100 steps=5 chunk=90 hidden=9");
        }
        return data;
    }

    /// <summary>
    /// Threads take row groups and GEMM pieces dynamically, so which thread runs what differs from call to call: the
    /// bits must not (every group's state, dP share included, lives with the group; the cuts depend on the shape).
    /// </summary>
    [Theory]
    [InlineData("lstm-peepholes bidirectional threads=2 seed=900 batch=70 steps=10 chunk=40")]
    [InlineData("gru-lbr1 forward threads=3 seed=901 batch=100 steps=12 chunk=90 input=40 hidden=48")]
    [InlineData("gru-lbr0 bidirectional threads=2 seed=902 batch=64 steps=30 input=32 hidden=40")]
    public void NativeGivesTheSameBitsOnEveryCall(string configuration)
    {
        var c = RandomCase.Create(configuration);
        using var native = new NativeKernel(c.Threads) { ChunkRows = c.ChunkRows };
        var first = c.Run(native);
        for (var call = 0; call < 8; ++call)
        {
            var again = c.Run(native);
            foreach (var (name, e) in first.Outputs)
                Assert.True(e.AsSpan().SequenceEqual(again.Outputs[name]), $"{configuration}: {name} differs on call {call + 2}");
            foreach (var (name, e) in first.Gradients)
                Assert.True(e.AsSpan().SequenceEqual(again.Gradients[name]), $"{configuration}: {name} differs on call {call + 2}");
        }
    }

    [Theory]
    [MemberData(nameof(Configurations))]
    public void NativeMatchesReference(string configuration)
    {
        var c = RandomCase.Create(configuration);
        using var native = new NativeKernel(c.Threads) { ChunkRows = c.ChunkRows };
        var expected = c.Run(ReferenceKernel.Instance);
        var actual = c.Run(native);
        foreach (var (name, e) in expected.Outputs)
            Tolerance.Outputs.AssertClose(e, actual.Outputs[name], $"{configuration}: {name}");
        foreach (var (name, e) in expected.Gradients)
            Tolerance.Gradients.AssertClose(e, actual.Gradients[name], $"{configuration}: {name}");
    }

    [Theory]
    [MemberData(nameof(OnnxNodeTests.CaseNames), MemberType = typeof(OnnxNodeTests))]
    public void NativeKernelMatchesOnnx(string name)
    {
        using var native = new NativeKernel(2);
        OnnxNodeTests.AssertPassed(OnnxNodeTestRunner.Run(OnnxNodeTests.LoadCase(name), native));
    }

    [Fact]
    public void GemmMatchesReferenceForEveryTransposeAndOddSizes()
    {
        using var native = new NativeKernel(2);
        var random = new SeededRandom(5);
        foreach (var (m, n, k) in new[] { (1, 1, 1), (3, 5, 7), (17, 9, 33), (130, 65, 70), (1, 300, 2), (200, 3, 1), (4, 4, 0) })
        {
            foreach (var ta in new[] { false, true })
            {
                foreach (var tb in new[] { false, true })
                {
                    int lda = (ta ? m : k) + 1, ldb = (tb ? k : n) + 2, ldc = n + 3;
                    var a = Random(random, (ta ? k : m) * lda);
                    var b = Random(random, (tb ? n : k) * ldb);
                    var c0 = Random(random, m * ldc);
                    var expected = c0.ToArray();
                    var actual = c0.ToArray();
                    ReferenceKernel.Instance.Gemm(ta, tb, m, n, k, 0.7f, a, lda, b, ldb, 0.3f, expected, ldc);
                    native.Gemm(ta, tb, m, n, k, 0.7f, a, lda, b, ldb, 0.3f, actual, ldc);
                    Tolerance.Outputs.AssertClose(expected, actual, $"gemm m={m} n={n} k={k} ta={ta} tb={tb}");
                }
            }
        }
    }

    [Fact]
    public void WrongTensorLengthNamesTheTensor()
    {
        using var native = new NativeKernel();
        var d = new RecurrentDescriptor(RecurrentCell.Gru, 3, 4);
        var error = Assert.Throws<ArgumentException>(() => native.Forward(d, new RecurrentInputs
        {
            SeqLength = 2, Batch = 1, X = new float[6], W = new float[35], R = new float[48],
        }, new RecurrentOutputs(), Span<float>.Empty));
        Assert.Equal("W", error.ParamName);
        Assert.Contains("must have 36 elements", error.Message);
    }

    [Fact]
    public void NegativeChunkRowsIsRejected()
    {
        using var native = new NativeKernel();
        var error = Assert.Throws<ArgumentOutOfRangeException>(() => native.ChunkRows = -1);
        Assert.Equal("ChunkRows", error.ParamName);
        Assert.Equal(0, native.ChunkRows);
    }

    private static float[] Random(SeededRandom random, int n) => Enumerable.Range(0, n).Select(_ => random.Uniform(-1f, 1f)).ToArray();
}
