using MlNetRnn.Kernels;
using MlNetRnn.Network;
using MlNetRnn.Tests.Export;
using MlNetRnn.Tests.Import;
using MlNetRnn.Tests.Kernels;
using MlNetRnn.Training;

namespace MlNetRnn.Tests.Streaming;

/// <summary>
/// A sequence fed to a <see cref="SequenceStream"/> in pieces gives what one forward over the whole sequence (the
/// network's batch path, the oracle) gives: per-step outputs row for row, and for sequence models the prediction after
/// every piece equal to a forward over the prefix fed so far. Bit for bit on the reference kernel and on AVX-512
/// machines (every GEMM element is one sum in a fixed order, whatever the rows beside it); within 1e-5 elsewhere.
/// </summary>
public class SequenceStreamTests
{
    private static readonly Tolerance Streamed = new("streamed outputs", 1e-5, 0);

    private static readonly string[] Cells = ["rnn", "rnn-relu", "gru", "gru-lbr0", "lstm"];

    /// <summary>Every head and read-out a forward-only model has.</summary>
    private static readonly string[] Kinds =
        ["binary {0} tokens last", "multiclass {0} tokens max", "regression {0} dense mean", "regression {0} dense last",
         "tagging {0} tokens", "regression-steps {0} dense", "lm {0} text"];

    public static TheoryData<string, string> Configurations()
    {
        var data = new TheoryData<string, string>();
        foreach (var cell in Cells)
            foreach (var kind in Kinds)
                foreach (var layers in new[] { "", " 2layers" })
                    data.Add(string.Format(kind, cell) + layers, cell == "lstm" || layers == "" ? "native" : "reference");
        foreach (var kind in Kinds)
            data.Add(string.Format(kind, "lstm") + " 2layers peepholes", "native");
        return data;
    }

    [Theory]
    [MemberData(nameof(Configurations))]
    public void PiecesGiveTheWholeSequencesOutputs(string configuration, string kernelName)
    {
        var kind = kernelName == "native" ? KernelKind.Native : KernelKind.Reference;
        using var model = RandomModels.Create(configuration, kind, seed: configuration.Length);
        model.UseKernel(kind, 1);
        var random = new SeededRandom((ulong)configuration.GetHashCode(StringComparison.Ordinal) & 0xFFFF);
        const int T = 13;
        var whole = RandomModels.Batch(model.Spec, batch: 1, steps: T, seed: 7);
        var cuts = Cuts(T, random);

        using var stream = model.CreateStream();
        var K = model.Spec.OutputSize;
        var perStep = new List<float>();
        var fed = 0;
        foreach (var piece in cuts)
        {
            var output = Feed(stream, model.Spec, whole, fed, piece);
            fed += piece;
            Assert.Equal([piece], output.Steps);
            if (model.Spec.PerStep)
            {
                perStep.AddRange(output.Outputs());
            }
            else if (fed > 0)
            {
                // After every piece: the prediction for the prefix fed so far.
                var prefix = Oracle(model, Prefix(model.Spec, whole, fed));
                Check(prefix, output.Outputs(), kind, $"{configuration} after {fed} of {T} steps (pieces {string.Join(", ", cuts)})");
            }
        }
        Assert.Equal([(long)T], stream.Steps);
        if (model.Spec.PerStep)
            Check(Oracle(model, whole), perStep.ToArray(), kind, $"{configuration}, per step (pieces {string.Join(", ", cuts)})");
        Assert.Equal(T * (model.Spec.PerStep ? K : 0), perStep.Count);
    }

    [Theory]
    [InlineData("multiclass gru tokens mean 2layers")]
    [InlineData("tagging lstm tokens")]
    [InlineData("regression-steps rnn dense 2layers")]
    [InlineData("binary lstm dense max")]
    public void RaggedBatchesStreamEachSequenceOnItsOwn(string configuration)
    {
        using var model = RandomModels.Create(configuration, KernelKind.Native);
        model.UseKernel(KernelKind.Native, 2);
        var random = new SeededRandom(3);
        int[] lengths = [9, 4, 11];
        var sequences = lengths.Select((t, b) => RandomModels.Batch(model.Spec, 1, t, seed: 20 + b)).ToArray();
        using var stream = model.CreateStream(batch: 3);
        var fed = new int[3];
        var perStep = lengths.Select(_ => new List<float>()).ToArray();
        StreamOutput? output = null;
        while (fed.Zip(lengths).Any(p => p.First < p.Second))
        {
            // Each call feeds each stream 0..3 more steps.
            var pieces = Enumerable.Range(0, 3).Select(b => Math.Min(random.Next(4), lengths[b] - fed[b])).ToArray();
            output = model.Spec.InputKind == SequenceInputKind.Tokens
                ? stream.Feed(pieces.Select((n, b) => sequences[b].Tokens!.Skip(fed[b]).Take(n).ToArray()).ToArray())
                : stream.Feed(pieces.Select((n, b) => sequences[b].Features!.Skip(fed[b] * model.Spec.InputWidth).Take(n * model.Spec.InputWidth).ToArray()).ToArray());
            Assert.Equal(pieces, output.Steps);
            for (var b = 0; b < 3; b++)
            {
                fed[b] += pieces[b];
                if (model.Spec.PerStep)
                    perStep[b].AddRange(output.Outputs(b));
            }
        }
        for (var b = 0; b < 3; b++)
        {
            var expected = Oracle(model, sequences[b]);
            var actual = model.Spec.PerStep ? perStep[b].ToArray() : output!.Outputs(b);
            Streamed.AssertClose(expected, actual, $"{configuration}, stream {b}");
        }
    }

    /// <summary>An imported PyTorch model streamed in pieces gives PyTorch's outputs (its own oracle, not ours).</summary>
    [Theory]
    [InlineData("lstm_tagging")]
    [InlineData("gru_2layers_language_model")]
    [InlineData("rnn_dense_regression_steps")]
    [InlineData("rnn_relu_2layers_log_softmax")]
    [InlineData("lstm_dense_2layers_regression")]
    public void ImportedPyTorchModelsStream(string name)
    {
        var fixture = PyTorchOnnxFixture.Load(name);
        using var model = OnnxImporter.Import(fixture.OnnxPath, PyTorchOnnxImportTests.OptionsFor(name));
        var c = fixture.Cases[0];
        var K = model.Spec.OutputSize;
        using var stream = model.CreateStream(c.Batch);
        var random = new SeededRandom(9);
        var perStep = new float[c.Steps * c.Batch * K];   // [T, B, K] as the network lays it out
        var fed = new int[c.Batch];
        StreamOutput? output = null;
        while (fed.Any(f => f < c.Steps))
        {
            var pieces = fed.Select(f => Math.Min(random.Next(3), c.Steps - f)).ToArray();
            output = c.Width > 0
                ? stream.Feed(pieces.Select((n, b) => c.Features(b)[(fed[b] * c.Width)..((fed[b] + n) * c.Width)]).ToArray())
                : stream.Feed(pieces.Select((n, b) => c.TokenIds(b)[fed[b]..(fed[b] + n)]).ToArray());
            for (var b = 0; b < c.Batch; b++)
            {
                var rows = output.Outputs(b);
                for (var t = 0; t < pieces[b] && model.Spec.PerStep; t++)
                    rows.AsSpan(t * K, K).CopyTo(perStep.AsSpan(((fed[b] + t) * c.Batch + b) * K, K));
                fed[b] += pieces[b];
            }
        }
        var actual = model.Spec.PerStep ? c.AsExpectedLayout(perStep, K) : Enumerable.Range(0, c.Batch).SelectMany(b => output!.Outputs(b)).ToArray();
        Streamed.AssertClose(c.Expected, PyTorchOnnxImportTests.Activate(actual, K, fixture.Activation), $"{name} streamed");
    }

    [Fact]
    public void StateIsCopiedSetAndReset()
    {
        using var model = RandomModels.Create("multiclass lstm tokens mean 2layers", KernelKind.Reference);
        using var stream = model.CreateStream();
        var fresh = stream.State;
        Assert.Equal(2, fresh.H.Count);
        Assert.Equal(2, fresh.C.Count);             // LSTM: h and c per layer (Keras' state_h, state_c)
        Assert.All(fresh.H, h => Assert.Equal(model.Spec.HiddenSize, h.Length));
        Assert.Equal(model.Spec.FeatureSize, fresh.Pool.Length);

        stream.Feed(3, 1, 4);
        var saved = stream.State;
        var first = stream.Feed(1, 5, 9, 2).Outputs();
        Assert.Equal([7L], stream.Steps);
        saved.H[0][0] += 0f;                         // a copy: changing it changes nothing until assigned back
        stream.State = saved;
        Assert.Equal([3L], stream.Steps);
        Assert.Equal(first, stream.Feed(1, 5, 9, 2).Outputs());

        stream.Reset();
        Assert.Equal(fresh.H, stream.State.H);
        Assert.Equal(fresh.Pool, stream.State.Pool);
        Assert.Equal([0L], stream.Steps);
        using var other = model.CreateStream();
        Assert.Equal(other.Feed(6, 6).Outputs(), stream.Feed(6, 6).Outputs());

        var wrong = stream.State;
        Assert.Contains("State.H must hold 2 layer(s) of [B=1, H=7] = 7 values",
            Assert.Throws<ArgumentException>(() => stream.State = new SequenceStreamState(1, 7, [new float[7]], wrong.C.ToArray(), wrong.Pool, wrong.Steps)).Message);
        using var gru = RandomModels.Create("binary gru tokens last", KernelKind.Reference).CreateStream();
        Assert.Empty(gru.State.C);                   // GRU and RNN: one state, h
        Assert.Contains("State.C must be empty: a Gru layer has one state (h)",
            Assert.Throws<ArgumentException>(() => gru.State = new SequenceStreamState(1, 7, [new float[7]], [new float[7]], [], [0])).Message);
    }

    [Fact]
    public void OneStreamOfABatchResetsAlone()
    {
        using var model = RandomModels.Create("binary gru tokens last 2layers", KernelKind.Reference);
        using var stream = model.CreateStream(batch: 2);
        stream.Feed([[3, 4, 5], [6, 7]]);
        stream.Reset(1);
        var output = stream.Feed([[8], [9, 10]]);
        using var single = model.CreateStream();
        Assert.Equal(single.Feed(9, 10).Outputs(), output.Outputs(1));
        Assert.Equal([4L, 2L], stream.Steps);
        Assert.Throws<ArgumentOutOfRangeException>(() => stream.Reset(2));
    }

    [Fact]
    public void TopLayerStateIsTheLastStepsOutput()
    {
        // Keras: with return_state the last output equals state_h; here the top layer's h is the read-out of LastState.
        using var model = RandomModels.Create("regression gru dense last 2layers", KernelKind.Native);
        var features = RandomModels.Batch(model.Spec, 1, 6, seed: 4).Features!;
        using var stream = model.CreateStream();
        stream.Feed(features[..8]);
        stream.Feed(features[8..]);
        var encoding = model.Encode(SequenceData.ForRegression([features], model.Spec.InputWidth, [new float[2]]))[0];
        Assert.Equal(encoding, stream.State.H[^1]);
    }

    [Fact]
    public void TextAndLanguageModelsStreamPiecesOfText()
    {
        using var model = RandomModels.Create("lm gru text 2layers", KernelKind.Native);
        using var stream = model.CreateStream();
        stream.Feed("the cat");
        var output = stream.Feed(" sat on the");
        Assert.Equal([3], output.Steps);
        Assert.Equal(3 * model.Spec.OutputSize, output.Outputs().Length);
        var expected = model.Predict(SequenceData.FromTexts(["the cat sat on the"]))[0];
        Streamed.AssertClose(expected.Probabilities, output.Prediction().Probabilities, "next-token distribution");
        Assert.Equal(expected.PredictedLabel, output.Prediction().PredictedLabel);
        // A stream fed nothing keeps its state and its next-token distribution.
        Assert.Equal(output.Prediction().Probabilities, stream.Feed("").Prediction().Probabilities);

        // Greedy generation, token by token through the stream (docs/streaming.md), is Generate's.
        stream.Reset();
        var next = stream.Feed("the cat").Prediction();
        var generated = new List<string>();
        for (var i = 0; i < 6; i++)
        {
            generated.Add(next.PredictedLabel!);
            next = stream.Feed(SequencePredictionDecoder.ArgMax(next.Probabilities)).Prediction();
        }
        Assert.Equal(model.Generate("the cat", 6), string.Join(" ", generated));

        using var classifier = RandomModels.Create("binary lstm text mean", KernelKind.Native);
        using var words = classifier.CreateStream();
        words.Feed("a dog");
        var prediction = words.Feed("ran on the mat").Prediction();
        var whole = classifier.Predict("a dog ran on the mat");
        Assert.Equal(whole.PredictedLabel, prediction.PredictedLabel);
        Streamed.AssertClose(whole.Probabilities, prediction.Probabilities, "binary probabilities");
    }

    [Fact]
    public void BadUseIsRefused()
    {
        using var bidirectional = RandomModels.Create("binary gru tokens last bidirectional", KernelKind.Reference);
        Assert.Contains("A bidirectional model cannot stream", Assert.Throws<NotSupportedException>(() => bidirectional.CreateStream()).Message);

        using var model = RandomModels.Create("tagging gru tokens", KernelKind.Reference);
        Assert.Throws<ArgumentOutOfRangeException>(() => model.CreateStream(0));
        using var stream = model.CreateStream(batch: 2);
        Assert.Contains("The stream has 2 sequence(s); give one piece for each, got 1. The single-piece Feed overloads are for streams of batch 1.",
            Assert.Throws<ArgumentException>(() => stream.Feed(1, 2)).Message);
        Assert.Contains("Stream 1 has token id 13 at step 1 of this piece; the vocabulary has 13 ids",
            Assert.Throws<ArgumentException>(() => stream.Feed([[1], [2, 13]])).Message);
        Assert.Contains("not token ids", Assert.Throws<ArgumentException>(() =>
            RandomModels.Create("regression gru dense last", KernelKind.Reference).CreateStream().Feed(1, 2)).Message);
        using var dense = RandomModels.Create("regression gru dense last", KernelKind.Reference).CreateStream();
        Assert.Contains("has 5 values, not a multiple of the 4 features per step", Assert.Throws<ArgumentException>(() => dense.Feed(new float[5])).Message);
        Assert.Contains("non-finite value (NaN) at step 1, feature 2", Assert.Throws<ArgumentException>(() => dense.Feed([0, 0, 0, 0, 0, 0, float.NaN, 0])).Message);
        stream.Dispose();
        Assert.Throws<ObjectDisposedException>(() => stream.Feed([[1], [2]]));
    }

    /// <summary>Random piece lengths (at least one, zeros allowed in between) that add up to <paramref name="steps"/>.</summary>
    private static int[] Cuts(int steps, SeededRandom random)
    {
        var cuts = new List<int>();
        for (var left = steps; left > 0;)
        {
            var piece = Math.Min(left, random.Next(5));
            cuts.Add(piece);
            left -= piece;
        }
        return [.. cuts];
    }

    private static StreamOutput Feed(SequenceStream stream, SequenceNetworkSpec spec, SequenceBatch whole, int from, int steps) =>
        spec.InputKind == SequenceInputKind.Tokens
            ? stream.Feed(whole.Tokens![from..(from + steps)])
            : stream.Feed(whole.Features![(from * spec.InputWidth)..((from + steps) * spec.InputWidth)]);

    private static SequenceBatch Prefix(SequenceNetworkSpec spec, SequenceBatch whole, int steps) => new()
    {
        SeqLength = steps,
        Batch = 1,
        Lengths = [steps],
        Tokens = whole.Tokens?[..steps],
        Features = whole.Features?[..(steps * spec.InputWidth)],
    };

    /// <summary>The head outputs of one forward over a whole batch-1 sequence: [K], or [T, K] per step.</summary>
    private static float[] Oracle(SequenceModel model, SequenceBatch batch)
    {
        var kernel = KernelFactory.Create(model.Options.Kernel, 1);
        try
        {
            return new SequenceNetwork(model.Spec, kernel, model.Parameters).Forward(batch, training: false).ToArray();
        }
        finally
        {
            (kernel as IDisposable)?.Dispose();
        }
    }

    /// <summary>Bit for bit where the kernel gives the same sums whatever the rows beside them, else within 1e-5.</summary>
    private static void Check(float[] expected, float[] actual, KernelKind kernel, string what)
    {
        Streamed.AssertClose(expected, actual, what);
        if (kernel == KernelKind.Reference || System.Runtime.Intrinsics.X86.Avx512F.IsSupported)
            Assert.True(expected.AsSpan().SequenceEqual(actual), $"{what}: not the same bits.");
    }
}
