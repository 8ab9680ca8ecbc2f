// Usage: dotnet run -c Release --project Examples/SpamBaseline -- [--seed N] [--test-fraction F] [--keep-list-artifacts] [--corpus PATH]
// Loads the SpamAssassin corpus, splits it (stratified, seeded), trains the bag-of-words logistic-regression baseline
// on the training part (model selection on a validation slice of it) and reports held-out metrics and times.
using System.Diagnostics;
using System.Globalization;
using MlNetRnn.Examples.Datasets;
using MlNetRnn.Examples.Datasets.Baselines;
using MlNetRnn.Examples.Mail;

return ExampleProgram.Run("spam-baseline", () =>
{
    var seed = 42;
    var testFraction = 0.2;
    var removeListArtifacts = true;
    string? corpusPath = null;
    for (var index = 0; index < args.Length; index++)
    {
        string Value() => index + 1 < args.Length ? args[++index] : throw new ArgumentException($"{args[index]} needs a value.");
        switch (args[index])
        {
            case "--seed": seed = ExampleProgram.Int(args[index], Value()); break;
            case "--test-fraction": testFraction = ExampleProgram.Number(args[index], Value()); break;
            case "--keep-list-artifacts": removeListArtifacts = false; break;
            case "--corpus": corpusPath = Value(); break;
            default:
                Console.Error.WriteLine($"spam-baseline: unknown argument '{args[index]}'; expected --seed N, --test-fraction F, --keep-list-artifacts, --corpus PATH");
                return 2;
        }
    }

    var clock = Stopwatch.StartNew();
    var mails = SpamAssassinCorpus.Load(corpusPath, new MailTextOptions { RemoveMailingListArtifacts = removeListArtifacts });
    var loadSeconds = clock.Elapsed.TotalSeconds;
    Console.WriteLine($"corpus: {mails.Count} mails ({mails.Count(m => m.IsSpam)} spam) loaded in {loadSeconds:F2} s; " +
                      $"list artifacts {(removeListArtifacts ? "removed" : "kept")}");
    foreach (var group in mails.GroupBy(m => m.Group))
        Console.WriteLine($"  {group.Key,-11} {group.Count(),5}");

    var split = DatasetSplits.StratifiedSplit(mails, mail => mail.IsSpam, testFraction, seed);
    Console.WriteLine($"split: seed {seed}, train {split.Train.Count}, test {split.Test.Count} ({split.Test.Count(m => m.IsSpam)} spam)");

    clock.Restart();
    var baseline = BagOfWordsBaseline.Train(split.Train.Select(m => m.Text).ToList(), split.Train.Select(m => m.IsSpam).ToList());
    var trainSeconds = clock.Elapsed.TotalSeconds;
    Console.WriteLine("validation slice of the training part:");
    foreach (var candidate in baseline.Candidates)
        Console.WriteLine($"  {candidate.FeatureMode,-13} L2 {candidate.L2,-7:G3} {candidate.Validation}");
    Console.WriteLine($"chosen: {baseline.FeatureMode}, L2 {baseline.L2:G3}, vocabulary {baseline.Vectorizer.FeatureCount} words, " +
                      $"{baseline.Model.Iterations} L-BFGS iterations; training took {trainSeconds:F1} s");

    clock.Restart();
    var probabilities = baseline.PredictProbabilities(split.Test.Select(m => m.Text).ToList());
    var metrics = BinaryClassificationMetrics.Compute(split.Test.Select(m => m.IsSpam).ToList(), probabilities);
    Console.WriteLine($"test: {metrics}; scoring took {clock.Elapsed.TotalMilliseconds:F0} ms");
    return 0;
});
