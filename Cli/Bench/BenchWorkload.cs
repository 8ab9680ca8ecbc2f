using MlNetRnn.Kernels;
using MlNetRnn.Network;
using MlNetRnn.Network.Losses;
using MlNetRnn.Training;
using MlNetRnn.Training.Optimizers;

namespace MlNetRnn.Cli.Bench;

/// <summary>
/// The workloads of docs/workloads.md as the library runs them: the model, its optimizer and random batches from a
/// fixed seed. W1-W3, W5 and W6 time <see cref="TrainingStep"/>; W4 times inference forwards; W7 times a whole
/// sequence of truncated-BPTT windows (<see cref="Window"/> steps each, the state carried from one into the next, one
/// <see cref="TrainingStep"/> per window). "sweep-h&lt;H&gt;-t&lt;T&gt;" is W1's model with GRU(H) over T steps (the
/// cost-scaling sweep), "w7-t&lt;T&gt;" W7 over T steps.
/// </summary>
internal sealed record BenchWorkload(
    string Id,
    SequenceNetworkSpec Spec,
    int Batch,
    int SeqLength,
    string Metric,
    bool Training,
    bool RaggedLengths = false,
    bool Sgd = false,
    float ClipNorm = 0f,
    int Window = 0)
{
    /// <summary>The workloads "all" runs (the sweep's and W7's variants are named, not listed).</summary>
    public static readonly string[] Ids = ["w1", "w2", "w3", "w4-b1", "w4-b256", "w5", "w6", "w7"];

    /// <summary>W7's truncated-BPTT window.</summary>
    public const int W7Window = 200;

    public static BenchWorkload Get(string id)
    {
        var spam = new SequenceNetworkSpec
        {
            Task = SequenceTask.MulticlassClassification, InputKind = SequenceInputKind.Tokens, InputWidth = 20000,
            EmbeddingSize = 64, Cell = RecurrentCell.Gru, HiddenSize = 128, LinearBeforeReset = true, OutputSize = 2,
        };
        if (TryParseSized(id, "sweep-h", out var hidden, out var sweepLength))
            return new(id, spam with { HiddenSize = hidden }, 64, sweepLength, "train_tokens_per_s", Training: true);
        var w7Length = 2000;
        if (id == "w7" || TryParseSized(id, "w7-t", out _, out w7Length))
        {
            var length = w7Length;
            if (length % W7Window != 0)
                throw new ArgumentException($"W7 runs windows of {W7Window} steps: its length must be a multiple of {W7Window}, got {length}.", nameof(id));
            return new(id, spam, 16, length, "train_tokens_per_s", Training: true, Window: W7Window);
        }
        return id switch
        {
            "w1" => new("w1", spam, 64, 200, "train_seq_per_s", Training: true),
            "w5" => new("w5", spam, 64, 200, "train_seq_per_s", Training: true, RaggedLengths: true),
            "w2" => new("w2", new SequenceNetworkSpec
            {
                Task = SequenceTask.MulticlassClassification, InputKind = SequenceInputKind.Dense, InputWidth = 28,
                Cell = RecurrentCell.Lstm, HiddenSize = 128, OutputSize = 10,
            }, 100, 28, "train_samples_per_s", Training: true),
            "w3" => new("w3", new SequenceNetworkSpec
            {
                Task = SequenceTask.Tagging, InputKind = SequenceInputKind.Dense, InputWidth = 28, Cell = RecurrentCell.Gru,
                HiddenSize = 256, LinearBeforeReset = true, ReadOut = ReadOutKind.AllSteps, OutputSize = 28,
            }, 32, 35, "train_tokens_per_s", Training: true, Sgd: true, ClipNorm: 1f),
            "w6" => new("w6", new SequenceNetworkSpec
            {
                Task = SequenceTask.MulticlassClassification, InputKind = SequenceInputKind.Tokens, InputWidth = 20000,
                EmbeddingSize = 128, Cell = RecurrentCell.Lstm, HiddenSize = 256, Layers = 2, Bidirectional = true,
                ReadOut = ReadOutKind.MaxPool, OutputSize = 2,
            }, 32, 100, "train_seq_per_s", Training: true),
            "w4-b1" => new("w4-b1", spam, 1, 200, "latency_ms", Training: false),
            "w4-b256" => new("w4-b256", spam, 256, 200, "infer_seq_per_s", Training: false),
            _ => throw new ArgumentException($"Unknown workload '{id}'; expected one of {string.Join(", ", Ids)}, w7-t<T>, sweep-h<H>-t<T>, or all.", nameof(id)),
        };
    }

    // "<prefix><H>-t<T>" (sweep-h256-t200) or "<prefix><T>" (w7-t400).
    private static bool TryParseSized(string id, string prefix, out int hidden, out int length)
    {
        hidden = length = 0;
        if (!id.StartsWith(prefix, StringComparison.Ordinal))
            return false;
        var rest = id[prefix.Length..];
        var sized = prefix == "w7-t"
            ? int.TryParse(rest, out length) && length > 0
            : rest.Split("-t") is [var h, var t] && int.TryParse(h, out hidden) && int.TryParse(t, out length) && hidden > 0 && length > 0;
        return sized ? true : throw new ArgumentException($"Expected {prefix}{(prefix == "w7-t" ? "" : "<H>-t")}<T> with positive sizes, got '{id}'.", nameof(id));
    }

    /// <summary>Units the metric counts per step: sequences, samples, or tokens (W3, W7, the sweep).</summary>
    public double UnitsPerStep(SequenceBatch batch) => Metric == "train_tokens_per_s" ? (double)batch.Batch * batch.SeqLength : batch.Batch;

    public SequenceBatch RandomBatch(SeededRandom random)
    {
        int B = Batch, T = SeqLength;
        var lengths = Enumerable.Range(0, B).Select(_ => RaggedLengths ? 20 + random.Next(181) : T).ToArray();
        var tokens = Spec.InputKind == SequenceInputKind.Tokens ? new int[T * B] : null;
        var features = Spec.InputKind == SequenceInputKind.Dense ? new float[T * B * Spec.InputWidth] : null;
        if (tokens is not null)
        {
            for (var i = 0; i < tokens.Length; i++)
                tokens[i] = random.Next(Spec.InputWidth);
        }
        else if (Id == "w3")
        {
            for (var i = 0; i < T * B; i++)
                features![i * Spec.InputWidth + random.Next(Spec.InputWidth)] = 1f;   // one-hot characters
        }
        else
        {
            for (var i = 0; i < features!.Length; i++)
                features[i] = random.NextSingle();
        }
        var rows = Spec.PerStep ? T * B : B;
        var classes = Enumerable.Range(0, rows).Select(_ => random.Next(Spec.OutputSize)).ToArray();
        return new SequenceBatch { SeqLength = T, Batch = B, Lengths = lengths, Tokens = tokens, Features = features, ClassTargets = classes };
    }

    /// <summary>
    /// W7: a whole sequence's batch cut into its truncated-BPTT windows of <see cref="Window"/> steps (each window its own
    /// batch over the same sequences, with their labels); otherwise the batch itself.
    /// </summary>
    public SequenceBatch[] Windows(SequenceBatch whole)
    {
        if (Window <= 0)
            return [whole];
        var count = whole.SeqLength / Window;
        return Enumerable.Range(0, count).Select(w => new SequenceBatch
        {
            SeqLength = Window,
            Batch = whole.Batch,
            Lengths = Enumerable.Repeat(Window, whole.Batch).ToArray(),
            Tokens = whole.Tokens?.AsSpan(w * Window * whole.Batch, Window * whole.Batch).ToArray(),
            ClassTargets = whole.ClassTargets,
        }).ToArray();
    }

    public IOptimizer CreateOptimizer(int parameters, ISequenceKernel kernel) =>
        Sgd ? new SgdOptimizer(parameters, kernel: kernel) : new AdamOptimizer(parameters, kernel: kernel);

    public float LearningRate => Sgd ? 1f : 1e-3f;

    public ILoss CreateLoss() => LossFactory.Create(Spec, null, 0f);
}
