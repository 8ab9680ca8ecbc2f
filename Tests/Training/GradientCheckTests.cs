using MlNetRnn.Kernels;
using MlNetRnn.Network;

namespace MlNetRnn.Tests.Training;

/// <summary>
/// The public gradient check on users' configurations (GRU in both variants, LSTM with peepholes, bidirectional,
/// stacked, dropout, text tagging, truncated BPTT windows, a language model) on both kernels, and on a kernel whose
/// recurrent-weight gradient is deliberately 15% too large: the check must name that tensor and only it.
/// </summary>
public class GradientCheckTests
{
    public static TheoryData<string, string> Configurations()
    {
        var data = new TheoryData<string, string>();
        foreach (var configuration in new[]
                 {
                     "gru tokens multiclass", "gru-lbr0 dense binary", "lstm-peepholes dense binary mean", "gru tokens multiclass max bidirectional",
                     "lstm dense regression 2layers dropout", "gru text tagging", "lstm-peepholes dense binary mean 2layers windows",
                     "gru text lm",
                 })
        {
            foreach (var kernel in new[] { "reference", "native" })
                data.Add(configuration, kernel);
        }
        return data;
    }

    private static (SequenceModelOptions Options, SequenceData Data) Problem(string configuration, string kernel)
    {
        var words = configuration.Split(' ');
        bool Has(string w) => words.Contains(w);
        var task = Has("binary") ? SequenceTask.BinaryClassification : Has("regression") ? SequenceTask.Regression
            : Has("tagging") ? SequenceTask.Tagging : Has("lm") ? SequenceTask.LanguageModel : SequenceTask.MulticlassClassification;
        var options = new SequenceModelOptions
        {
            Task = task,
            Kernel = kernel == "native" ? KernelKind.Native : KernelKind.Reference,
            Threads = 1,
            Cell = words[0].StartsWith("lstm") ? RecurrentCell.Lstm : RecurrentCell.Gru,
            LinearBeforeReset = words[0] != "gru-lbr0",
            Peepholes = words[0] == "lstm-peepholes",
            HiddenSize = 5,
            EmbeddingSize = 4,
            Layers = Has("2layers") ? 2 : 1,
            Bidirectional = Has("bidirectional"),
            Dropout = Has("dropout") ? 0.25f : 0f,
            ReadOut = Has("max") ? ReadOutKind.MaxPool : Has("mean") ? ReadOutKind.MeanPool : ReadOutKind.LastState,
            TruncatedBpttSteps = Has("windows") ? 4 : 0,
            L2 = 0.01f,
            Seed = 7,
            Text = new TextFeaturizerOptions { MinCount = 1 },
        };
        var signs = SyntheticTasks.SignOfSum(12, seed: 61);
        var data = task switch
        {
            SequenceTask.BinaryClassification => signs,
            SequenceTask.Regression => SequenceData.ForRegression(signs.Features!, 2, signs.Features!.Select(s => new[] { s.Sum(), s[0] }).ToArray()),
            SequenceTask.Tagging => SequenceData.ForTagging(["the cat sat", "a dog ran on the mat", "the mat", "cat and dog"],
                [["d", "n", "v"], ["d", "n", "v", "p", "d", "n"], ["d", "n"], ["n", "c", "n"]]),
            SequenceTask.LanguageModel => SequenceData.FromTexts(["the cat sat on the mat and the dog ran to the cat on the mat"]),
            _ => SyntheticTasks.MarkerPosition(12, seed: 62),
        };
        return (options, data);
    }

    [Theory]
    [MemberData(nameof(Configurations))]
    public void AnalyticGradientsPassTheCheck(string configuration, string kernel)
    {
        var (options, data) = Problem(configuration, kernel);
        var report = GradientCheck.Run(options, data);
        Assert.True(report.Passed, report.ToString());
        Assert.All(report.Tensors, t => Assert.True(t.Checked > 0, $"{t.Name} was not checked"));
        if (options.Peepholes)
            Assert.Contains(report.Tensors, t => t.Name == SequenceNetwork.PeepholeName(0));
        if (options.TruncatedBpttSteps > 0)
            Assert.Contains("windows", report.Description);
    }

    [Fact]
    public void AWrongGradientIsCaughtInItsTensor()
    {
        var (options, data) = Problem("gru tokens multiclass", "reference");
        var report = GradientCheck.Run(options, data, new GradientCheckOptions { Kernel = new ScaledRecurrentGradientKernel(1.15f) });
        Assert.False(report.Passed, report.ToString());
        Assert.Equal([SequenceNetwork.RecurrenceName(0)], report.Failures.Select(t => t.Name));
        Assert.Contains($"FAIL {SequenceNetwork.RecurrenceName(0)}", report.ToString());
        // The same check on the kernel as it is passes: the failure is the 15%.
        Assert.True(GradientCheck.Run(options, data, new GradientCheckOptions { Kernel = new ScaledRecurrentGradientKernel(1f) }).Passed);
    }

    [Fact]
    public void ATrainedModelIsCheckedAtItsWeightsAndNotChanged()
    {
        var data = SyntheticTasks.SignOfSum(48, seed: 63);
        var options = TrainingLoopTests.Small(SequenceTask.BinaryClassification) with { Epochs = 2, Cell = RecurrentCell.Lstm, Peepholes = true };
        using var model = new SequenceModelEstimator(options).Fit(data);
        var before = model.Parameters.Values.ToArray();
        var report = GradientCheck.Run(model, data, new GradientCheckOptions { EntriesPerTensor = 8, MaxSequences = 4 });
        Assert.True(report.Passed, report.ToString());
        Assert.All(report.Tensors, t => Assert.True(t.Checked <= 8));
        Assert.Equal(before, model.Parameters.Values);
    }

    /// <summary>The reference kernel with its dR multiplied by a factor: a deliberately wrong gradient.</summary>
    private sealed class ScaledRecurrentGradientKernel(float factor) : ISequenceKernel
    {
        private readonly ReferenceKernel _inner = ReferenceKernel.Instance;

        public int Threads => 1;

        public long ReserveSize(RecurrentDescriptor descriptor, int seqLength, int batch) => _inner.ReserveSize(descriptor, seqLength, batch);

        public void Forward(RecurrentDescriptor descriptor, in RecurrentInputs inputs, in RecurrentOutputs outputs, Span<float> reserve) =>
            _inner.Forward(descriptor, inputs, outputs, reserve);

        public void Backward(RecurrentDescriptor descriptor, in RecurrentInputs inputs, Span<float> reserve,
            in RecurrentOutputGradients outputGradients, in RecurrentGradients gradients)
        {
            var dr = new float[gradients.DR.Length];
            _inner.Backward(descriptor, inputs, reserve, outputGradients, gradients with { DR = dr });
            for (var i = 0; i < dr.Length; i++)
                gradients.DR[i] += factor * dr[i];
        }

        public void Gemm(bool transposeA, bool transposeB, int m, int n, int k, float alpha, ReadOnlySpan<float> a, int lda,
            ReadOnlySpan<float> b, int ldb, float beta, Span<float> c, int ldc) =>
            _inner.Gemm(transposeA, transposeB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc);

        public void EmbeddingForward(ReadOnlySpan<float> table, int vocabulary, int size, ReadOnlySpan<int> ids,
            ReadOnlySpan<int> lengths, int seqLength, int batch, Span<float> output) =>
            _inner.EmbeddingForward(table, vocabulary, size, ids, lengths, seqLength, batch, output);

        public void EmbeddingBackward(Span<float> dtable, int vocabulary, int size, ReadOnlySpan<int> ids,
            ReadOnlySpan<int> lengths, int seqLength, int batch, ReadOnlySpan<float> doutput) =>
            _inner.EmbeddingBackward(dtable, vocabulary, size, ids, lengths, seqLength, batch, doutput);

        public void AdamUpdate(in AdamStep step, Span<float> values, ReadOnlySpan<float> gradients, Span<float> m, Span<float> v) =>
            _inner.AdamUpdate(step, values, gradients, m, v);

        public void SgdUpdate(float learningRate, float momentum, bool nesterov, Span<float> values, ReadOnlySpan<float> gradients,
            Span<float> velocity) => _inner.SgdUpdate(learningRate, momentum, nesterov, values, gradients, velocity);
    }
}
