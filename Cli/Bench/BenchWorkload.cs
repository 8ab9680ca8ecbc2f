using MlNetRnn.Kernels;
using MlNetRnn.Network;
using MlNetRnn.Network.Losses;
using MlNetRnn.Training;
using MlNetRnn.Training.Optimizers;

namespace MlNetRnn.Cli.Bench;

/// <summary>
/// The workloads of shared/bench/WORKLOADS.md as the library runs them: the model, its optimizer and random batches
/// from a fixed seed. W1-W3 and W5 time <see cref="TrainingStep"/>; W4 times inference forwards.
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
    float ClipNorm = 0f)
{
    public static readonly string[] Ids = ["w1", "w2", "w3", "w4-b1", "w4-b256", "w5"];

    public static BenchWorkload Get(string id)
    {
        var spam = new SequenceNetworkSpec
        {
            Task = SequenceTask.MulticlassClassification, InputKind = SequenceInputKind.Tokens, InputWidth = 20000,
            EmbeddingSize = 64, Cell = RecurrentCell.Gru, HiddenSize = 128, LinearBeforeReset = true, OutputSize = 2,
        };
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
            "w4-b1" => new("w4-b1", spam, 1, 200, "latency_ms", Training: false),
            "w4-b256" => new("w4-b256", spam, 256, 200, "infer_seq_per_s", Training: false),
            _ => throw new ArgumentException($"Unknown workload '{id}'; expected one of {string.Join(", ", Ids)} or all.", nameof(id)),
        };
    }

    /// <summary>Units the metric counts per step: sequences, samples, or tokens (W3).</summary>
    public double UnitsPerStep(SequenceBatch batch) => Id == "w3" ? (double)batch.Batch * batch.SeqLength : batch.Batch;

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

    public IOptimizer CreateOptimizer(int parameters, ISequenceKernel kernel) =>
        Sgd ? new SgdOptimizer(parameters, kernel: kernel) : new AdamOptimizer(parameters, kernel: kernel);

    public float LearningRate => Sgd ? 1f : 1e-3f;

    public ILoss CreateLoss() => LossFactory.Create(Spec, null, 0f);
}
