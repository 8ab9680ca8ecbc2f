// A user's application, built only from NuGet packages (see README.md): train a small GRU spam filter through the core
// API and through ML.NET's catalog, export both to ONNX, score the exports with the official ONNX Runtime
// (InferenceSession) and with ML.NET's ApplyOnnxModel, and check that every score agrees with the library's own within
// 1e-5. Prints one line per check; exits 1 on a disagreement. Run from any folder (it writes to a temporary one).
using Microsoft.ML;
using Microsoft.ML.OnnxRuntime;
using MlNetRnn;
using MlNetRnn.MLNet;

const double Tolerance = 1e-5;
var failures = 0;
void Check(string what, double largest)
{
    var ok = largest <= Tolerance;
    failures += ok ? 0 : 1;
    Console.WriteLine($"{(ok ? "ok  " : "FAIL")} {what}: largest difference {largest:G3} (tolerance {Tolerance:G1})");
}

if (args is ["cuda", var onnxFile])
    return CudaCheck.Run(onnxFile);

var (trainTexts, trainLabels) = Mails.Make(count: 400, seed: 1);
var (testTexts, testLabels) = Mails.Make(count: 40, seed: 2);
var folder = Directory.CreateTempSubdirectory("mlnetrnn-consumer-").FullName;
Console.WriteLine($"MlNetRnn {typeof(SequenceModel).Assembly.GetName().Version}, ONNX Runtime {OnnxRuntimeSession.RuntimeVersion}, kernel from the package");

// 1. The core API: text in, a GRU, ONNX out.
var options = new SequenceModelOptions
{
    Task = SequenceTask.BinaryClassification, PositiveLabel = "spam", Cell = RecurrentCell.Gru, HiddenSize = 16,
    EmbeddingSize = 16, Epochs = 5, LearningRate = 3e-3f, Seed = 5, Threads = 2,
    Text = new TextFeaturizerOptions { MinCount = 1, MaxLength = 40 },
};
using var model = new SequenceModelEstimator(options).Fit(SequenceData.FromTexts(trainTexts, trainLabels.Select(l => l ? "spam" : "ham").ToArray()));
var native = model.Predict(SequenceData.FromTexts(testTexts));
var accuracy = native.Zip(testLabels).Count(p => (p.First.PredictedLabel == "spam") == p.Second) / (double)testLabels.Length;
Console.WriteLine($"core API: trained {model.History.Epochs.Count} epochs, accuracy {accuracy:P0} on {testLabels.Length} held-out texts");
model.History.SaveCsv(Path.Combine(folder, "core.history.csv"));
MlNetRnn.Plotting.TrainingCurve.Save(model, Path.Combine(folder, "core.history.png"));
Check("core API model, training curve written (PNG bytes missing)", new FileInfo(Path.Combine(folder, "core.history.png")).Length > 10_000 ? 0 : 1);
var corePath = Path.Combine(folder, "core.onnx");
model.ExportToOnnx(corePath);

// The export takes the raw text ("Text", [batch, 1]): the tokenizer and vocabulary are in the graph.
using (var session = new InferenceSession(corePath))
{
    var text = OrtValue.CreateTensorWithEmptyStrings(OrtAllocator.DefaultInstance, [testTexts.Length, 1]);
    for (var i = 0; i < testTexts.Length; i++)
        text.StringTensorSetElementAt(testTexts[i].AsSpan(), i);
    using (text)
    using (var results = session.Run(new RunOptions(), ["Text"], [text], ["Probability", "PredictedLabel"]))
    {
        var probability = results[0].GetTensorDataAsSpan<float>().ToArray();
        var label = results[1].GetTensorDataAsSpan<bool>().ToArray();
        Check("core API model, ONNX Runtime InferenceSession on raw text vs model.Predict",
            Enumerable.Range(0, testTexts.Length).Max(i => Math.Abs(probability[i] - native[i].Probability) + (label[i] == (native[i].PredictedLabel == "spam") ? 0 : 1)));
    }
}

using (var predictor = OnnxSequencePredictor.Load(corePath))
{
    var onnx = predictor.Predict(SequenceData.FromTexts(testTexts));
    Check("core API model, OnnxSequencePredictor vs model.Predict", onnx.Zip(native).Max(p => Math.Abs(p.First.Probability - p.Second.Probability)));
}

// 2. ML.NET: the caller's pipeline with the GRU trainer from the catalog.
var ml = new MLContext(seed: 1);
var train = ml.Data.LoadFromEnumerable(trainTexts.Zip(trainLabels, (t, l) => new Mail { Text = t, Label = l }));
var test = ml.Data.LoadFromEnumerable(testTexts.Zip(testLabels, (t, l) => new Mail { Text = t, Label = l }));
var pipeline = ml.Transforms.Text.TokenizeIntoWords("Tokens", "Text")
    .Append(ml.Transforms.Conversion.MapValueToKey("TokenIds", "Tokens"))
    .Append(ml.BinaryClassification.Trainers.Gru(labelColumnName: "Label", featureColumnName: "TokenIds", hiddenSize: 16, epochs: 5, learningRate: 3e-3f));
var fitted = pipeline.Fit(train);
var metrics = ml.BinaryClassification.Evaluate(fitted.Transform(test));
Console.WriteLine($"ML.NET: Evaluate accuracy {metrics.Accuracy:P0}, AUC {metrics.AreaUnderRocCurve:F3}");
var scored = ml.Data.CreateEnumerable<Scored>(fitted.Transform(test), reuseRowObject: false).ToArray();
var trainer = (SequenceModelTransformer)fitted.LastTransformer;
var mlnetPath = Path.Combine(folder, "mlnet.onnx");
trainer.ExportToOnnx(mlnetPath);

// The export takes the raw text too (the words TokenizeIntoWords split, looked up in MapValueToKey's keys); ML.NET's
// ApplyOnnxModel scores it on the Text column, SequenceOnnxScores makes its outputs the scalars Evaluate reads.
var applied = ml.Transforms.ApplyOnnxModel(["PredictedLabel", "Score", "Probability"], ["Text"], mlnetPath)
    .Append(ml.Transforms.SequenceOnnxScores(SequenceTask.BinaryClassification)).Fit(test).Transform(test);
var onnxScored = ml.Data.CreateEnumerable<Scored>(applied, reuseRowObject: false).ToArray();
Check("ML.NET model, ML.NET ApplyOnnxModel on raw text vs the ML.NET trainer's Probability", onnxScored.Zip(scored).Max(p => Math.Abs(p.First.Probability - p.Second.Probability)));
var onnxMetrics = ml.BinaryClassification.Evaluate(applied);
Check("ML.NET model, Evaluate on ApplyOnnxModel's output vs on the trainer's (accuracy)", Math.Abs(onnxMetrics.Accuracy - metrics.Accuracy));

// A model loaded with Model.Load exports the same graph.
var zip = Path.Combine(folder, "model.zip");
ml.Model.Save(fitted, train.Schema, zip);
var loadedPath = Path.Combine(folder, "loaded.onnx");
new MLContext().Model.Load(zip, out _).ExportSequenceModelToOnnx(loadedPath);
Check("ML.NET model loaded with Model.Load, its export vs the fitted model's (bytes differing)",
    File.ReadAllBytes(loadedPath).SequenceEqual(File.ReadAllBytes(mlnetPath)) ? 0 : 1);

File.Copy(corePath, Path.Combine(AppContext.BaseDirectory, "core.onnx"), overwrite: true);   // for the CUDA check
Directory.Delete(folder, recursive: true);
Console.WriteLine(failures == 0 ? "consumer check: every score agrees" : $"consumer check: {failures} check(s) FAILED");
return failures == 0 ? 0 : 1;

/// <summary>
/// Built with Microsoft.ML.OnnxRuntime.Gpu.Linux instead of the CPU package, on a machine without CUDA: asking for CUDA
/// throws MlNetRnn's OnnxExecutionProviderException naming the missing CUDA libraries and the fallback; with the
/// fallback allowed, the session runs on the CPU and says why.
/// </summary>
internal static class CudaCheck
{
    public static int Run(string onnxFile)
    {
        Console.WriteLine($"providers of this ONNX Runtime build: {string.Join(", ", OnnxRuntimeSession.AvailableProviders)}");
        var cuda = new OnnxSessionOptions { ExecutionProvider = OnnxExecutionProvider.Cuda };
        try
        {
            using var predictor = OnnxSequencePredictor.Load(onnxFile, cuda);
            Console.WriteLine($"CUDA session created on {predictor.Session.ExecutionProvider}: this machine has CUDA");
            return 0;
        }
        catch (OnnxExecutionProviderException e)
        {
            Console.WriteLine($"CUDA refused: {e.Message}");
            var named = new[] { "libcudart.so.13", "libcuda.so.1", "--cpu-fallback" }.Where(e.Message.Contains).ToList();
            if (named.Count != 3)
            {
                Console.WriteLine("FAIL: the message does not name the missing CUDA runtime, the driver library and the fallback");
                return 1;
            }
        }
        using var fallback = OnnxSequencePredictor.Load(onnxFile, new OnnxSessionOptions { ExecutionProvider = OnnxExecutionProvider.Cuda, AllowCpuFallback = true });
        var prediction = fallback.Predict("free prize click now");
        Console.WriteLine($"with AllowCpuFallback: running on {fallback.Session.ExecutionProvider} ({(fallback.Session.FallbackReason is null ? "no reason" : "reason given")}), " +
                          $"spam probability {prediction.Probability:F4}");
        return fallback.Session.ExecutionProvider == OnnxExecutionProvider.Cpu && fallback.Session.FallbackReason is not null ? 0 : 1;
    }
}

public sealed class Mail
{
    public string Text { get; set; } = "";

    public bool Label { get; set; }
}

public sealed class Scored
{
    public float Probability { get; set; }
}

/// <summary>Deterministic toy mails: spam draws more often from offer words, ham from work words.</summary>
internal static class Mails
{
    private static readonly string[] Offer = ["free", "winner", "prize", "click", "offer", "cash", "now", "urgent", "credit", "deal"];
    private static readonly string[] Work = ["meeting", "report", "schedule", "project", "review", "team", "notes", "budget", "draft", "agenda"];
    private static readonly string[] Common = ["the", "a", "to", "for", "your", "and", "of", "this", "is", "we"];

    public static (string[] Texts, bool[] Labels) Make(int count, int seed)
    {
        var random = new Random(seed);
        var texts = new string[count];
        var labels = new bool[count];
        for (var i = 0; i < count; i++)
        {
            labels[i] = i % 2 == 0;
            var words = Enumerable.Range(0, 6 + random.Next(20)).Select(_ =>
            {
                var roll = random.NextDouble();
                var pool = roll < 0.4 ? Common : (roll < 0.8) == labels[i] ? Offer : Work;
                return pool[random.Next(pool.Length)];
            });
            texts[i] = string.Join(' ', words);
        }
        return (texts, labels);
    }
}
