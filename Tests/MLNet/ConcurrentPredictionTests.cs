using Microsoft.ML;

namespace MlNetRnn.MLNet.Tests;

/// <summary>
/// The ML.NET path of the concurrency check (the native and ONNX paths are MlNetRnn.Tests' ConcurrentScoringTests):
/// 16 threads, two fitted pipelines (GRU and LSTM), each thread with a PredictionEngine of its own per model (a
/// PredictionEngine is not thread-safe; the fitted transformer is) and calling the shared transformer's Transform too;
/// every score bit for bit what one thread alone computed.
/// </summary>
public sealed class ConcurrentPredictionTests
{
    private static RecurrentBinaryTrainer.Options Small(int seed) => new()
    {
        LabelColumnName = "Label",
        FeatureColumnName = "TokenIds",
        HiddenSize = 16,
        EmbeddingSize = 8,
        Epochs = 1,
        Threads = 1,
        MaxLength = 40,
        Seed = seed,
    };

    [Fact]
    public void SixteenThreadsWithAPredictionEngineEachAndASharedTransformerGetTheSingleThreadedBits()
    {
        const int threads = 16, calls = 4;
        var ml = new MLContext(seed: 1);
        var rows = ToyData.Mails(60, seed: 3);
        var data = ml.Data.LoadFromEnumerable(rows);
        var prefix = ml.Transforms.Text.TokenizeIntoWords("Tokens", "Text").Append(ml.Transforms.Conversion.MapValueToKey("TokenIds", "Tokens"));
        ITransformer[] models =
        [
            prefix.Append(ml.BinaryClassification.Trainers.Gru(Small(1))).Fit(data),
            prefix.Append(ml.BinaryClassification.Trainers.Lstm(Small(2))).Fit(data),
        ];
        var probe = rows.Take(12).ToArray();
        string EngineBits(PredictionEngine<Mail, SpamPrediction> engine) =>
            string.Join(' ', probe.Select(r => BitConverter.SingleToInt32Bits(engine.Predict(r).Score).ToString("x8")));
        string TransformBits(ITransformer model) =>
            string.Join(' ', ml.Data.CreateEnumerable<SpamPrediction>(model.Transform(ml.Data.LoadFromEnumerable(probe)), reuseRowObject: false)
                .Select(p => BitConverter.SingleToInt32Bits(p.Score).ToString("x8")));
        var expected = models.Select(m => EngineBits(ml.Model.CreatePredictionEngine<Mail, SpamPrediction>(m))).ToArray();
        Assert.Equal(expected, models.Select(TransformBits));

        var mismatches = new System.Collections.Concurrent.ConcurrentBag<string>();
        using var start = new Barrier(threads);
        var workers = Enumerable.Range(0, threads).Select(t => new Thread(() =>
        {
            try
            {
                var engines = models.Select(m => ml.Model.CreatePredictionEngine<Mail, SpamPrediction>(m)).ToArray();
                var random = new Random(t);
                start.SignalAndWait();
                for (var call = 0; call < calls * models.Length; call++)
                {
                    var m = random.Next(models.Length);
                    var viaEngine = random.Next(2) == 0;
                    if ((viaEngine ? EngineBits(engines[m]) : TransformBits(models[m])) != expected[m])
                        mismatches.Add($"thread {t} call {call}: model {m} {(viaEngine ? "engine" : "transform")}");
                }
                foreach (var engine in engines)
                    engine.Dispose();
            }
            catch (Exception e)
            {
                mismatches.Add($"thread {t}: {e}");
            }
        })).ToList();
        workers.ForEach(w => w.Start());
        workers.ForEach(w => Assert.True(w.Join(TimeSpan.FromMinutes(2)), "a thread did not finish in 2 minutes"));
        Assert.True(mismatches.IsEmpty, string.Join('\n', mismatches.Take(10)));
    }
}
