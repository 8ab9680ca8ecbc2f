using MlNetRnn.Kernels;
using MlNetRnn.Network;
using MlNetRnn.Network.Losses;
using MlNetRnn.Training;

namespace MlNetRnn.Tests.Network;

/// <summary>
/// The whole network (embedding, stacked recurrent layers, read-outs, dropout, head, losses) against central finite
/// differences of its loss, on the reference kernel.
/// </summary>
public class NetworkGradientTests
{
    public static TheoryData<string> Configurations => new()
    {
        "binary gru tokens last",
        "binary gru tokens max",
        "multiclass lstm dense mean bidirectional",
        "multiclass rnn dense last 2layers",
        "multiclass gru dense last 2layers bidirectional lbr0",
        "regression lstm dense last huber",
        "regression gru dense allsteps",
        "tagging gru tokens allsteps bidirectional 2layers",
        "lm lstm tokens allsteps",
        "multiclass gru tokens max dropout 2layers bidirectional",
        "multiclass gru tokens max 2layers bidirectional",
        "multiclass gru tokens mean dropout 2layers bidirectional",
        "multiclass gru tokens last dropout 2layers",
        "multiclass lstm dense last 2layers bidirectional peepholes",
        "tagging lstm tokens allsteps peepholes",
    };

    [Theory]
    [MemberData(nameof(Configurations))]
    public void AnalyticGradientsMatchFiniteDifferences(string configuration)
    {
        var (spec, loss) = Build(configuration);
        var random = new SeededRandom(17);
        var network = new SequenceNetwork(spec, ReferenceKernel.Instance);
        Initializer.Initialize(spec, network.Parameters, random);
        // Biases are zero after initialisation; make them non-trivial so their gradients are exercised.
        var values = network.Parameters.Values;
        for (var i = 0; i < values.Length; i++)
            values[i] += random.Uniform(-0.1f, 0.1f);
        var batch = RandomBatch(spec, random, batchSize: 3, seqLength: 5);

        double Loss()
        {
            var outputs = network.Forward(batch, training: true, new SeededRandom(99));
            var scratch = new float[outputs.Length];
            return loss.Compute(outputs, batch, scratch).Mean;
        }

        network.Parameters.ZeroGradients();
        var outputs = network.Forward(batch, training: true, new SeededRandom(99)).ToArray();
        var doutputs = new float[outputs.Length];
        loss.Compute(outputs, batch, doutputs);
        network.Backward(batch, doutputs);
        var analytic = network.Parameters.Gradients.ToArray();

        foreach (var tensor in network.Parameters.Tensors)
        {
            // A sample of each tensor's entries (all of the small ones).
            var step = Math.Max(1, tensor.Length / 40);
            for (var i = 0; i < tensor.Length; i += step)
            {
                var index = tensor.Offset + i;
                var saved = values[index];
                const float eps = 4e-4f;
                values[index] = saved + eps;
                var plus = Loss();
                values[index] = saved - eps;
                var minus = Loss();
                values[index] = saved;
                var numeric = (plus - minus) / (2 * eps);
                var a = analytic[index];
                var tolerance = 2e-3 + 2e-2 * Math.Max(Math.Abs(numeric), Math.Abs(a));
                Assert.True(Math.Abs(numeric - a) <= tolerance,
                    $"{configuration}: {tensor.Name}[{i}] analytic {a:G6} vs numeric {numeric:G6} (|diff| {Math.Abs(numeric - a):G3} > {tolerance:G3})");
            }
        }
    }

    internal static (SequenceNetworkSpec Spec, ILoss Loss) Build(string configuration)
    {
        var words = configuration.Split(' ');
        bool Has(string w) => words.Contains(w);
        var task = words[0] switch
        {
            "binary" => SequenceTask.BinaryClassification,
            "multiclass" => SequenceTask.MulticlassClassification,
            "regression" => SequenceTask.Regression,
            "tagging" => SequenceTask.Tagging,
            _ => SequenceTask.LanguageModel,
        };
        var cell = words[1] switch { "gru" => RecurrentCell.Gru, "lstm" => RecurrentCell.Lstm, _ => RecurrentCell.Rnn };
        var tokens = Has("tokens");
        var readOut = Has("max") ? ReadOutKind.MaxPool : Has("mean") ? ReadOutKind.MeanPool
            : Has("allsteps") ? ReadOutKind.AllSteps : ReadOutKind.LastState;
        var vocabulary = 11;
        var outputs = task switch
        {
            SequenceTask.BinaryClassification => 1,
            SequenceTask.LanguageModel => vocabulary,
            SequenceTask.Regression => 2,
            _ => 3,
        };
        var spec = new SequenceNetworkSpec
        {
            Task = task,
            InputKind = tokens ? SequenceInputKind.Tokens : SequenceInputKind.Dense,
            InputWidth = tokens ? vocabulary : 4,
            EmbeddingSize = 3,
            Cell = cell,
            HiddenSize = 5,
            Layers = Has("2layers") ? 2 : 1,
            Bidirectional = Has("bidirectional"),
            LinearBeforeReset = !Has("lbr0"),
            Peepholes = Has("peepholes"),
            Dropout = Has("dropout") ? 0.3f : 0f,
            ReadOut = readOut,
            OutputSize = outputs,
        };
        ILoss loss = task switch
        {
            SequenceTask.BinaryClassification => new BinaryCrossEntropyLoss([0.7f, 1.4f]),
            SequenceTask.Regression => new RegressionLoss(outputs, spec.PerStep, Has("huber") ? 0.5f : 0f),
            _ => new SoftmaxCrossEntropyLoss(outputs, spec.PerStep, task == SequenceTask.MulticlassClassification ? [1f, 2f, 0.5f] : null),
        };
        return (spec, loss);
    }

    internal static SequenceBatch RandomBatch(SequenceNetworkSpec spec, SeededRandom random, int batchSize, int seqLength)
    {
        var lengths = new int[batchSize];
        for (var b = 0; b < batchSize; b++)
            lengths[b] = b == 0 ? seqLength : 1 + random.Next(seqLength);
        var cells = seqLength * batchSize;
        var rows = spec.PerStep ? cells : batchSize;
        int[]? classes = null;
        float[]? values = null;
        if (spec.Task == SequenceTask.Regression)
        {
            values = new float[rows * spec.OutputSize];
            for (var i = 0; i < values.Length; i++)
                values[i] = random.Uniform(-1f, 1f);
        }
        else
        {
            var k = spec.Task == SequenceTask.BinaryClassification ? 2 : spec.OutputSize;
            classes = new int[rows];
            for (var i = 0; i < rows; i++)
                classes[i] = random.Next(k);
        }
        return new SequenceBatch
        {
            SeqLength = seqLength,
            Batch = batchSize,
            Lengths = lengths,
            Tokens = spec.InputKind == SequenceInputKind.Tokens ? Enumerable.Range(0, cells).Select(_ => random.Next(spec.InputWidth)).ToArray() : null,
            Features = spec.InputKind == SequenceInputKind.Dense ? Enumerable.Range(0, cells * spec.InputWidth).Select(_ => random.Uniform(-1f, 1f)).ToArray() : null,
            ClassTargets = classes,
            ValueTargets = values,
        };
    }
}
