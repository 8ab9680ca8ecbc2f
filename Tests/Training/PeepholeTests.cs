using MlNetRnn.Kernels;
using MlNetRnn.Network;
using MlNetRnn.OnnxExport.Import;
using MlNetRnn.Tests.Kernels;

namespace MlNetRnn.Tests.Training;

/// <summary>
/// LSTM peepholes as a training option: the parameters exist, start at zero, train on both kernels (their gradient
/// is checked against finite differences in NetworkGradientTests and GradientCheckTests), survive Save/Load and ONNX
/// export and import, and ONNX Runtime scores the export as the native model does.
/// </summary>
public class PeepholeTests
{
    private static readonly Tolerance Parity = new("ONNX Runtime parity", 1e-5, 0);

    private static SequenceModelOptions Options(KernelKind kernel) => TrainingLoopTests.Small(SequenceTask.BinaryClassification) with
    {
        Cell = RecurrentCell.Lstm, Peepholes = true, Layers = 2, Kernel = kernel, Epochs = 4,
    };

    [Fact]
    public void PeepholesTrainFromZeroAndTheExportScoresAsTheNativeModel()
    {
        var data = SyntheticTasks.SignOfSum(200, seed: 21);
        var (train, test) = data.Split(0.25, seed: 1);
        using var model = new SequenceModelEstimator(Options(KernelKind.Native)).Fit(train);
        Assert.True(model.Spec.Peepholes);
        foreach (var l in new[] { 0, 1 })
        {
            var p = model.Parameters[SequenceNetwork.PeepholeName(l)];
            Assert.Equal([1, 3 * model.Spec.HiddenSize], p.Shape);
            Assert.Contains(p.Values.ToArray(), v => v != 0f);
        }
        Assert.True(model.Evaluate(test).Accuracy >= 0.9, $"accuracy {model.Evaluate(test)}");

        var path = Path.Combine(Path.GetTempPath(), $"mlnetrnn-peepholes-{Guid.NewGuid():N}");
        try
        {
            model.Save(path + ".mlnr");
            using var loaded = SequenceModel.Load(path + ".mlnr");
            Assert.Equal(model.Parameters.Values, loaded.Parameters.Values);
            Assert.Equal(model.Spec, loaded.Spec);

            var report = model.ExportToOnnx(path + ".onnx");
            Assert.Contains(report.Warnings, w => w.Contains("peepholes"));
            using var imported = OnnxImporter.Import(path + ".onnx");
            Assert.Equal(model.Parameters.Values, imported.Parameters.Values);
            using var predictor = OnnxSequencePredictor.Load(path + ".onnx");
            var expected = model.Predict(test);
            var actual = predictor.Predict(test);
            for (var i = 0; i < test.Count; i++)
                Parity.AssertClose(expected[i].Probabilities, actual[i].Probabilities, $"sequence {i}");
        }
        finally
        {
            File.Delete(path + ".mlnr");
            File.Delete(path + ".onnx");
        }
    }

    [Fact]
    public void NativeAndReferenceKernelsTrainThePeepholesAlike()
    {
        var data = SyntheticTasks.SignOfSum(96, seed: 22);
        using var native = new SequenceModelEstimator(Options(KernelKind.Native) with { Epochs = 2, Threads = 1 }).Fit(data);
        using var reference = new SequenceModelEstimator(Options(KernelKind.Reference) with { Epochs = 2 }).Fit(data);
        var a = native.Parameters.Values;
        var b = reference.Parameters.Values;
        var worst = a.Zip(b, (x, y) => Math.Abs(x - y) / (1e-3 + Math.Abs(y))).Max();
        Assert.True(worst < 1e-3, $"native and reference kernels trained weights {worst:G3} apart (relative)");
    }

    [Fact]
    public void PeepholesNeedAnLstm()
    {
        var error = Assert.Throws<ArgumentException>(() => new SequenceModelEstimator(new SequenceModelOptions { Cell = RecurrentCell.Gru, Peepholes = true }));
        Assert.Equal("Peepholes", error.ParamName);
        Assert.Contains("Gru", error.Message);
    }
}
