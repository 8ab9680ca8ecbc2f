// Fashion-MNIST as sequences: each 28x28 image is 28 steps of 28 pixels, read by an LSTM with 128 units.
// Usage: dotnet run -c Release --project Examples/FashionMnist -- [--epochs N] [--threads N] [--train-limit N] [--seed N] [--kernel native|reference] [--output DIR] [--data DIR]
// Trains on the 60,000 training images (10% held out for early stopping), reports accuracy on the standard
// 10,000-image test set with a confusion matrix. Target: test accuracy >= 89%. Writes the model (fashion-mnist.mlnr),
// its history (fashion-mnist.history.csv) and its training curve (fashion-mnist.history.png) to the output folder.
using System.Diagnostics;
using System.Globalization;
using MlNetRnn;
using MlNetRnn.Examples.Datasets;
using MlNetRnn.Kernels;
using MlNetRnn.Network;
using MlNetRnn.Plotting;
using MlNetRnn.Training;

return ExampleProgram.Run("fashion-mnist-demo", () =>
{
    var epochs = 16;
    var threads = Environment.ProcessorCount;
    var trainLimit = int.MaxValue;
    var seed = 1;
    var kernel = KernelKind.Native;
    var output = Path.Combine("artifacts", "fashion-mnist");
    string? dataDirectory = null;
    for (var i = 0; i < args.Length; i++)
    {
        string Value() => i + 1 < args.Length ? args[++i] : throw new ArgumentException($"{args[i]} needs a value.");
        switch (args[i])
        {
            case "--epochs": epochs = ExampleProgram.Positive(args[i], Value()); break;
            case "--threads": threads = ExampleProgram.Positive(args[i], Value()); break;
            case "--train-limit": trainLimit = ExampleProgram.Int(args[i], Value()); break;
            case "--seed": seed = ExampleProgram.Int(args[i], Value()); break;
            case "--kernel": kernel = ExampleProgram.Choice<KernelKind>(args[i], Value()); break;
            case "--output": output = Value(); break;
            case "--data": dataDirectory = Value(); break;
            default:
                Console.Error.WriteLine($"fashion-mnist-demo: unknown argument '{args[i]}'; expected --epochs N, --threads N, --train-limit N, --seed N, --kernel native|reference, --output DIR, --data DIR");
                return 2;
        }
    }

    var total = Stopwatch.StartNew();
    var data = FashionMnistDataset.Load(dataDirectory);
    var names = FashionMnistDataset.ClassNames;
    SequenceData ToData(FashionMnistSplit split, int limit) =>
        SequenceData.FromFeatures(split.Images.Take(limit).ToArray(), FashionMnistDataset.FeaturesPerStep,
            split.Labels.Take(limit).Select(l => names[l]).ToArray());
    var train = ToData(data.Train, trainLimit);
    var test = ToData(data.Test, int.MaxValue);
    Console.WriteLine($"Fashion-MNIST: {train.Count} training and {test.Count} test images as 28 steps x 28 pixels (loaded in {total.Elapsed.TotalSeconds:F1} s)");

    var options = new SequenceModelOptions
    {
        Task = SequenceTask.MulticlassClassification,
        Cell = RecurrentCell.Lstm,
        HiddenSize = 128,
        BatchSize = 100,
        LearningRate = 2e-3f,
        Schedule = LearningRateSchedule.StepDecay(everyEpochs: 4, factor: 0.5f),
        GradientClipNorm = 5f,
        WeightAverageDecay = 0.998f,
        Epochs = epochs,
        ValidationFraction = 0.1f,
        EarlyStoppingPatience = 3,
        Seed = seed,
        Threads = threads,
        Kernel = kernel,
    };
    Console.WriteLine($"LSTM(28 -> 128) -> last state -> Linear(128 -> 10), Adam lr {options.LearningRate} halved every 4 epochs, batch {options.BatchSize}, weights averaged (decay {options.WeightAverageDecay}), {threads} thread(s)");
    var clock = Stopwatch.StartNew();
    using var model = new SequenceModelEstimator(options).Fit(train, progress: new ConsoleTrainingProgress());
    var trainSeconds = clock.Elapsed.TotalSeconds;
    if (model.History.RestoredEpoch is { } best)
        Console.WriteLine($"restored the weights of epoch {best} (lowest validation loss)");
    var modelPath = Path.Combine(output, "fashion-mnist.mlnr");
    model.Save(modelPath);
    model.History.SaveCsv(Path.ChangeExtension(modelPath, ".history.csv"));
    TrainingCurve.Save(model, Path.ChangeExtension(modelPath, ".history.png"));
    Console.WriteLine($"wrote {modelPath} with its history (.history.csv) and training curve (.history.png)");

    clock.Restart();
    var metrics = model.Evaluate(test);
    Console.WriteLine($"test ({test.Count} images): {metrics}  (evaluated in {clock.Elapsed.TotalSeconds:F1} s)");
    Console.WriteLine("confusion matrix (rows: actual, columns: predicted):");
    var labels = model.Labels;
    Console.WriteLine("  " + string.Concat(labels.Select(l => $"{l[..Math.Min(5, l.Length)],7}")));
    for (var a = 0; a < labels.Count; a++)
        Console.WriteLine($"  {string.Concat(metrics.ConfusionMatrix![a].Select(c => $"{c,7}"))}  {labels[a]}");
    Console.WriteLine($"test accuracy {metrics.Accuracy:P2} (target >= 89%); training {trainSeconds:F0} s, total {total.Elapsed.TotalSeconds:F0} s");
    return metrics.Accuracy >= 0.89 ? 0 : 1;
});
