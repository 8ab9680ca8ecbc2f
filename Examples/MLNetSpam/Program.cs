// The spam demo written as an ML.NET pipeline: NormalizeText -> TokenizeIntoWords -> MapValueToKey -> the MlNetRnn GRU trainer
// (its epochs in the MLContext's log), ML.NET's Evaluate, a prediction engine, Model.Save, and Model.Load in a fresh MLContext.
// Writes spam.zip (the ML.NET model), spam.onnx, and the trainer's history (spam.history.csv) and training curve
// (spam.history.png) to the output folder.
// Usage: dotnet run -c Release --project Examples/MLNetSpam -- [--epochs N] [--output DIR] [--corpus PATH]
using System.Diagnostics;
using System.Globalization;
using Microsoft.ML;
using Microsoft.ML.Runtime;
using MlNetRnn;
using MlNetRnn.Examples.Datasets;
using MlNetRnn.MLNet;
using MlNetRnn.Network;
using MlNetRnn.Plotting;

return ExampleProgram.Run("mlnet-spam-demo", () =>
{
    var epochs = 4;
    var output = Path.Combine("artifacts", "mlnet-spam");
    string? corpusPath = null;
    for (var i = 0; i < args.Length; i++)
    {
        string Value() => i + 1 < args.Length ? args[++i] : throw new ArgumentException($"{args[i]} needs a value.");
        switch (args[i])
        {
            case "--epochs": epochs = ExampleProgram.Positive(args[i], Value()); break;
            case "--output": output = Value(); break;
            case "--corpus": corpusPath = Value(); break;
            default:
                Console.Error.WriteLine($"mlnet-spam-demo: unknown argument '{args[i]}'; expected --epochs N, --output DIR, --corpus PATH");
                return 2;
        }
    }

    var clock = Stopwatch.StartNew();
    var mails = SpamAssassinCorpus.Load(corpusPath);
    var split = DatasetSplits.StratifiedSplit(mails, m => m.IsSpam, 0.2, seed: 42);
    var ml = new MLContext(seed: 1);
    var train = ml.Data.LoadFromEnumerable(split.Train.Select(m => new Mail { Text = m.Text, Label = m.IsSpam }));
    var test = ml.Data.LoadFromEnumerable(split.Test.Select(m => new Mail { Text = m.Text, Label = m.IsSpam }));
    Console.WriteLine($"SpamAssassin: {split.Train.Count} training and {split.Test.Count} test mails");

    // Lower-cased words without punctuation; the first 30,000 distinct words become keys (key 0, "missing", is the model's
    // padding id for the rest). Sequences are cut to MaxLength tokens, in training and in scoring.
    // The network's seed comes from the MLContext's (seed: 1).
    var pipeline = ml.Transforms.Text.NormalizeText("Normalized", "Text", keepPunctuations: false)
        .Append(ml.Transforms.Text.TokenizeIntoWords("Tokens", "Normalized"))
        .Append(ml.Transforms.Conversion.MapValueToKey("TokenIds", "Tokens", maximumNumberOfKeys: 30_000))
        .Append(ml.BinaryClassification.Trainers.Gru(new RecurrentBinaryTrainer.Options
        {
            LabelColumnName = "Label", FeatureColumnName = "TokenIds", MaxLength = 600,
            HiddenSize = 64, EmbeddingSize = 96, Bidirectional = true, ReadOut = ReadOutKind.MaxPool, Dropout = 0.2f,
            LearningRate = 2e-3f, Epochs = epochs, WeightAverageDecay = 0.99f,
        }));
    // The trainer writes a line per epoch to the MLContext's log.
    ml.Log += (_, e) =>
    {
        if (e.Kind == ChannelMessageKind.Info && e.Source?.StartsWith("MlNetRnn.", StringComparison.Ordinal) == true)
            Console.WriteLine($"  {e.RawMessage}");
    };
    var model = pipeline.Fit(train);
    Console.WriteLine($"fitted in {clock.Elapsed.TotalSeconds:F0} s");
    var metrics = ml.BinaryClassification.Evaluate(model.Transform(test));
    Console.WriteLine($"ML.NET Evaluate on the held-out 20%: accuracy {metrics.Accuracy:P2}, F1 {metrics.F1Score:F4}, AUC {metrics.AreaUnderRocCurve:F4}");

    var engine = ml.Model.CreatePredictionEngine<Mail, SpamPrediction>(model);
    var sample = new Mail { Text = "Subject: cheap meds\nBuy now, limited offer, click here to claim your prize!!!" };
    var prediction = engine.Predict(sample);
    Console.WriteLine($"prediction engine: '{sample.Text.Split('\n')[0]}' -> spam {prediction.PredictedLabel} (probability {prediction.Probability:F3})");

    Directory.CreateDirectory(output);
    var path = Path.Combine(output, "spam.zip");
    ml.Model.Save(model, train.Schema, path);
    var fresh = new MLContext();
    var loaded = fresh.Model.Load(path, out _);
    var reloaded = fresh.Model.CreatePredictionEngine<Mail, SpamPrediction>(loaded).Predict(sample);
    Console.WriteLine($"saved to {path} ({new FileInfo(path).Length / 1e6:F1} MB); loaded in a fresh MLContext: probability {reloaded.Probability:F3}" +
                      (reloaded.Probability == prediction.Probability ? " (identical)" : " (DIFFERENT)"));
    var onnx = Path.Combine(output, "spam.onnx");
    var trainer = (SequenceModelTransformer)model.LastTransformer;
    trainer.ExportToOnnx(onnx);
    trainer.Model.History.SaveCsv(Path.Combine(output, "spam.history.csv"));
    TrainingCurve.Save(trainer.Model, Path.Combine(output, "spam.history.png"));
    Console.WriteLine($"training history: {Path.Combine(output, "spam.history.csv")}, curve: {Path.Combine(output, "spam.history.png")}");
    Console.WriteLine($"ONNX export of the trained network: {onnx}; total {clock.Elapsed.TotalSeconds:F0} s");
    return reloaded.Probability == prediction.Probability ? 0 : 1;
});

public sealed class Mail
{
    public string Text { get; set; } = "";

    public bool Label { get; set; }
}

public sealed class SpamPrediction
{
    public bool PredictedLabel { get; set; }

    public float Probability { get; set; }

    public float Score { get; set; }
}
