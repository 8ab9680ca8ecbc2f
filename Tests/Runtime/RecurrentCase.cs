using Google.Protobuf;
using MlNetRnn.Kernels;
using Microsoft.ML.OnnxRuntime;

namespace MlNetRnn.Tests.Runtime;

/// <summary>
/// One recurrent layer with random, non-symmetric weights and states, run both by ONNX Runtime (a single-node
/// model, <see cref="TestModels.Recurrent"/>) and by the <see cref="ReferenceKernel"/>.
/// </summary>
internal sealed class RecurrentCase
{
    public RecurrentCase(RecurrentDescriptor descriptor, int seqLength, int[] lengths, int seed)
    {
        Descriptor = descriptor;
        SeqLength = seqLength;
        Lengths = lengths;
        var random = new Random(seed);
        float[] Uniform(int count, float scale) => Enumerable.Range(0, count).Select(_ => (float)(random.NextDouble() * 2 - 1) * scale).ToArray();
        var batch = lengths.Length;
        X = Uniform(descriptor.InputLength(seqLength, batch), 1f);
        W = Uniform(descriptor.WeightLength, 0.6f);
        R = Uniform(descriptor.RecurrenceLength, 0.6f);
        B = Uniform(descriptor.BiasLength, 0.3f);
        InitialH = Uniform(descriptor.StateLength(batch), 0.5f);
        InitialC = descriptor.Cell == RecurrentCell.Lstm ? Uniform(descriptor.StateLength(batch), 0.5f) : [];
        P = descriptor.Cell == RecurrentCell.Lstm ? Uniform(descriptor.PeepholeLength, 0.4f) : [];
    }

    public RecurrentDescriptor Descriptor { get; }

    public int SeqLength { get; }

    public int[] Lengths { get; }

    public int Batch => Lengths.Length;

    public float[] X { get; }

    public float[] W { get; }

    public float[] R { get; }

    public float[] B { get; }

    public float[] InitialH { get; }

    public float[] InitialC { get; }

    public float[] P { get; }

    public override string ToString() => $"{Descriptor} T={SeqLength} lengths=[{string.Join(", ", Lengths)}]";

    /// <summary>Y [T, D, B, H], Y_h [D, B, H], Y_c [D, B, H] (empty for RNN/GRU) from the reference kernel.</summary>
    public (float[] Y, float[] YH, float[] YC) RunReference()
    {
        var d = Descriptor;
        var y = new float[d.OutputLength(SeqLength, Batch)];
        var yH = new float[d.StateLength(Batch)];
        var yC = d.Cell == RecurrentCell.Lstm ? new float[d.StateLength(Batch)] : [];
        var inputs = new RecurrentInputs
        {
            SeqLength = SeqLength, Batch = Batch, X = X, W = W, R = R, B = B,
            SequenceLengths = Lengths, InitialH = InitialH, InitialC = InitialC, P = P,
        };
        ReferenceKernel.Instance.Forward(d, inputs, new RecurrentOutputs { Y = y, YH = yH, YC = yC }, Span<float>.Empty);
        return (y, yH, yC);
    }

    /// <summary>The same through ONNX Runtime.</summary>
    public (float[] Y, float[] YH, float[] YC) RunOnnxRuntime(InferenceSession session)
    {
        var outputs = OrtTest.Run(session, Inputs());
        var yC = Descriptor.Cell == RecurrentCell.Lstm ? outputs[2].Floats : [];
        return (outputs[0].Floats, outputs[1].Floats, yC);
    }

    public InferenceSession CreateSession() => OrtTest.Open(TestModels.Recurrent(Descriptor).ToByteArray());

    public RuntimeInput[] Inputs()
    {
        var d = Descriptor;
        int D = d.NumDirections, G = d.GateCount, H = d.HiddenSize, I = d.InputSize;
        var inputs = new List<RuntimeInput>
        {
            RuntimeInput.Floats("X", X, SeqLength, Batch, I),
            RuntimeInput.Floats("W", W, D, G * H, I),
            RuntimeInput.Floats("R", R, D, G * H, H),
            RuntimeInput.Floats("B", B, D, 2 * G * H),
            RuntimeInput.Int32s("sequence_lens", Lengths, Batch),
            RuntimeInput.Floats("initial_h", InitialH, D, Batch, H),
        };
        if (d.Cell == RecurrentCell.Lstm)
        {
            inputs.Add(RuntimeInput.Floats("initial_c", InitialC, D, Batch, H));
            inputs.Add(RuntimeInput.Floats("P", P, D, 3 * H));
        }
        return [.. inputs];
    }
}
