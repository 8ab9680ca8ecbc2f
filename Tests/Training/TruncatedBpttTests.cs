using System.Text.Json;
using MlNetRnn.Kernels;
using MlNetRnn.Network;
using MlNetRnn.Network.Losses;
using MlNetRnn.Tests.Kernels;
using MlNetRnn.Training;
using MlNetRnn.Training.Optimizers;

namespace MlNetRnn.Tests.Training;

/// <summary>
/// Truncated BPTT over batches of sequences: each window's gradient (weights held fixed) against PyTorch's gradient of
/// the same windowed computation (Tests/Fixtures/generate_pytorch_tbptt_fixtures.py: state and pools carried detached,
/// per-sequence losses in the window of the sequence's last step, per-step losses in every window); a window at least
/// as long as the batch trains bit for bit as whole sequences do; windows carry what a task needs across them.
/// </summary>
public class TruncatedBpttTests
{
    public static TheoryData<string, string> Fixtures()
    {
        var data = new TheoryData<string, string>();
        foreach (var file in Directory.GetFiles(Path.Combine(RepositoryPaths.Tests, "Fixtures", "pytorch-tbptt"), "*.json").Order())
            foreach (var kernel in new[] { "reference", "native-2" })
                data.Add(Path.GetFileNameWithoutExtension(file), kernel);
        return data;
    }

    /// <summary>An optimizer that only records the gradients it is given, so the weights stay fixed across windows.</summary>
    private sealed class RecordingOptimizer : IOptimizer
    {
        public List<float[]> Gradients { get; } = [];

        public long Steps => Gradients.Count;

        public IReadOnlyDictionary<string, float[]> State => new Dictionary<string, float[]>();

        public void Step(ParameterSet parameters, float learningRate) => Gradients.Add((float[])parameters.Gradients.Clone());

        public void Restore(long steps, IReadOnlyDictionary<string, float[]> state)
        {
        }
    }

    [Theory]
    [MemberData(nameof(Fixtures))]
    public void WindowGradientsMatchPyTorch(string name, string kernelName)
    {
        var path = Path.Combine(RepositoryPaths.Tests, "Fixtures", "pytorch-tbptt", name + ".json");
        using var json = JsonDocument.Parse(File.ReadAllText(path));
        var f = json.RootElement;
        float[] Floats(JsonElement e) => e.EnumerateArray().Select(v => v.GetSingle()).ToArray();
        int[] Ints(JsonElement e) => e.EnumerateArray().Select(v => v.GetInt32()).ToArray();
        var task = Enum.Parse<SequenceTask>(f.GetProperty("task").GetString()!);
        var tokens = f.GetProperty("vocabulary").GetInt32() > 0;
        var spec = new SequenceNetworkSpec
        {
            Task = task,
            InputKind = tokens ? SequenceInputKind.Tokens : SequenceInputKind.Dense,
            InputWidth = tokens ? f.GetProperty("vocabulary").GetInt32() : f.GetProperty("features").GetInt32(),
            EmbeddingSize = f.GetProperty("embedding").GetInt32(),
            Cell = Enum.Parse<RecurrentCell>(f.GetProperty("cell").GetString()!),
            HiddenSize = f.GetProperty("hidden_size").GetInt32(),
            Layers = f.GetProperty("layers").GetInt32(),
            ReadOut = Enum.Parse<ReadOutKind>(f.GetProperty("read_out").GetString()!),
            OutputSize = f.GetProperty("outputs").GetInt32(),
        };
        using var native = kernelName == "native-2" ? new NativeKernel(2) : null;
        var network = new SequenceNetwork(spec, native is null ? ReferenceKernel.Instance : native);
        foreach (var p in f.GetProperty("parameters").EnumerateObject())
            Floats(p.Value).CopyTo(network.Parameters[p.Name].Values);
        var batch = new SequenceBatch
        {
            SeqLength = f.GetProperty("seq_length").GetInt32(),
            Batch = f.GetProperty("batch").GetInt32(),
            Lengths = Ints(f.GetProperty("lengths")),
            Tokens = tokens ? Ints(f.GetProperty("tokens")) : null,
            Features = tokens ? null : Floats(f.GetProperty("features_values")),
            ClassTargets = f.GetProperty("class_targets").ValueKind == JsonValueKind.Null ? null : Ints(f.GetProperty("class_targets")),
            ValueTargets = f.GetProperty("value_targets").ValueKind == JsonValueKind.Null ? null : Floats(f.GetProperty("value_targets")),
        };
        var optimizer = new RecordingOptimizer();
        var step = new TrainingStep(network, LossFactory.Create(spec, null, 0f), optimizer);
        var value = step.RunTruncated(batch, f.GetProperty("window").GetInt32(), () => 0.1f, dropoutRandom: null);

        var windows = f.GetProperty("windows").EnumerateArray().ToArray();
        var learning = windows.Where(w => w.GetProperty("weight").GetInt32() > 0).ToArray();
        Assert.Equal(learning.Length, optimizer.Gradients.Count);   // a window without a loss takes no step
        Assert.Equal(windows.Sum(w => w.GetProperty("weight").GetInt32()), value.Weight);
        var expectedSum = windows.Sum(w => w.GetProperty("loss_sum").GetDouble());
        Assert.True(Math.Abs(value.Sum - expectedSum) <= 1e-5 + 1e-5 * Math.Abs(expectedSum), $"{name}: loss sum {value.Sum:G9}, PyTorch {expectedSum:G9}");
        for (var i = 0; i < learning.Length; i++)
        {
            var gradients = learning[i].GetProperty("gradients");
            foreach (var tensor in network.Parameters.Tensors)
            {
                Tolerance.Gradients.AssertClose(Floats(gradients.GetProperty(tensor.Name)),
                    optimizer.Gradients[i].AsSpan(tensor.Offset, tensor.Length),
                    $"{name} on {kernelName}, window {learning[i].GetProperty("window").GetInt32()}, d{tensor.Name}");
            }
        }
        Assert.Null(network.InitialStates);
        Assert.Null(network.InitialPool);
    }

    public static TheoryData<string> WholeWindowConfigurations => new()
    {
        "binary gru last", "multiclass lstm max 2layers", "regression lstm mean peepholes", "tagging gru", "regression-steps rnn dropout",
    };

    /// <summary>With windows at least as long as every sequence, each batch is one window: the same bits as whole
    /// sequences (two windows of the same batch would not be).</summary>
    [Theory]
    [MemberData(nameof(WholeWindowConfigurations))]
    public void AWindowAsLongAsTheBatchTrainsBitForBitAsWholeSequences(string configuration)
    {
        var (data, options) = Problem(configuration);
        using var whole = new SequenceModelEstimator(options).Fit(data);
        using var longest = new SequenceModelEstimator(options with { TruncatedBpttSteps = 12 }).Fit(data);
        using var longer = new SequenceModelEstimator(options with { TruncatedBpttSteps = 1000 }).Fit(data);
        Assert.Equal(whole.Parameters.Values, longest.Parameters.Values);
        Assert.Equal(whole.Parameters.Values, longer.Parameters.Values);
        Assert.Equal(whole.History.Epochs.Select(e => e.TrainLoss), longest.History.Epochs.Select(e => e.TrainLoss));
        using var windowed = new SequenceModelEstimator(options with { TruncatedBpttSteps = 4 }).Fit(data);
        Assert.NotEqual(whole.Parameters.Values, windowed.Parameters.Values);
    }

    // Dense sequences of 5..12 steps with 2 features (SignOfSum), with targets for each task.
    private static (SequenceData Data, SequenceModelOptions Options) Problem(string configuration)
    {
        var words = configuration.Split(' ');
        var signs = SyntheticTasks.SignOfSum(96, seed: 51);
        var sequences = signs.Features!;
        var task = words[0] switch
        {
            "binary" => SequenceTask.BinaryClassification,
            "multiclass" => SequenceTask.MulticlassClassification,
            "tagging" => SequenceTask.Tagging,
            _ => SequenceTask.Regression,
        };
        var data = words[0] switch
        {
            "binary" => signs,
            "multiclass" => SequenceData.FromFeatures(sequences, 2, sequences.Select(s => (s.Length / 2 % 3).ToString()).ToArray()),
            "tagging" => SequenceData.ForTagging(sequences, 2, sequences.Select(s => Enumerable.Range(0, s.Length / 2).Select(t => s[2 * t] > 0 ? "up" : "down").ToArray()).ToArray()),
            "regression" => SequenceData.ForRegression(sequences, 2, sequences.Select(s => new[] { s.Sum(), s.Max() }).ToArray()),
            _ => SequenceData.ForRegression(sequences, 2, sequences.Select(s => s.Select((v, i) => v * (i % 2 == 0 ? 1 : -1)).ToArray()).ToArray(), perStep: true),
        };
        var options = TrainingLoopTests.Small(task) with
        {
            Kernel = KernelKind.Native,
            Threads = 2,
            Epochs = 2,
            Cell = words[1] switch { "gru" => RecurrentCell.Gru, "lstm" => RecurrentCell.Lstm, _ => RecurrentCell.Rnn },
            ReadOut = words.Contains("max") ? ReadOutKind.MaxPool : words.Contains("mean") ? ReadOutKind.MeanPool : ReadOutKind.LastState,
            Layers = words.Contains("2layers") ? 2 : 1,
            Peepholes = words.Contains("peepholes"),
            Dropout = words.Contains("dropout") ? 0.2f : 0f,
        };
        return (data, options);
    }

    /// <summary>Tag each step "after" once a 9 has been seen, in sequences of 20-40 steps trained in windows of 4: the
    /// carried state must hold what an earlier window saw.</summary>
    [Fact]
    public void WindowsCarryTheStateATaskNeeds()
    {
        var random = new SeededRandom(52);
        var sequences = new List<int[]>();
        var tags = new List<string[]>();
        for (var i = 0; i < 240; i++)
        {
            var length = 20 + random.Next(21);
            var seq = Enumerable.Range(0, length).Select(_ => 2 + random.Next(7)).ToArray();
            seq[random.Next(length / 2)] = 9;
            var seen = false;
            sequences.Add(seq);
            tags.Add(seq.Select(t => (seen |= t == 9) ? "after" : "before").ToArray());
        }
        var (train, test) = SequenceData.ForTagging(sequences, tags).Split(0.25, seed: 4);
        var options = TrainingLoopTests.Small(SequenceTask.Tagging) with { Epochs = 8, TruncatedBpttSteps = 4, Kernel = KernelKind.Native, Threads = 2 };
        using var model = new SequenceModelEstimator(options).Fit(train);
        var metrics = model.Evaluate(test);
        Assert.True(metrics.Accuracy >= 0.97, $"per-step accuracy {metrics}");
    }

    [Fact]
    public void AWindowHoldsItsStepsAndTheTargetsOfTheSequencesEndingInIt()
    {
        var batch = new SequenceBatch
        {
            SeqLength = 5, Batch = 3, Lengths = [5, 2, 3],
            Tokens = Enumerable.Range(0, 15).ToArray(),       // [T, B]: token 3t + b
            ClassTargets = [1, 0, 2],
            ValueTargets = [1f, 2f, 3f, 4f, 5f, 6f],          // [B, K=2]
        };
        Assert.Equal(3, TruncatedBptt.Windows(5, 2));
        var first = TruncatedBptt.Window(batch, 2, 0, perStep: false);
        Assert.Equal([2, 2, 2], first.Lengths);
        Assert.Equal([0, 1, 2, 3, 4, 5], first.Tokens!);
        Assert.Equal([-1, 0, -1], first.ClassTargets!);
        Assert.Equal([float.NaN, float.NaN, 3f, 4f, float.NaN, float.NaN], first.ValueTargets!);
        var second = TruncatedBptt.Window(batch, 2, 1, perStep: false);
        Assert.Equal([2, 0, 1], second.Lengths);
        Assert.Equal([6, 7, 8, 9, 10, 11], second.Tokens!);
        Assert.Equal([-1, -1, 2], second.ClassTargets!);
        var last = TruncatedBptt.Window(batch, 2, 2, perStep: false);
        Assert.Equal(1, last.SeqLength);
        Assert.Equal([1, 0, 0], last.Lengths);
        Assert.Equal([1, -1, -1], last.ClassTargets!);

        var tagged = new SequenceBatch { SeqLength = 3, Batch = 2, Lengths = [3, 1], Tokens = new int[6], ClassTargets = [0, 1, 2, -1, 3, -1] };
        Assert.Equal([0, 1, 2, -1], TruncatedBptt.Window(tagged, 2, 0, perStep: true).ClassTargets!);
        Assert.Equal([3, -1], TruncatedBptt.Window(tagged, 2, 1, perStep: true).ClassTargets!);
    }

    [Fact]
    public void TruncatedBpttNeedsAForwardNetworkAndNotALanguageModel()
    {
        Assert.Contains("forward-only", Assert.Throws<ArgumentException>(() => new SequenceModelEstimator(new SequenceModelOptions { TruncatedBpttSteps = 8, Bidirectional = true })).Message);
        Assert.Contains("BpttLength", Assert.Throws<ArgumentException>(() => new SequenceModelEstimator(new SequenceModelOptions { TruncatedBpttSteps = 8, Task = SequenceTask.LanguageModel })).Message);
        Assert.Equal("TruncatedBpttSteps", Assert.Throws<ArgumentException>(() => new SequenceModelEstimator(new SequenceModelOptions { TruncatedBpttSteps = -1 })).ParamName);
    }
}
