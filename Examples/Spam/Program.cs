// The main demo: spam or ham on the SpamAssassin public corpus, learned from what a mail says (subject and decoded
// body; routing headers and mailing-list marks removed: MailTextExtractor, which the deploying side shares), with a
// GRU over word tokens.
// Usage: dotnet run -c Release --project Examples/Spam -- [--help] [--epochs N] [--readout last|max|mean] [--threads N]
//        [--seed N] [--split-seed N] [--hidden N] [--max-length N] [--max-token-length N] [--vocabulary N] [--min-count N]
//        [--kernel native|reference] [--output DIR] [--dropout P] [--lr X] [--unidirectional] [--embedding N]
//        [--keep-list-artifacts] [--validation F] [--decay FACTOR] [--average DECAY] [--tune F] [--no-baseline] [--corpus PATH]
// Prints the linear bag-of-words baseline and the GRU on the same stratified 80/20 split, writes the model (spam.mlnr)
// and its ONNX export (spam.onnx, raw text in) to the output folder, scores the held-out mails' texts again through
// ONNX Runtime (OnnxSequencePredictor, and InferenceSession directly as Examples/SpamDeploy does), writes those
// predictions (predictions.tsv) and prints the times taken.
// --tune F is for choosing settings: it trains on the training 80% less a stratified fraction F of it and reports on
// that fraction; the held-out 20% is not read.
using System.Diagnostics;
using System.Globalization;
using MlNetRnn;
using MlNetRnn.Examples.Datasets;
using MlNetRnn.Examples.Datasets.Baselines;
using MlNetRnn.Examples.Mail;
using MlNetRnn.Examples.SpamDeploy;
using MlNetRnn.Featurization;
using MlNetRnn.Kernels;
using MlNetRnn.Network;
using MlNetRnn.OnnxExport;
using MlNetRnn.Plotting;
using MlNetRnn.OnnxExport.Runtime;
using MlNetRnn.Training;

return ExampleProgram.Run("spam-demo", () =>
{
    // 6 epochs with a slow weight average (0.998) were chosen on --tune 0.2 (a fifth of the training mails; the held-out
    // 20% not read): seeds 1-3 reached 98.45, 98.66, 98.45% there, against 98.14, 98.55, 97.52% with the earlier 4
    // epochs and 0.99, whose held-out result moved between 98.2% and 98.9% with the seed and the kernel's rounding.
    var epochs = 6;
    var readOut = ReadOutKind.MaxPool;
    var threads = Environment.ProcessorCount;
    var seed = 1;
    var splitSeed = 42;
    var hidden = 64;
    var maxLength = 600;
    var maxTokenLength = new TextFeaturizerOptions().MaxTokenLength;
    var vocabularySize = 20000;
    var minCount = 2;
    var kernel = KernelKind.Native;
    var output = Path.Combine("artifacts", "spam");
    var dropout = 0.2f;
    var learningRate = 2e-3f;
    var bidirectional = true;
    var embedding = 96;
    var removeListArtifacts = true;
    var validation = 0f;
    var decay = 1f;
    var average = 0.998f;
    var tune = 0.0;
    var runBaseline = true;
    string? corpusPath = null;
    const string Options = "--help, --epochs N, --readout last|max|mean, --threads N, --seed N, --split-seed N, --hidden N, --max-length N, " +
        "--max-token-length N, --vocabulary N, --min-count N, --kernel native|reference, --output DIR, --dropout P, --lr X, --unidirectional, " +
        "--embedding N, --keep-list-artifacts, --validation F, --decay FACTOR, --average DECAY, --tune F, --no-baseline, --corpus PATH";
    for (var i = 0; i < args.Length; i++)
    {
        string Value() => i + 1 < args.Length ? args[++i] : throw new ArgumentException($"{args[i]} needs a value.");
        switch (args[i])
        {
            case "--epochs": epochs = ExampleProgram.Positive(args[i], Value()); break;
            case "--readout":
                readOut = Value() switch
                {
                    "last" => ReadOutKind.LastState,
                    "max" => ReadOutKind.MaxPool,
                    "mean" => ReadOutKind.MeanPool,
                    var other => throw new ArgumentException($"--readout '{other}': expected last, max or mean."),
                };
                break;
            case "--threads": threads = ExampleProgram.Positive(args[i], Value()); break;
            case "--seed": seed = ExampleProgram.Int(args[i], Value()); break;
            case "--split-seed": splitSeed = ExampleProgram.Int(args[i], Value()); break;
            case "--hidden": hidden = ExampleProgram.Int(args[i], Value()); break;
            case "--max-length": maxLength = ExampleProgram.Int(args[i], Value()); break;
            case "--max-token-length": maxTokenLength = ExampleProgram.Int(args[i], Value()); break;
            case "--vocabulary": vocabularySize = ExampleProgram.Int(args[i], Value()); break;
            case "--min-count": minCount = ExampleProgram.Int(args[i], Value()); break;
            case "--kernel": kernel = ExampleProgram.Choice<KernelKind>(args[i], Value()); break;
            case "--output": output = Value(); break;
            case "--dropout": dropout = (float)ExampleProgram.Number(args[i], Value()); break;
            case "--lr": learningRate = (float)ExampleProgram.Number(args[i], Value()); break;
            case "--unidirectional": bidirectional = false; break;
            case "--embedding": embedding = ExampleProgram.Int(args[i], Value()); break;
            case "--keep-list-artifacts": removeListArtifacts = false; break;
            case "--validation": validation = (float)ExampleProgram.Number(args[i], Value()); break;
            case "--decay": decay = (float)ExampleProgram.Number(args[i], Value()); break;
            case "--average": average = (float)ExampleProgram.Number(args[i], Value()); break;
            case "--tune": tune = ExampleProgram.Number(args[i], Value()); break;
            case "--no-baseline": runBaseline = false; break;
            case "--corpus": corpusPath = Value(); break;
            case "--help" or "-h":
                Console.WriteLine($"spam-demo: trains and exports the SpamAssassin spam model; options: {Options}");
                return 0;
            default:
                Console.Error.WriteLine($"spam-demo: unknown argument '{args[i]}'; expected {Options}");
                return 2;
        }
    }

    var total = Stopwatch.StartNew();
    var mailText = new MailTextOptions { RemoveMailingListArtifacts = removeListArtifacts };
    var mails = SpamAssassinCorpus.Load(corpusPath, mailText);
    var split = DatasetSplits.StratifiedSplit(mails, m => m.IsSpam, 0.2, splitSeed);
    Console.WriteLine($"SpamAssassin: {mails.Count} mails ({mails.Count(m => m.IsSpam)} spam); subject + decoded body, routing headers {(removeListArtifacts ? "and mailing-list marks " : "")}removed");
    Console.WriteLine($"stratified split (seed {splitSeed}): train {split.Train.Count}, test {split.Test.Count} ({split.Test.Count(m => m.IsSpam)} spam)");
    var heldOut = "the held-out 20%";
    if (tune > 0)
    {
        // Choosing settings: a validation slice of the training part stands in for the test mails, which stay unread.
        split = DatasetSplits.StratifiedSplit(split.Train, m => m.IsSpam, tune, splitSeed);
        heldOut = $"the validation {tune:P0} of train";
        Console.WriteLine($"tuning: train {split.Train.Count}, validation {split.Test.Count} ({split.Test.Count(m => m.IsSpam)} spam); the held-out test mails are not read");
    }

    var clock = Stopwatch.StartNew();
    if (runBaseline)
    {
        var baseline = BagOfWordsBaseline.Train(split.Train.Select(m => m.Text).ToList(), split.Train.Select(m => m.IsSpam).ToList());
        var baselineMetrics = BinaryClassificationMetrics.Compute(split.Test.Select(m => m.IsSpam).ToList(),
            baseline.PredictProbabilities(split.Test.Select(m => m.Text).ToList()));
        Console.WriteLine($"baseline, bag of words + logistic regression ({clock.Elapsed.TotalSeconds:F1} s): {baselineMetrics}");
    }

    static SequenceData ToData(IReadOnlyList<SpamMail> mails) =>
        SequenceData.FromTexts(mails.Select(m => m.Text).ToArray(), mails.Select(m => m.IsSpam ? "spam" : "ham").ToArray());
    var train = ToData(split.Train);
    var test = ToData(split.Test);
    var options = new SequenceModelOptions
    {
        Task = SequenceTask.BinaryClassification,
        PositiveLabel = "spam",
        Text = new TextFeaturizerOptions
        {
            MaxVocabularySize = vocabularySize, MinCount = minCount, MaxLength = maxLength, MaxTokenLength = maxTokenLength, Truncation = TruncationSide.KeepStart,
        },
        EmbeddingSize = embedding,
        Bidirectional = bidirectional,
        Cell = RecurrentCell.Gru,
        HiddenSize = hidden,
        ReadOut = readOut,
        Dropout = dropout,
        BatchSize = 32,
        LearningRate = learningRate,
        Schedule = decay < 1f ? LearningRateSchedule.Exponential(decay) : LearningRateSchedule.Constant,
        Epochs = epochs,
        ValidationFraction = validation,
        EarlyStoppingPatience = 2,
        WeightAverageDecay = average,
        Seed = seed,
        Threads = threads,
        Kernel = kernel,
    };
    Console.WriteLine($"GRU: embedding {embedding} -> {(bidirectional ? "bidirectional " : "")}GRU({hidden}) -> {readOut} -> Linear -> sigmoid; " +
                      $"up to {maxLength} tokens per mail (vocabulary: up to {vocabularySize} words of up to {maxTokenLength} characters seen {minCount}+ times), Adam lr {options.LearningRate}, dropout {dropout}, batch {options.BatchSize}, {epochs} epochs, " +
                      (average > 0 ? $"weights averaged (decay {average}), " : "") + $"{threads} thread(s)" +
                      (validation > 0 ? $", {validation:P0} of train for early stopping" : ""));
    clock.Restart();
    using var model = new SequenceModelEstimator(options).Fit(train, progress: new ConsoleTrainingProgress());
    var trainSeconds = clock.Elapsed.TotalSeconds;
    Console.WriteLine($"vocabulary {model.Schema.Featurizer!.Vocabulary.Count} tokens; trained in {trainSeconds:F1} s" +
                      (model.History.RestoredEpoch is { } best ? $", weights of epoch {best} (lowest validation loss)" : ""));

    clock.Restart();
    var metrics = model.Evaluate(test);
    Console.WriteLine($"GRU on {heldOut} ({clock.Elapsed.TotalSeconds:F1} s): accuracy {metrics.Accuracy:P2}, spam F1 {metrics.F1:F4}, " +
                      $"precision {metrics.Precision:F4}, recall {metrics.Recall:F4}, AUC {metrics.Auc:F4}");

    Directory.CreateDirectory(output);
    var modelPath = Path.Combine(output, "spam.mlnr");
    model.Save(modelPath);
    // The training history beside the model: the numbers (CSV) and the picture of loss and validation metric per epoch.
    var historyCsv = Path.Combine(output, "spam.history.csv");
    var historyPng = Path.Combine(output, "spam.history.png");
    model.History.SaveCsv(historyCsv);
    TrainingCurve.Save(model, historyPng);
    Console.WriteLine($"training history: {historyCsv}, curve: {historyPng}");
    clock.Restart();
    var onnxPath = Path.Combine(output, "spam.onnx");
    // The description names the text extraction, so that a scorer extracts the same way (SpamScorer reads it back).
    var report = model.ExportToOnnx(onnxPath, new OnnxExportOptions { Description = mailText.ToModelDescription() });
    Console.WriteLine($"model written to {modelPath}; ONNX export {onnxPath} ({new FileInfo(onnxPath).Length / 1e6:F1} MB, opset {report.Opset}, input '{report.Inputs[0]}') in {clock.Elapsed.TotalSeconds:F1} s" +
                      (report.Warnings.Count == 0 ? "" : "; " + string.Join(" ", report.Warnings)));

    // The held-out mails' texts again, through ONNX Runtime on the exported raw-text graph (tokenizer and vocabulary in
    // the graph): with MlNetRnn's OnnxSequencePredictor, and with Microsoft.ML.OnnxRuntime's InferenceSession alone, a
    // string tensor in and PredictedLabel / Probability out, as Examples/SpamDeploy scores raw mails.
    var native = model.Predict(test);
    clock.Restart();
    using var predictor = OnnxSequencePredictor.Load(onnxPath);
    var predicted = predictor.Predict(test);
    var predictorSeconds = clock.Elapsed.TotalSeconds;
    clock.Restart();
    using var scorer = SpamScorer.Load(onnxPath);
    var scored = scorer.Score(split.Test.Select(m => m.Text).ToList());
    var scorerSeconds = clock.Elapsed.TotalSeconds;
    var agree = Enumerable.Range(0, test.Count).Count(i =>
        predicted[i].PredictedLabel == native[i].PredictedLabel && scored[i].IsSpam == (native[i].PredictedLabel == "spam"));
    var largest = Enumerable.Range(0, test.Count).Max(i =>
        Math.Max(Math.Abs(predicted[i].Probability - native[i].Probability), Math.Abs(scored[i].Probability - native[i].Probability)));
    var onnxMetrics = BinaryClassificationMetrics.Compute(split.Test.Select(m => m.IsSpam).ToList(), scored.Select(p => (double)p.Probability).ToList());
    Console.WriteLine($"ONNX Runtime {OnnxRuntimeSession.RuntimeVersion} on {heldOut}, raw text in: {onnxMetrics}; " +
                      $"OnnxSequencePredictor {predictorSeconds:F1} s, InferenceSession {scorerSeconds:F1} s ({scorerSeconds * 1000 / test.Count:F1} ms a mail); " +
                      $"same label as the native model for {agree}/{test.Count} mails (both), largest probability difference {largest:G2}");
    var predictionsPath = Path.Combine(output, "predictions.tsv");
    File.WriteAllLines(predictionsPath, split.Test.Select((m, i) => string.Join('\t', m.Group, m.FileName, m.IsSpam ? "spam" : "ham",
        scored[i].IsSpam ? "spam" : "ham", scored[i].Probability.ToString("F6", CultureInfo.InvariantCulture))).Prepend("group\tfile\tlabel\tonnx\tprobability"));
    Console.WriteLine($"ONNX predictions written to {predictionsPath}");

    var passed = metrics.Accuracy >= 0.985 && metrics.F1 >= 0.97 && agree == test.Count;
    Console.WriteLine($"{(passed ? "PASS" : "MISS")}: target accuracy >= 98.50% and spam F1 >= 0.970 on {heldOut}; total {total.Elapsed.TotalSeconds:F0} s");
    return passed ? 0 : 1;
});
