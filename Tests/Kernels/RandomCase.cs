using MlNetRnn.Kernels;
using MlNetRnn.Training;

namespace MlNetRnn.Tests.Kernels;

/// <summary>
/// A random recurrent-layer call with every optional input, ragged lengths (including a zero length) and random
/// upstream gradients, described by a configuration string; Run gives every output and every gradient of a kernel.
/// </summary>
internal sealed class RandomCase
{
    public required RecurrentDescriptor Descriptor { get; init; }
    public required int SeqLength { get; init; }
    public required int Batch { get; init; }
    public required int Threads { get; init; }
    public long ChunkRows { get; init; }
    public required float[] X, W, R, B, InitialH, InitialC, P, DY, DYH, DYC;
    public required int[] Lengths { get; init; }

    public static RandomCase Create(string configuration)
    {
        var words = configuration.Split(' ');
        string? Value(string key) => words.FirstOrDefault(w => w.StartsWith(key + "=", StringComparison.Ordinal))?[(key.Length + 1)..];
        bool Has(string w) => words.Contains(w);
        var random = new SeededRandom(ulong.Parse(Value("seed") ?? "1"));
        var cellWord = words[0];
        var cell = cellWord.StartsWith("rnn") ? RecurrentCell.Rnn : cellWord.StartsWith("gru") ? RecurrentCell.Gru : RecurrentCell.Lstm;
        var direction = words[1] switch { "reverse" => RecurrentDirection.Reverse, "bidirectional" => RecurrentDirection.Bidirectional, _ => RecurrentDirection.Forward };
        var D = direction == RecurrentDirection.Bidirectional ? 2 : 1;
        List<Activation>? activations = null;
        if (cellWord == "rnn-relu")
            activations = Enumerable.Repeat(Activation.Relu, D).ToList();
        if (Has("activations"))
        {
            activations = cell == RecurrentCell.Gru
                ? [Activation.WithDefaults(ActivationKind.HardSigmoid), new Activation(ActivationKind.ScaledTanh, 1.5f, 0.7f)]
                : [Activation.WithDefaults(ActivationKind.HardSigmoid), Activation.WithDefaults(ActivationKind.Softsign), new Activation(ActivationKind.LeakyRelu, 0.1f, 0f)];
            activations = Enumerable.Range(0, D).SelectMany(_ => activations).ToList();
        }
        var inputSize = int.Parse(Value("input") ?? "5");
        var d = new RecurrentDescriptor(cell, inputSize, hiddenSize: int.Parse(Value("hidden") ?? "7"), direction,
            linearBeforeReset: cellWord != "gru-lbr0", inputForget: cellWord == "lstm-input-forget",
            clip: Has("clip") ? 0.9f : 0f, activations: activations);
        var T = int.Parse(Value("steps") ?? "6");
        var B = int.Parse(Value("batch") ?? "5");
        var lengths = Enumerable.Range(0, B).Select(b => Has("full") || b == 0 ? T : b == 1 && B > 2 ? 0 : 1 + random.Next(T)).ToArray();
        float[] Rand(int n, float scale = 1f) => Enumerable.Range(0, n).Select(_ => random.Uniform(-scale, scale)).ToArray();
        var bare = Has("bare");
        var lstm = cell == RecurrentCell.Lstm;
        return new RandomCase
        {
            Descriptor = d,
            SeqLength = T,
            Batch = B,
            Threads = int.Parse(Value("threads") ?? "1"),
            ChunkRows = long.Parse(Value("chunk") ?? "0"),
            Lengths = bare ? [] : lengths,
            X = Rand(T * B * inputSize),
            // Larger layers get proportionally smaller weights (same scale as the default 5 -> 7 case), so long
            // sequences stay contractive and float rounding is not amplified into a chaotic trajectory.
            W = Rand(d.WeightLength, 0.6f * MathF.Min(1f, MathF.Sqrt(5f / inputSize))),
            R = Rand(d.RecurrenceLength, 0.6f * MathF.Min(1f, MathF.Sqrt(7f / d.HiddenSize))),
            B = bare ? [] : Rand(d.BiasLength, 0.3f),
            InitialH = bare ? [] : Rand(d.StateLength(B), 0.5f),
            InitialC = lstm && !bare ? Rand(d.StateLength(B), 0.5f) : [],
            P = cellWord == "lstm-peepholes" || (lstm && Has("activations")) ? Rand(d.PeepholeLength, 0.5f) : [],
            DY = Rand(d.OutputLength(T, B)),
            DYH = bare ? [] : Rand(d.StateLength(B)),
            DYC = lstm && !bare ? Rand(d.StateLength(B)) : [],
        };
    }

    public sealed record Result(Dictionary<string, float[]> Outputs, Dictionary<string, float[]> Gradients);

    public Result Run(ISequenceKernel kernel)
    {
        var d = Descriptor;
        var lstm = d.Cell == RecurrentCell.Lstm;
        var inputs = new RecurrentInputs
        {
            SeqLength = SeqLength, Batch = Batch, X = X, W = W, R = R, B = B, SequenceLengths = Lengths,
            InitialH = InitialH, InitialC = InitialC, P = P,
        };
        // The outputs start as NaN: a kernel writes every element, the steps past a sequence's end included (zeros),
        // so a caller may reuse its buffers from batch to batch.
        float[] Garbage(int n) => Enumerable.Repeat(float.NaN, n).ToArray();
        var y = Garbage(d.OutputLength(SeqLength, Batch));
        var yh = Garbage(d.StateLength(Batch));
        var yc = lstm ? Garbage(d.StateLength(Batch)) : [];
        var reserve = new float[kernel.ReserveSize(d, SeqLength, Batch)];
        kernel.Forward(d, inputs, new RecurrentOutputs { Y = y, YH = yh, YC = yc }, reserve);
        // Inference mode must give the same outputs.
        var y2 = Garbage(y.Length);
        var yh2 = Garbage(yh.Length);
        kernel.Forward(d, inputs, new RecurrentOutputs { Y = y2, YH = yh2 }, Span<float>.Empty);
        Assert.Equal(y, y2);
        Assert.Equal(yh, yh2);
        if (kernel is NativeKernel native)
            AssertTableForwardMatches(native, y2, yh2, yc);

        // Gradients accumulate: start from a non-zero value to check +=.
        float[] Start(int n) => Enumerable.Repeat(0.25f, n).ToArray();
        var dx = Start(X.Length);
        var dw = Start(W.Length);
        var dr = Start(R.Length);
        var db = Start(d.BiasLength);
        var dp = P.Length > 0 ? Start(P.Length) : [];
        var dh0 = Start(d.StateLength(Batch));
        var dc0 = lstm ? Start(d.StateLength(Batch)) : [];
        kernel.Backward(d, inputs, reserve, new RecurrentOutputGradients { DY = DY, DYH = DYH, DYC = DYC },
            new RecurrentGradients { DX = dx, DW = dw, DR = dr, DB = db, DP = dp, DInitialH = dh0, DInitialC = dc0 });
        var outputs = new Dictionary<string, float[]> { ["Y"] = y, ["Y_h"] = yh };
        if (lstm)
            outputs["Y_c"] = yc;
        var gradients = new Dictionary<string, float[]> { ["dX"] = dx, ["dW"] = dw, ["dR"] = dr, ["dB"] = db, ["dh0"] = dh0 };
        if (lstm)
            gradients["dc0"] = dc0;
        if (dp.Length > 0)
            gradients["dP"] = dp;
        return new Result(outputs, gradients);
    }

    /// <summary>
    /// Inference from a projection table (NativeKernel.ForwardFromTable) gives the bits of the forward on X: each step
    /// of X is its own token (vocabulary T*B, token t*B + b), the table X W^T from the kernel's own GEMM; the ids of
    /// steps past a sequence's end are outside the vocabulary, since the kernel must not read them.
    /// </summary>
    private void AssertTableForwardMatches(NativeKernel native, float[] y, float[] yh, float[] yc)
    {
        var d = Descriptor;
        int V = SeqLength * Batch, I = d.InputSize, GH = d.GateCount * d.HiddenSize;
        if (V == 0)
            return;
        var table = new float[d.NumDirections * V * GH];
        for (var dir = 0; dir < d.NumDirections; dir++)
            native.Gemm(false, true, V, GH, I, 1f, X, I, W.AsSpan(dir * GH * I, GH * I), I, 0f, table.AsSpan(dir * V * GH, V * GH), GH);
        var ids = new int[V];
        for (var t = 0; t < SeqLength; t++)
            for (var b = 0; b < Batch; b++)
                ids[t * Batch + b] = Lengths.Length == 0 || t < Lengths[b] ? t * Batch + b : -1 - t;
        var inputs = new RecurrentInputs
        {
            SeqLength = SeqLength, Batch = Batch, R = R, B = B, SequenceLengths = Lengths, InitialH = InitialH,
            InitialC = InitialC, P = P,
        };
        var y3 = Enumerable.Repeat(float.NaN, y.Length).ToArray();
        var yh3 = Enumerable.Repeat(float.NaN, yh.Length).ToArray();
        var yc3 = Enumerable.Repeat(float.NaN, yc.Length).ToArray();
        native.ForwardFromTable(d, table, V, ids, inputs, new RecurrentOutputs { Y = y3, YH = yh3, YC = yc3 });
        Assert.True(y.AsSpan().SequenceEqual(y3), $"{native.InstructionSet}: Y from the projection table differs from the forward's");
        Assert.True(yh.AsSpan().SequenceEqual(yh3), $"{native.InstructionSet}: Y_h from the projection table differs from the forward's");
        Assert.True(yc.AsSpan().SequenceEqual(yc3), $"{native.InstructionSet}: Y_c from the projection table differs from the forward's");
    }

    /// <summary>The native kernel on every code path the CPU runs (at this case's threads and chunk rows) against the
    /// reference's result, within the output and gradient tiers; a failure names the case, the path and the tensor.</summary>
    public void AssertEveryPathMatches(Result expected, string what)
    {
        foreach (var path in InstructionSets.Supported)
        {
            using var native = InstructionSets.Kernel(path, Threads);
            native.ChunkRows = ChunkRows;
            var actual = Run(native);
            foreach (var (name, e) in expected.Outputs)
                Tolerance.Outputs.AssertClose(e, actual.Outputs[name], $"{what} ({path}): {name}");
            foreach (var (name, e) in expected.Gradients)
                Tolerance.Gradients.AssertClose(e, actual.Gradients[name], $"{what} ({path}): {name}");
        }
    }
}
