using System.Diagnostics;
using MlNetRnn;
using MlNetRnn.Featurization;
using MlNetRnn.Network;
using MlNetRnn.OnnxExport.Export;
using MlNetRnn.Training;

/// <summary>
/// Memory per concurrent scorer (docs/reliability.md): two spam-demo-sized models (20,000 words, embedding 96; a
/// bidirectional GRU of 64 with max pooling, and an LSTM of 128 with 3 classes), scored by 1, 2, 4, 8, 16 threads at
/// once, each thread a batch of 64 texts of 600 words per call, alternating the models; the process's RSS after each
/// step (and its peak), through the native path (one SequenceModel each) or the ONNX path (one OnnxSequencePredictor
/// each). One path per process, so that the numbers are the path's own.
/// </summary>
internal static class ScoringMemory
{
    public static int Run(string[] args)
    {
        string? Option(string name) => Array.IndexOf(args, name) is var i and >= 0 && i + 1 < args.Length ? args[i + 1] : null;
        var path = Option("--path") ?? "native";
        var steps = (Option("--threads") ?? "1,2,4,8,16").Split(',').Select(int.Parse).ToArray();
        var calls = int.Parse(Option("--calls") ?? "4");
        var scratch = Directory.CreateTempSubdirectory("mlnetrnn-memory");
        try
        {
            var words = Enumerable.Range(0, 20_000).Select(i => $"w{i}").ToArray();
            var models = new[] { Create(words, RecurrentCell.Gru, 64, bidirectional: true, classes: 2), Create(words, RecurrentCell.Lstm, 128, bidirectional: false, classes: 3) };
            var random = new Random(1);
            var texts = Enumerable.Range(0, 64).Select(_ => string.Join(' ', Enumerable.Range(0, 600).Select(_ => words[random.Next(2000)]))).ToArray();
            var input = SequenceData.FromTexts(texts);
            Func<int, IReadOnlyList<SequencePrediction>>[] score;
            var predictors = new List<IDisposable>();
            if (path == "onnx")
            {
                score = models.Select((m, i) =>
                {
                    var file = Path.Combine(scratch.FullName, $"m{i}.onnx");
                    OnnxExporter.Export(m, file);
                    var predictor = OnnxSequencePredictor.Load(file, new OnnxSessionOptions { CpuMemoryArena = !args.Contains("--no-arena") });
                    predictors.Add(predictor);
                    return (Func<int, IReadOnlyList<SequencePrediction>>)(_ => predictor.Predict(input));
                }).ToArray();
            }
            else
            {
                score = models.Select(m => (Func<int, IReadOnlyList<SequencePrediction>>)(_ => m.Predict(input))).ToArray();
            }
            foreach (var s in score)
                s(0);
            Console.WriteLine($"scoring-memory {path}{(path == "onnx" && args.Contains("--no-arena") ? " (ORT CPU arena off)" : "")}: 2 models, 64 texts x 600 words a call, {calls} calls per thread per step; after one call each: RSS {Rss("VmRSS")} MiB");
            var totalCalls = 0;
            foreach (var threads in steps)
            {
                var clock = Stopwatch.StartNew();
                var workers = Enumerable.Range(0, threads).Select(t => new Thread(() =>
                {
                    for (var c = 0; c < calls; c++)
                    {
                        score[(t + c) % score.Length](c);
                        Interlocked.Increment(ref totalCalls);
                    }
                })).ToList();
                workers.ForEach(w => w.Start());
                workers.ForEach(w => w.Join());
                GC.Collect();
                GC.WaitForPendingFinalizers();
                Console.WriteLine($"  {threads,2} threads: RSS {Rss("VmRSS"),6} MiB, peak {Rss("VmHWM"),6} MiB, managed heap {GC.GetTotalMemory(false) >> 20} MiB, {clock.Elapsed.TotalSeconds:F1} s");
            }
            Console.WriteLine($"  {totalCalls} calls in all");
            predictors.ForEach(p => p.Dispose());
            foreach (var m in models)
                m.Dispose();
            return 0;
        }
        finally
        {
            scratch.Delete(recursive: true);
        }
    }

    private static long Rss(string field) =>
        long.Parse(File.ReadLines("/proc/self/status").First(l => l.StartsWith(field + ":", StringComparison.Ordinal)).Split(' ', StringSplitOptions.RemoveEmptyEntries)[1]) >> 10;

    private static SequenceModel Create(string[] words, RecurrentCell cell, int hidden, bool bidirectional, int classes)
    {
        var vocabulary = new Vocabulary([Vocabulary.PaddingToken, Vocabulary.UnknownToken, .. words]);
        var featurizer = new TextFeaturizer(new TextFeaturizerOptions { MinCount = 1, MaxLength = 600 }, vocabulary);
        var task = classes == 2 ? SequenceTask.BinaryClassification : SequenceTask.MulticlassClassification;
        var spec = new SequenceNetworkSpec
        {
            Task = task, InputKind = SequenceInputKind.Tokens, InputWidth = vocabulary.Count, EmbeddingSize = 96, Cell = cell,
            HiddenSize = hidden, Layers = 1, Bidirectional = bidirectional, ReadOut = ReadOutKind.MaxPool, OutputSize = classes == 2 ? 1 : classes,
        };
        var parameters = new ParameterSet(SequenceNetwork.Layout(spec));
        var random = new SeededRandom(7);
        for (var i = 0; i < parameters.Count; i++)
            parameters.Values[i] = random.Uniform(-0.1f, 0.1f);
        var schema = new SequenceModelSchema
        {
            Task = task, Input = SequenceInputKindOfData.Text, VocabularySize = vocabulary.Count, Featurizer = featurizer,
            Labels = classes == 2 ? ["ham", "spam"] : ["a", "b", "c"],
        };
        return new SequenceModel(schema, spec, parameters, new SequenceModelOptions { Task = task, Threads = 1 });
    }
}
