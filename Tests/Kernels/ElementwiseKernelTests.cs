using MlNetRnn.Kernels;

namespace MlNetRnn.Tests.Kernels;

/// <summary>
/// The native embedding and optimizer updates against the reference kernel: equal bits on every code path and on 1, 2
/// and 3 threads (every element is computed by one thread, in the reference's order of operations, with no fused
/// multiply-add), for sizes below and above the point where the work is split, odd lengths for the vector tails,
/// ragged and empty sequences. (Denormal values, which the kernel flushes to zero, are DenormalTests' subject.)
/// </summary>
public class ElementwiseKernelTests
{
    public static TheoryData<int, int, int, int, int, string> EmbeddingCases()
    {
        var data = new TheoryData<int, int, int, int, int, string>();
        foreach (var path in InstructionSets.Supported)
        {
            // threads, vocabulary, size, steps, batch
            data.Add(1, 11, 7, 5, 3, path);
            data.Add(2, 11, 7, 5, 3, path);
            data.Add(2, 50, 64, 200, 16, path);   // 204,800 floats: split across the workers, rows hit many times
            data.Add(3, 997, 33, 61, 17, path);
            data.Add(2, 3, 1, 1, 1, path);
        }
        return data;
    }

    [Theory]
    [MemberData(nameof(EmbeddingCases))]
    public void EmbeddingMatchesTheReferenceBitForBit(int threads, int vocabulary, int size, int steps, int batch, string path)
    {
        var random = new Random(vocabulary * 31 + size);
        var table = RandomFloats(random, vocabulary * size);
        var ids = Enumerable.Range(0, steps * batch).Select(_ => random.Next(vocabulary)).ToArray();
        // Ragged, one empty sequence where there are several; ids past a sequence's end may be anything.
        var lengths = Enumerable.Range(0, batch).Select(b => b == 1 ? 0 : 1 + random.Next(steps)).ToArray();
        lengths[0] = steps;
        for (var b = 0; b < batch; b++)
            for (var t = lengths[b]; t < steps; t++)
                ids[t * batch + b] = -1;
        using var native = InstructionSets.Kernel(path, threads);

        var expected = RandomFloats(random, steps * batch * size);
        var actual = RandomFloats(random, steps * batch * size);   // forward overwrites every row, padded ones too
        ReferenceKernel.Instance.EmbeddingForward(table, vocabulary, size, ids, lengths, steps, batch, expected);
        native.EmbeddingForward(table, vocabulary, size, ids, lengths, steps, batch, actual);
        Assert.Equal(expected, actual);

        var doutput = RandomFloats(random, steps * batch * size);
        var dExpected = RandomFloats(random, vocabulary * size);
        var dActual = (float[])dExpected.Clone();                   // backward accumulates
        ReferenceKernel.Instance.EmbeddingBackward(dExpected, vocabulary, size, ids, lengths, steps, batch, doutput);
        native.EmbeddingBackward(dActual, vocabulary, size, ids, lengths, steps, batch, doutput);
        Assert.Equal(dExpected, dActual);
    }

    [Fact]
    public void EmbeddingRejectsAnIdOutsideTheVocabularyOnBothKernels()
    {
        using var native = new NativeKernel(2);
        foreach (ISequenceKernel kernel in new ISequenceKernel[] { ReferenceKernel.Instance, native })
        {
            var error = Assert.Throws<ArgumentOutOfRangeException>(() =>
                kernel.EmbeddingForward(new float[4 * 2], 4, 2, [0, 1, 4, 2], [2, 2], 2, 2, new float[8]));
            Assert.Contains("step 1 of sequence 0", error.Message);
            Assert.Contains("[0, 4)", error.Message);
            var lengths = Assert.Throws<ArgumentOutOfRangeException>(() =>
                kernel.EmbeddingBackward(new float[8], 4, 2, [0, 1, 2, 3], [2, 3], 2, 2, new float[8]));
            Assert.Contains("lengths[1]", lengths.Message);
            var rows = Assert.Throws<ArgumentException>(() =>
                kernel.EmbeddingForward(new float[8], 4, 2, [0, 1, 2, 3], [2, 2], 2, 2, new float[7]));
            Assert.Contains("[T=2, B=2, E=2] = 8", rows.Message);
        }
    }

    public static TheoryData<int, int, string> UpdateCases()
    {
        var data = new TheoryData<int, int, string>();
        foreach (var path in InstructionSets.Supported)
            foreach (var (threads, count) in new[] { (1, 0), (1, 1), (2, 17), (1, 100_003), (2, 100_003), (3, 262_147) })
                data.Add(threads, count, path);
        return data;
    }

    [Theory]
    [MemberData(nameof(UpdateCases))]
    public void AdamMatchesTheReferenceBitForBit(int threads, int count, string path)
    {
        var random = new Random(count + threads);
        using var native = InstructionSets.Kernel(path, threads);
        var w = RandomFloats(random, count);
        var m = new float[count];
        var v = new float[count];
        var (w2, m2, v2) = ((float[])w.Clone(), (float[])m.Clone(), (float[])v.Clone());
        for (var t = 1; t <= 3; t++)
        {
            var g = RandomFloats(random, count);
            var step = new AdamStep(0.9f, 0.999f, 1e-8f, StepSize: 1e-3f / (1 - MathF.Pow(0.9f, t)),
                Correction2: 1 / MathF.Sqrt(1 - MathF.Pow(0.999f, t)), Decay: t == 2 ? 0.999f : 1f);
            ReferenceKernel.Instance.AdamUpdate(step, w, g, m, v);
            native.AdamUpdate(step, w2, g, m2, v2);
        }
        Assert.Equal(w, w2);
        Assert.Equal(m, m2);
        Assert.Equal(v, v2);
    }

    [Theory]
    [MemberData(nameof(UpdateCases))]
    public void SgdMatchesTheReferenceBitForBit(int threads, int count, string path)
    {
        var random = new Random(count * 7 + threads);
        using var native = InstructionSets.Kernel(path, threads);
        foreach (var (momentum, nesterov) in new[] { (0f, false), (0.9f, false), (0.8f, true) })
        {
            var w = RandomFloats(random, count);
            var velocity = momentum == 0f ? [] : new float[count];
            var (w2, velocity2) = ((float[])w.Clone(), (float[])velocity.Clone());
            for (var t = 0; t < 3; t++)
            {
                var g = RandomFloats(random, count);
                ReferenceKernel.Instance.SgdUpdate(0.05f, momentum, nesterov, w, g, velocity);
                native.SgdUpdate(0.05f, momentum, nesterov, w2, g, velocity2);
            }
            Assert.Equal(w, w2);
            Assert.Equal(velocity, velocity2);
        }
    }

    [Fact]
    public void UpdatesRejectBuffersOfTheWrongLength()
    {
        using var native = new NativeKernel(1);
        foreach (ISequenceKernel kernel in new ISequenceKernel[] { ReferenceKernel.Instance, native })
        {
            var step = new AdamStep(0.9f, 0.999f, 1e-8f, 1e-3f, 1f, 1f);
            var adam = Assert.Throws<ArgumentException>(() => kernel.AdamUpdate(step, new float[4], new float[4], new float[3], new float[4]));
            Assert.Contains("m must be as long as the 4 values, got 3", adam.Message);
            var gradients = Assert.Throws<ArgumentException>(() => kernel.SgdUpdate(0.1f, 0f, false, new float[4], new float[5], []));
            Assert.Contains("gradients must be as long as the 4 values, got 5", gradients.Message);
            var velocity = Assert.Throws<ArgumentException>(() => kernel.SgdUpdate(0.1f, 0.9f, false, new float[4], new float[4], []));
            Assert.Contains("velocity must be as long as the 4 values, got 0", velocity.Message);
        }
    }

    private static float[] RandomFloats(Random random, int count) =>
        Enumerable.Range(0, count).Select(_ => (float)(random.NextDouble() * 2 - 1)).ToArray();
}
