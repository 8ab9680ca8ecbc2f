using MlNetRnn.Kernels;
using Microsoft.ML.OnnxRuntime;

namespace MlNetRnn.Tests.Runtime;

/// <summary>
/// Ragged batches (sequence_lens) in ONNX Runtime against the <see cref="ReferenceKernel"/>, every cell and
/// direction, random weights and initial states. What ORT does, as observed with ORT 1.30's CPU provider:
/// <list type="bullet">
/// <item>Y is exactly zero at every t &gt;= len, in every direction;</item>
/// <item>Y_h (and Y_c) is the state after the last valid step: forward, the state after t = len - 1;
/// reverse, the state after t = 0, the reverse pass starting at t = len - 1 (not at T - 1);</item>
/// <item>a length of 0 is accepted and that sequence's Y is zero, but its Y_h and Y_c are ZERO, not the initial
/// states. The reference kernel returns the initial states there: the one divergence, pinned by
/// <see cref="ZeroLengthSequenceDivergesOnlyInFinalState"/>. It matters only when initial_h/initial_c are given.</item>
/// </list>
/// </summary>
public class SequenceLengthsTests
{
    // Both sides accumulate in a different order (ORT: float GEMMs; reference: double dot products).
    private const float Absolute = 2e-5f;
    private const float Relative = 2e-5f;

    private const int SeqLength = 5;
    private static readonly int[] RaggedLengths = [SeqLength, 1, SeqLength - 2];
    private static readonly int[] WithEmptySequence = [SeqLength, 0, 2];

    public static TheoryData<RecurrentCell, bool, RecurrentDirection> Layers()
    {
        var data = new TheoryData<RecurrentCell, bool, RecurrentDirection>();
        foreach (var direction in Enum.GetValues<RecurrentDirection>())
        {
            data.Add(RecurrentCell.Rnn, false, direction);
            data.Add(RecurrentCell.Gru, false, direction);
            data.Add(RecurrentCell.Gru, true, direction);
            data.Add(RecurrentCell.Lstm, false, direction);
        }
        return data;
    }

    [Theory]
    [MemberData(nameof(Layers))]
    public void RaggedBatchMatchesReferenceKernel(RecurrentCell cell, bool linearBeforeReset, RecurrentDirection direction) =>
        CompareWithReference(Case(cell, linearBeforeReset, direction, RaggedLengths, seed: 11));

    [Theory]
    [MemberData(nameof(Layers))]
    public void ZeroLengthSequenceDivergesOnlyInFinalState(RecurrentCell cell, bool linearBeforeReset, RecurrentDirection direction)
    {
        var c = Case(cell, linearBeforeReset, direction, WithEmptySequence, seed: 23);
        using var session = c.CreateSession();
        var actual = c.RunOnnxRuntime(session);
        var expected = c.RunReference();
        RuntimeTensors.AssertClose($"{c} Y", expected.Y, actual.Y, Absolute, Relative);
        var d = c.Descriptor;
        int B = c.Batch, H = d.HiddenSize;
        for (var dir = 0; dir < d.NumDirections; dir++)
        {
            for (var b = 0; b < B; b++)
            {
                var slice = new Range((dir * B + b) * H, (dir * B + b + 1) * H);
                if (c.Lengths[b] > 0)
                {
                    RuntimeTensors.AssertClose($"{c} Y_h dir {dir} b {b}", expected.YH[slice], actual.YH[slice], Absolute, Relative);
                    if (cell == RecurrentCell.Lstm)
                        RuntimeTensors.AssertClose($"{c} Y_c dir {dir} b {b}", expected.YC[slice], actual.YC[slice], Absolute, Relative);
                    continue;
                }
                // ORT: zero; reference kernel: the initial state.
                Assert.True(actual.YH[slice].All(v => v == 0f), $"{c}: ORT's Y_h of an empty sequence is no longer zero.");
                Assert.Equal(c.InitialH[slice], expected.YH[slice]);
                if (cell == RecurrentCell.Lstm)
                {
                    Assert.True(actual.YC[slice].All(v => v == 0f), $"{c}: ORT's Y_c of an empty sequence is no longer zero.");
                    Assert.Equal(c.InitialC[slice], expected.YC[slice]);
                }
            }
        }
    }

    [Theory]
    [InlineData(RecurrentCell.Gru, RecurrentDirection.Forward)]
    [InlineData(RecurrentCell.Gru, RecurrentDirection.Reverse)]
    [InlineData(RecurrentCell.Rnn, RecurrentDirection.Bidirectional)]
    [InlineData(RecurrentCell.Lstm, RecurrentDirection.Bidirectional)]
    public void OnnxRuntimeZeroesPaddingAndKeepsLastValidState(RecurrentCell cell, RecurrentDirection direction)
    {
        var c = Case(cell, linearBeforeReset: true, direction, RaggedLengths, seed: 5);
        using var session = c.CreateSession();
        var (y, yH, _) = c.RunOnnxRuntime(session);
        var d = c.Descriptor;
        int D = d.NumDirections, B = c.Batch, H = d.HiddenSize;
        for (var dir = 0; dir < D; dir++)
        {
            var reverse = direction == RecurrentDirection.Reverse || dir == 1;
            for (var b = 0; b < B; b++)
            {
                var length = c.Lengths[b];
                for (var t = length; t < SeqLength; t++)
                {
                    var step = y.AsSpan(((t * D + dir) * B + b) * H, H);
                    Assert.True(step.IndexOfAnyExcept(0f) < 0, $"{c}: Y at t={t} >= len={length} (dir {dir}, b {b}) is not zero.");
                }
                // The last valid step: t = len - 1 going forward, t = 0 going in reverse.
                var last = reverse ? 0 : length - 1;
                Assert.True(yH.AsSpan((dir * B + b) * H, H).SequenceEqual(y.AsSpan(((last * D + dir) * B + b) * H, H)),
                    $"{c}: Y_h (dir {dir}, b {b}) is not Y at t={last}.");
            }
        }
    }

    [Fact]
    public void OnnxRuntimeRejectsLengthsBeyondTheSequence()
    {
        var c = Case(RecurrentCell.Gru, linearBeforeReset: true, RecurrentDirection.Forward, [SeqLength + 1, 1, 2], seed: 3);
        using var session = c.CreateSession();
        var error = Assert.Throws<OnnxRuntimeException>(() => OrtTest.Run(session, c.Inputs()));
        Assert.Contains("[ErrorCode:InvalidArgument]", error.Message);
        Assert.Contains("sequence_lens", error.Message);
    }

    private static RecurrentCase Case(RecurrentCell cell, bool linearBeforeReset, RecurrentDirection direction, int[] lengths, int seed) =>
        new(new RecurrentDescriptor(cell, inputSize: 4, hiddenSize: 3, direction, linearBeforeReset), SeqLength, lengths, seed);

    private static void CompareWithReference(RecurrentCase c)
    {
        using var session = c.CreateSession();
        var actual = c.RunOnnxRuntime(session);
        var expected = c.RunReference();
        RuntimeTensors.AssertClose($"{c} Y", expected.Y, actual.Y, Absolute, Relative);
        RuntimeTensors.AssertClose($"{c} Y_h", expected.YH, actual.YH, Absolute, Relative);
        RuntimeTensors.AssertClose($"{c} Y_c", expected.YC, actual.YC, Absolute, Relative);
    }
}
