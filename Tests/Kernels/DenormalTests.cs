using System.Runtime.CompilerServices;
using MlNetRnn.Kernels;

namespace MlNetRnn.Tests.Kernels;

/// <summary>
/// Denormals (Native/src/denormals.hpp): kernel code runs with FTZ and DAZ, on the calling thread for the duration of
/// a call and on the workers, so a value below 2^-126 = 1.2e-38 in magnitude is zero there, and no call takes the
/// CPU's slow path for denormal operands. The reference kernel (C#) keeps denormals. Against it the tolerance tiers
/// stay as they are: a flushed value moves a result by less than 1.2e-38 per flushed term, 33 orders of magnitude
/// below their absolute parts (1e-5 outputs, 5e-5 gradients). The caller's own floating point is untouched.
/// </summary>
public sealed class DenormalTests
{
    // 1e-30 * 1e-10 = 1e-40 is a denormal (FTZ would make it 0); twice it is 2e-40 only if DAZ does not read it as 0.
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static float Multiply(float a, float b) => a * b;

    private static void AssertThisThreadKeepsDenormals(string when)
    {
        var tiny = Multiply(1e-30f, 1e-10f);
        Assert.True(float.IsSubnormal(tiny), $"{when}: 1e-30f * 1e-10f = {tiny:R} on the calling thread, expected a denormal (FTZ set?)");
        Assert.True(Multiply(tiny, 2f) == BitConverter.Int32BitsToSingle(2 * BitConverter.SingleToInt32Bits(tiny)),
            $"{when}: 2 * {tiny:R} = {Multiply(tiny, 2f):R} on the calling thread (DAZ set?)");
    }

    [Fact]
    public void CallersFloatingPointStateIsUntouched()
    {
        AssertThisThreadKeepsDenormals("before any kernel call");
        foreach (var path in InstructionSets.Supported)
        {
            foreach (var threads in new[] { 1, 2 })
            {
                using var native = InstructionSets.Kernel(path, threads);
                RandomCase.Create($"gru-lbr1 bidirectional threads={threads} seed=950").Run(native);
                AssertThisThreadKeepsDenormals($"after forward and backward ({path}, {threads} threads)");
                var c = new float[64 * 64];
                native.Gemm(false, false, 64, 64, 64, 1f, new float[64 * 64], 64, new float[64 * 64], 64, 0f, c, 64);
                native.AdamUpdate(new AdamStep(0.9f, 0.999f, 1e-8f, 1e-3f, 1f, 1f), new float[100], new float[100], new float[100], new float[100]);
                native.Activate(Activation.Tanh, new float[100]);
                AssertThisThreadKeepsDenormals($"after gemm, adam and tanh ({path}, {threads} threads)");
                // A failed call leaves it as it was too.
                Assert.Throws<NativeKernelException>(() => native.Activate(new Activation((ActivationKind)99, 0f, 0f), new float[4]));
                AssertThisThreadKeepsDenormals($"after a failed call ({path}, {threads} threads)");
            }
        }
    }

    /// <summary>
    /// A tanh RNN over denormal inputs, with zero bias and initial state: the kernel reads the inputs as zero (DAZ), so
    /// every output is exactly tanh(0) = 0, where the reference gives denormals. Six sequences on three threads: every
    /// worker runs two of them (rows are dealt round-robin), so the workers flush too.
    /// </summary>
    [Fact]
    public void KernelFlushesDenormalsOnTheCallerAndTheWorkers()
    {
        var d = new RecurrentDescriptor(RecurrentCell.Rnn, 5, 7);
        const int steps = 3, batch = 6;
        var random = new Random(11);
        float[] Floats(int n, float scale) => Enumerable.Range(0, n).Select(_ => (float)(random.NextDouble() * 2 - 1) * scale).ToArray();
        var inputs = new RecurrentInputs { SeqLength = steps, Batch = batch, X = Floats(steps * batch * 5, 1e-39f), W = Floats(d.WeightLength, 0.5f), R = Floats(d.RecurrenceLength, 0.5f) };
        Assert.Contains(inputs.X.ToArray(), float.IsSubnormal);
        var expected = new float[d.OutputLength(steps, batch)];
        ReferenceKernel.Instance.Forward(d, inputs, new RecurrentOutputs { Y = expected }, Span<float>.Empty);
        Assert.Contains(expected, v => v != 0f);
        foreach (var path in InstructionSets.Supported)
        {
            foreach (var threads in new[] { 1, 3 })
            {
                using var native = InstructionSets.Kernel(path, threads);
                var y = Enumerable.Repeat(float.NaN, expected.Length).ToArray();
                native.Forward(d, inputs, new RecurrentOutputs { Y = y }, Span<float>.Empty);
                var nonzero = Array.FindIndex(y, v => v != 0f);
                Assert.True(nonzero < 0, $"{path}, {threads} threads: Y[{nonzero}] = {(nonzero < 0 ? 0 : y[nonzero]):R}, expected 0 (denormal inputs read as zero)");
                Tolerance.Outputs.AssertClose(expected, y, $"denormal inputs ({path}, {threads} threads)");
            }
        }
    }

    /// <summary>Layers whose inputs and upstream gradients are denormal (every gradient is then denormal or zero in the
    /// reference) match the reference within the usual tiers on every path.</summary>
    [Theory]
    [InlineData("gru-lbr1 bidirectional threads=2 seed=960")]
    [InlineData("gru-lbr0 reverse threads=1 seed=961")]
    [InlineData("lstm-peepholes forward threads=2 seed=962 clip")]
    [InlineData("rnn-tanh bidirectional threads=3 seed=963 batch=9")]
    public void DenormalInputsAndGradientsStayWithinTheReferenceTolerances(string configuration)
    {
        var c = RandomCase.Create(configuration);
        foreach (var tensor in new[] { c.X, c.DY, c.DYH, c.DYC })
            for (var i = 0; i < tensor.Length; i++)
                tensor[i] *= 1e-39f;
        c.AssertEveryPathMatches(c.Run(ReferenceKernel.Instance), configuration);
    }

    [Fact]
    public void UpdatesAndEmbeddingWithDenormalGradientsStayWithinTheReferenceTolerances()
    {
        var random = new Random(17);
        float[] Floats(int n, float scale) => Enumerable.Range(0, n).Select(_ => (float)(random.NextDouble() * 2 - 1) * scale).ToArray();
        const int count = 70_001;
        var w0 = Floats(count, 1f);
        var g = Floats(count, 1e-39f);
        foreach (var path in InstructionSets.Supported)
        {
            using var native = InstructionSets.Kernel(path, 2);
            var (w, m, v) = ((float[])w0.Clone(), new float[count], new float[count]);
            var (w2, m2, v2) = ((float[])w0.Clone(), new float[count], new float[count]);
            var step = new AdamStep(0.9f, 0.999f, 1e-8f, 1e-3f / 0.1f, 1f / MathF.Sqrt(0.001f), 1f);
            ReferenceKernel.Instance.AdamUpdate(step, w, g, m, v);
            native.AdamUpdate(step, w2, g, m2, v2);
            Tolerance.Outputs.AssertClose(w, w2, $"adam w ({path})");
            Tolerance.Outputs.AssertClose(m, m2, $"adam m ({path})");
            var (s, s2) = ((float[])w0.Clone(), (float[])w0.Clone());
            var (velocity, velocity2) = (new float[count], new float[count]);
            ReferenceKernel.Instance.SgdUpdate(0.1f, 0.9f, true, s, g, velocity);
            native.SgdUpdate(0.1f, 0.9f, true, s2, g, velocity2);
            Tolerance.Outputs.AssertClose(s, s2, $"sgd w ({path})");
            Tolerance.Outputs.AssertClose(velocity, velocity2, $"sgd velocity ({path})");
            const int vocabulary = 40, size = 16, steps = 30, batch = 8;
            var ids = Enumerable.Range(0, steps * batch).Select(_ => random.Next(vocabulary)).ToArray();
            var lengths = Enumerable.Repeat(steps, batch).ToArray();
            var dout = Floats(steps * batch * size, 1e-39f);
            var (dtable, dtable2) = (Floats(vocabulary * size, 1e-38f), new float[vocabulary * size]);
            dtable.CopyTo(dtable2, 0);
            ReferenceKernel.Instance.EmbeddingBackward(dtable, vocabulary, size, ids, lengths, steps, batch, dout);
            native.EmbeddingBackward(dtable2, vocabulary, size, ids, lengths, steps, batch, dout);
            Tolerance.Outputs.AssertClose(dtable, dtable2, $"embedding backward ({path})");
        }
    }
}
