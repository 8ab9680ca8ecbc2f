using MlNetRnn.Kernels;
using MlNetRnn.OnnxExport.Export;
using MlNetRnn.Tests.Export;

namespace MlNetRnn.Tests.Integrity;

/// <summary>
/// The concurrency check of the hostile-input issue in a bounded form: 16 threads at once, each scoring two models
/// (a GRU text model and a bidirectional two-layer LSTM token model) through the native path (SequenceModel.Predict,
/// one shared model) and the ONNX path (one shared OnnxSequencePredictor per model), several calls each, all in a random
/// order per thread; every result must be bit for bit what one thread alone computed. The thread-safety rules these
/// rely on are in docs/reliability.md; the ML.NET path is MlNetRnn.MLNet.Tests' ConcurrentPredictionTests.
/// </summary>
public sealed class ConcurrentScoringTests : IDisposable
{
    private readonly DirectoryInfo _directory = Directory.CreateTempSubdirectory("mlnetrnn-concurrency");

    public void Dispose() => _directory.Delete(recursive: true);

    [Fact]
    public void SixteenThreadsScoringTwoModelsNativelyAndInOnnxRuntimeGetTheSingleThreadedBits()
    {
        const int threads = 16, calls = 6;
        var models = new[] { "binary gru text max", "multiclass lstm tokens mean bidirectional 2layers" }.Select(configuration =>
        {
            var model = RandomModels.Create(configuration, KernelKind.Native);
            var path = Path.Combine(_directory.FullName, configuration.Split(' ')[0] + ".onnx");
            OnnxExporter.Export(model, path);
            return (Model: model, Onnx: OnnxSequencePredictor.Load(path), Input: SeedFiles.Input(model));
        }).ToArray();
        try
        {
            // Alone first: what every concurrent call must reproduce.
            var expected = models.Select(m => (Native: LoadOracle.Loaded.Predictions(m.Model, m.Input), Onnx: LoadOracle.Loaded.Predictions(m.Onnx.Predict(m.Input)))).ToArray();
            var mismatches = new System.Collections.Concurrent.ConcurrentBag<string>();
            var totalCalls = 0;
            using var start = new Barrier(threads);
            var workers = Enumerable.Range(0, threads).Select(t => new Thread(() =>
            {
                var random = new Random(t);
                start.SignalAndWait();
                for (var call = 0; call < calls * models.Length * 2; call++)
                {
                    var m = random.Next(models.Length);
                    var onnx = random.Next(2) == 1;
                    var actual = onnx ? LoadOracle.Loaded.Predictions(models[m].Onnx.Predict(models[m].Input)) : LoadOracle.Loaded.Predictions(models[m].Model, models[m].Input);
                    if (actual != (onnx ? expected[m].Onnx : expected[m].Native))
                        mismatches.Add($"thread {t} call {call}: model {m} {(onnx ? "ONNX" : "native")}");
                    Interlocked.Increment(ref totalCalls);
                }
            })).ToList();
            workers.ForEach(w => w.Start());
            workers.ForEach(w => Assert.True(w.Join(TimeSpan.FromMinutes(2)), "a scoring thread did not finish in 2 minutes"));
            Assert.Equal(threads * calls * models.Length * 2, totalCalls);
            Assert.True(mismatches.IsEmpty, string.Join('\n', mismatches.Take(10)));
        }
        finally
        {
            foreach (var m in models)
            {
                m.Onnx.Dispose();
                m.Model.Dispose();
            }
        }
    }
}
