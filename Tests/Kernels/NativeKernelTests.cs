using MlNetRnn.Kernels;
using MlNetRnn.OnnxExport.Onnx;
using MlNetRnn.Training;

namespace MlNetRnn.Tests.Kernels;

/// <summary>
/// The native kernel against the reference kernel (the spec) on randomized configurations, on every code path this CPU
/// runs (InstructionSets: avx512, avx2, scalar).
/// </summary>
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
        // Full lengths in order: X read in place at a stride of the thread count (12 rows on 3 threads), or gathered
        // where the rows do not divide (5 rows on 2 threads).
        data.Add("lstm forward threads=3 seed=106 batch=12 full");
        data.Add("gru-lbr0 forward threads=2 seed=107 batch=5 full");
        // The fused gate rows (Native/src/gate_rows.hpp) over a hidden size that is no multiple of a vector: pairs of
        // vectors, single vectors and a partial one (37 = 32 + 5 on both paths).
        data.Add("gru-lbr1 bidirectional threads=2 seed=108 batch=6 steps=12 hidden=37");
        data.Add("lstm-peepholes bidirectional threads=2 seed=109 batch=6 steps=12 hidden=37");
        // Batch-1 inference with the hidden units cut among the threads (rnn_forward.cpp, forward_units): RandomCase
        // holds its outputs to the training forward's bits (one thread there). Unequal slices (37 units: 16 + 21),
        // three workers, more steps than one input projection's chunk (256), both directions.
        data.Add("gru-lbr1 bidirectional threads=2 seed=110 batch=1 steps=40 hidden=48");
        data.Add("lstm-peepholes reverse threads=3 seed=111 batch=1 steps=30 hidden=37");
        data.Add("lstm bidirectional threads=2 seed=112 batch=1 steps=300 hidden=40");
        data.Add("gru-lbr1 forward threads=3 seed=113 batch=1 steps=20 hidden=64 full");
        // One row on one thread (the ordinary path): LSTM with peepholes, and fewer units than a vector.
        data.Add("lstm-peepholes forward threads=1 seed=116 batch=1 steps=20 hidden=50");
        data.Add("gru-lbr1 reverse threads=1 seed=117 batch=1 steps=15 hidden=9");
        // One row on one thread multiplies R^T over paired panels on the avx512 path (packed_gemm.hpp), and over
        // single panels on avx2 (Avx2GivesTheAvx512Bits holds the two to the same bits): GRU lbr=0's z and r rows
        // (40 columns: a pair whose second panel is partial) and a tanh RNN over three panels (a last pair with no
        // second panel).
        data.Add("gru-lbr0 forward threads=1 seed=118 batch=1 steps=12 hidden=20");
        data.Add("rnn-tanh bidirectional threads=1 seed=119 batch=1 steps=9 hidden=70");
        // Short tiles of one or two rows over recurrent weights that stream from L2 (over 64 KiB packed: GRU(80) 75
        // KiB, LSTM(72) 81 KiB), which take one panel at a time (packed_gemm.cpp, run_tiles): one row per step, and
        // 8 + 2 rows.
        data.Add("gru-lbr1 bidirectional threads=1 seed=114 batch=1 steps=20 hidden=80");
        data.Add("lstm-peepholes bidirectional threads=1 seed=115 batch=10 steps=12 hidden=72");
        // Many chunks of steps (the input projection and weight gradients per chunk): chunks of one step, of several
        // steps, with the batch in order (no gather/scatter) and out of order.
        foreach (var cell in cells)
        {
            data.Add($"{cell} bidirectional threads=2 seed={index++} chunk=3");
            data.Add($"{cell} forward threads=1 seed={index++} chunk=7 batch=3 steps=9 full");
            data.Add($"{cell} reverse threads=2 seed={index++} chunk=5 batch=4 steps=8");
            // Larger shapes at the automatic chunk size (LSTM: two chunks per worker).
            data.Add($"{cell} bidirectional threads=2 seed={index++} batch=32 steps=64 input=32 hidden=40");
            // A cell clip (0.9) that saturates some pre-activations of every gate: backward zeroes their gradients.
            data.Add($"{cell} bidirectional threads=2 seed={index++} clip");
            data.Add($"{cell} reverse threads=1 seed={index++} clip chunk=4 batch=6 steps=7");
            // Ragged lengths dealt to 2 or 3 workers (uneven shares: 70 rows on 2, 100 on 3), many chunks per
            // worker, each with its own chunk bounds: each worker's state must follow it from chunk to chunk, and
            // its rows of X and dX be gathered and scattered at their (t, b).
            data.Add($"{cell} bidirectional threads=2 seed={index++} batch=70 steps=10 chunk=40");
            data.Add($"{cell} reverse threads=3 seed={index++} batch=100 steps=5 chunk=90 hidden=9");
        }
        return data;
    }

    /// <summary>
    /// Every call on one thread count gives the same bits: the workers' rows, chunks and shares of the weight
    /// gradients depend only on the shapes and the thread count, and the shares are added in worker order.
    /// </summary>
    [Theory]
    [InlineData("lstm-peepholes bidirectional threads=2 seed=900 batch=70 steps=10 chunk=40")]
    [InlineData("gru-lbr1 forward threads=3 seed=901 batch=100 steps=12 chunk=90 input=40 hidden=48")]
    [InlineData("gru-lbr0 bidirectional threads=2 seed=902 batch=64 steps=30 input=32 hidden=40")]
    public void NativeGivesTheSameBitsOnEveryCall(string configuration)
    {
        var c = RandomCase.Create(configuration);
        foreach (var path in InstructionSets.Supported)
        {
            using var native = InstructionSets.Kernel(path, c.Threads);
            native.ChunkRows = c.ChunkRows;
            var first = c.Run(native);
            for (var call = 0; call < 8; ++call)
            {
                var again = c.Run(native);
                foreach (var (name, e) in first.Outputs)
                    Assert.True(e.AsSpan().SequenceEqual(again.Outputs[name]), $"{configuration} ({path}): {name} differs on call {call + 2}");
                foreach (var (name, e) in first.Gradients)
                    Assert.True(e.AsSpan().SequenceEqual(again.Gradients[name]), $"{configuration} ({path}): {name} differs on call {call + 2}");
            }
        }
    }

    /// <summary>
    /// On every path, every value that belongs to one row (Y, Y_h, Y_c, dX, dh0, dc0) is summed in an order that does
    /// not depend on which worker holds the row, so 1, 2 and 3 threads give the same bits. The weight gradients (dW, dR, dB, dP) add one share per worker, so across thread counts they are other
    /// sums of the same terms: equal within the rounding tier the reference comparison allows, not in bits (on one
    /// thread count they repeat bit for bit, see NativeGivesTheSameBitsOnEveryCall).
    /// </summary>
    [Theory]
    [InlineData("gru-lbr1 bidirectional threads=1 seed=910 batch=70 steps=12 chunk=90 input=40 hidden=48")]
    [InlineData("gru-lbr0 reverse threads=1 seed=911 batch=64 steps=20 input=32 hidden=40")]
    [InlineData("lstm-peepholes bidirectional threads=1 seed=912 batch=50 steps=9 hidden=33 clip")]
    [InlineData("rnn-tanh forward threads=1 seed=913 batch=40 steps=30 full")]
    public void NativeGivesTheSameBitsOnEveryThreadCount(string configuration)
    {
        var c = RandomCase.Create(configuration);
        string[] summedOverRows = ["dW", "dR", "dB", "dP"];
        foreach (var path in InstructionSets.Supported)
        {
            RandomCase.Result? first = null;
            foreach (var threads in new[] { 1, 2, 3 })
            {
                using var native = InstructionSets.Kernel(path, threads);
                native.ChunkRows = c.ChunkRows;
                var result = c.Run(native);
                first ??= result;
                var what = $"{configuration} ({path})";
                foreach (var (name, e) in first.Outputs)
                    Assert.True(e.AsSpan().SequenceEqual(result.Outputs[name]), $"{what}: {name} differs on {threads} threads");
                foreach (var (name, e) in first.Gradients)
                {
                    if (summedOverRows.Contains(name))
                        Tolerance.Gradients.AssertClose(e, result.Gradients[name], $"{what}: {name} on {threads} threads");
                    else
                        Assert.True(e.AsSpan().SequenceEqual(result.Gradients[name]), $"{what}: {name} differs on {threads} threads");
                }
            }
        }
    }

    [Theory]
    [MemberData(nameof(Configurations))]
    public void NativeMatchesReference(string configuration)
    {
        var c = RandomCase.Create(configuration);
        c.AssertEveryPathMatches(c.Run(ReferenceKernel.Instance), configuration);
    }

    /// <summary>
    /// The avx2 path gives the avx512 path's bits for every output and gradient: the same element-wise code (both
    /// compiled for x86-64-v3), the same exp polynomial, and GEMMs that sum every element with one fused multiply-add
    /// per term in the same order (Native/src/packed_gemm.hpp). The scalar path, without fused multiply-adds, is held
    /// to the reference tolerances by NativeMatchesReference.
    /// </summary>
    [Theory]
    [MemberData(nameof(Configurations))]
    public void Avx2GivesTheAvx512Bits(string configuration)
    {
        if (!InstructionSets.Supported.Contains("avx512"))
            return;  // nothing to compare with on this CPU; NativeMatchesReference still runs the avx2 path
        var c = RandomCase.Create(configuration);
        RandomCase.Result Run(string path)
        {
            using var native = InstructionSets.Kernel(path, c.Threads);
            native.ChunkRows = c.ChunkRows;
            return c.Run(native);
        }
        var avx512 = Run("avx512");
        var avx2 = Run("avx2");
        foreach (var (name, e) in avx512.Outputs.Concat(avx512.Gradients))
        {
            var a = avx2.Outputs.TryGetValue(name, out var o) ? o : avx2.Gradients[name];
            var differs = Enumerable.Range(0, e.Length).FirstOrDefault(i => BitConverter.SingleToInt32Bits(e[i]) != BitConverter.SingleToInt32Bits(a[i]), -1);
            Assert.True(differs < 0, differs < 0 ? "" : $"{configuration}: {name}[{differs}] = {a[differs]:G9} on avx2, {e[differs]:G9} on avx512");
        }
    }

    [Theory]
    [MemberData(nameof(OnnxNodeTests.CaseNames), MemberType = typeof(OnnxNodeTests))]
    public void NativeKernelMatchesOnnx(string name)
    {
        foreach (var path in InstructionSets.Supported)
        {
            using var native = InstructionSets.Kernel(path, 2);
            OnnxNodeTests.AssertPassed(OnnxNodeTestRunner.Run(OnnxNodeTests.LoadCase(name), native));
        }
    }

    [Fact]
    public void GemmMatchesReferenceForEveryTransposeAndOddSizes()
    {
        var random = new SeededRandom(5);
        var kernels = InstructionSets.Supported.Select(path => InstructionSets.Kernel(path, 2)).ToArray();
        try
        {
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
                        ReferenceKernel.Instance.Gemm(ta, tb, m, n, k, 0.7f, a, lda, b, ldb, 0.3f, expected, ldc);
                        foreach (var native in kernels)
                        {
                            var actual = c0.ToArray();
                            native.Gemm(ta, tb, m, n, k, 0.7f, a, lda, b, ldb, 0.3f, actual, ldc);
                            Tolerance.Outputs.AssertClose(expected, actual, $"gemm m={m} n={n} k={k} ta={ta} tb={tb} ({native.InstructionSet})");
                        }
                    }
                }
            }
        }
        finally
        {
            foreach (var kernel in kernels)
                kernel.Dispose();
        }
    }

    /// <summary>
    /// Shapes on every parallel path of the kernel's own GEMM (B cut into panels the workers take; a narrow B with the
    /// rows of C cut; a transposed A wider than B with its columns, the rows of C, cut), on every code path and 1-3
    /// threads, every transpose, alpha and beta as BLAS reads them (beta 0 ignores C, even NaN), against the reference
    /// within the dot product's error bound; on each code path the same bits on every thread count, and the avx2 path
    /// the avx512 path's bits (both sum each element with one fused multiply-add per term, in the order of k).
    /// </summary>
    [Fact]
    public void GemmMatchesReferenceOnEveryParallelPathAndThreadCount()
    {
        var random = new SeededRandom(6);
        var kernels = InstructionSets.Supported.SelectMany(path => new[] { 1, 2, 3 }.Select(t => InstructionSets.Kernel(path, t))).ToArray();
        try
        {
            // (1, 300, 600) and (10, 300, 600): a short tile of one or two rows over panels that stream from L2 (75 KiB
            // each: packed_gemm.cpp, run_tiles), the last one partial.
            foreach (var (m, n, k) in new[] { (300, 200, 70), (1000, 20, 64), (64, 97, 700), (9, 40, 3000), (37, 300, 33), (1, 300, 600), (10, 300, 600) })
            {
                foreach (var ta in new[] { false, true })
                {
                    foreach (var tb in new[] { false, true })
                    {
                        foreach (var (alpha, beta) in new[] { (1f, 0f), (1f, 1f), (0.7f, 0.3f), (-2f, 1f) })
                        {
                            int lda = (ta ? m : k) + 3, ldb = (tb ? k : n) + 1, ldc = n + 5;
                            var a = Random(random, (ta ? k : m) * lda);
                            var b = Random(random, (tb ? n : k) * ldb);
                            var c0 = Random(random, m * ldc);
                            for (var i = 0; beta == 0f && i < m; i++)
                                c0.AsSpan(i * ldc, n).Fill(float.NaN);  // C's padding columns stay as they were
                            var expected = c0.ToArray();
                            ReferenceKernel.Instance.Gemm(ta, tb, m, n, k, alpha, a, lda, b, ldb, beta, expected, ldc);
                            // Float sums of k products cancel: bound each element by the dot product's forward error,
                            // (k + 4) u (|alpha| sum |a||b| + |beta c|), u = 2^-24 (Higham, Accuracy and Stability, 3.1).
                            var magnitude = new float[m * ldc];
                            ReferenceKernel.Instance.Gemm(ta, tb, m, n, k, Math.Abs(alpha), a.Select(Math.Abs).ToArray(), lda,
                                b.Select(Math.Abs).ToArray(), ldb, 0f, magnitude, ldc);
                            var bound = new double[m * ldc];
                            for (var at = 0; at < bound.Length; at++)
                                bound[at] = (k + 4) * Math.Pow(2, -24) * (magnitude[at] + (beta == 0f ? 0 : Math.Abs(beta * c0[at])));
                            var firstOfPath = new Dictionary<string, float[]>();
                            foreach (var kernel in kernels)
                            {
                                var actual = c0.ToArray();
                                kernel.Gemm(ta, tb, m, n, k, alpha, a, lda, b, ldb, beta, actual, ldc);
                                var what = $"gemm m={m} n={n} k={k} ta={ta} tb={tb} alpha={alpha} beta={beta} {kernel.InstructionSet} threads={kernel.Threads}";
                                for (var i = 0; i < m; i++)
                                {
                                    for (var j = 0; j < n; j++)
                                    {
                                        var at = i * ldc + j;
                                        if (!(Math.Abs(actual[at] - expected[at]) <= bound[at]))
                                            Assert.Fail($"{what}: C[{i}, {j}] = {actual[at]}, expected {expected[at]} within {bound[at]:E2}");
                                    }
                                }
                                if (!firstOfPath.TryAdd(kernel.InstructionSet, actual))
                                    Assert.True(firstOfPath[kernel.InstructionSet].AsSpan().SequenceEqual(actual), $"{what}: not the 1-thread bits");
                            }
                            if (firstOfPath.TryGetValue("avx512", out var avx512) && firstOfPath.TryGetValue("avx2", out var avx2))
                                Assert.True(avx512.AsSpan().SequenceEqual(avx2), $"gemm m={m} n={n} k={k} ta={ta} tb={tb} alpha={alpha} beta={beta}: avx2 differs from avx512");
                        }
                    }
                }
            }
        }
        finally
        {
            foreach (var kernel in kernels)
                kernel.Dispose();
        }
    }

    /// <summary>
    /// A sequence alone has the bits it has in a batch, on every code path and thread count: alone it is one row a
    /// step, whose product with R^T runs over paired panels on the vector paths (packed_gemm.hpp) or over the units
    /// path's slices on several threads, where in a batch it runs in the tiles of several rows over single panels.
    /// </summary>
    [Theory]
    [InlineData(RecurrentCell.Gru, true)]
    [InlineData(RecurrentCell.Gru, false)]
    [InlineData(RecurrentCell.Lstm, true)]
    [InlineData(RecurrentCell.Rnn, true)]
    public void ASequenceAloneHasItsBitsInABatch(RecurrentCell cell, bool linearBeforeReset)
    {
        const int T = 9, B = 3, I = 5, H = 70, row = 1;
        var d = new RecurrentDescriptor(cell, I, H, RecurrentDirection.Bidirectional, linearBeforeReset);
        var D = d.NumDirections;
        var random = new SeededRandom(41);
        var x = Random(random, T * B * I);
        var w = Random(random, d.WeightLength);
        var r = Random(random, d.RecurrenceLength);
        var bias = Random(random, d.BiasLength);
        var h0 = Random(random, D * B * H);
        int[] lengths = [9, 6, 8];
        var x1 = new float[T * I];
        for (var t = 0; t < T; t++)
            x.AsSpan((t * B + row) * I, I).CopyTo(x1.AsSpan(t * I, I));
        var h01 = new float[D * H];
        for (var k = 0; k < D; k++)
            h0.AsSpan((k * B + row) * H, H).CopyTo(h01.AsSpan(k * H, H));
        foreach (var path in InstructionSets.Supported)
        {
            foreach (var threads in new[] { 1, 2 })
            {
                using var native = InstructionSets.Kernel(path, threads);
                var y = new float[d.OutputLength(T, B)];
                var yh = new float[D * B * H];
                native.Forward(d, new RecurrentInputs
                {
                    SeqLength = T, Batch = B, X = x, W = w, R = r, B = bias, SequenceLengths = lengths, InitialH = h0,
                }, new RecurrentOutputs { Y = y, YH = yh }, Span<float>.Empty);
                var y1 = new float[d.OutputLength(T, 1)];
                var yh1 = new float[D * H];
                native.Forward(d, new RecurrentInputs
                {
                    SeqLength = T, Batch = 1, X = x1, W = w, R = r, B = bias, SequenceLengths = [lengths[row]], InitialH = h01,
                }, new RecurrentOutputs { Y = y1, YH = yh1 }, Span<float>.Empty);
                var what = $"{cell} lbr={linearBeforeReset} {path} threads={threads}";
                for (var k = 0; k < D; k++)
                {
                    for (var t = 0; t < T; t++)
                        AssertSameBits(y.AsSpan(((t * D + k) * B + row) * H, H), y1.AsSpan((t * D + k) * H, H), $"{what} Y[t={t}, d={k}]");
                    AssertSameBits(yh.AsSpan((k * B + row) * H, H), yh1.AsSpan(k * H, H), $"{what} Y_h[d={k}]");
                }
            }
        }
    }

    private static void AssertSameBits(ReadOnlySpan<float> inBatch, ReadOnlySpan<float> alone, string what)
    {
        for (var j = 0; j < inBatch.Length; j++)
            Assert.True(BitConverter.SingleToInt32Bits(inBatch[j]) == BitConverter.SingleToInt32Bits(alone[j]),
                $"{what}[{j}]: {alone[j]:G9} alone, {inBatch[j]:G9} in the batch");
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
    public void ForwardFromTableNamesWhatIsWrong()
    {
        using var native = new NativeKernel();
        var d = new RecurrentDescriptor(RecurrentCell.Gru, 3, 4);
        RecurrentInputs Inputs() => new() { SeqLength = 2, Batch = 1, R = new float[48] };
        var table = Assert.Throws<ArgumentException>(() =>
            native.ForwardFromTable(d, new float[5 * 12 - 1], 5, [0, 1], Inputs(), new RecurrentOutputs()));
        Assert.Equal("table", table.ParamName);
        Assert.Contains("[D=1, V=5, G*H=12] = 60 values, got 59", table.Message);
        var id = Assert.Throws<ArgumentOutOfRangeException>(() =>
            native.ForwardFromTable(d, new float[60], 5, [0, 5], Inputs(), new RecurrentOutputs()));
        Assert.Contains("step 1 of sequence 0 is outside the vocabulary [0, 5)", id.Message);
        var x = Assert.Throws<ArgumentException>(() => native.ForwardFromTable(d, new float[60], 5, [0, 1],
            new RecurrentInputs { SeqLength = 2, Batch = 1, X = new float[6], R = new float[48] }, new RecurrentOutputs()));
        Assert.Contains("reads no X and no W", x.Message);
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
