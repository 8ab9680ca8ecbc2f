using System.Globalization;
using SkiaSharp;

namespace MlNetRnn.Tests.CommandLine;

/// <summary>`mlnetrnn train` end to end in process on files of a few rows: every format, every task, resume, errors.</summary>
public sealed class TrainCommandTests : IDisposable
{
    private static readonly string[] Small = ["--hidden-size", "8", "--embedding-size", "8", "--min-count", "1", "--threads", "1"];
    private readonly CliFiles _files = new();

    [Theory]
    [InlineData("csv")]
    [InlineData("tsv")]
    [InlineData("jsonl")]
    public void TrainsFromEachFormatAndWritesTheModelHistoryAndCurve(string format)
    {
        var (csv, tsv, jsonl) = _files.Mails();
        var data = format switch { "csv" => csv, "tsv" => tsv, _ => jsonl };
        var model = _files[$"mail-{format}.mlnr"];
        var run = CliRun.Run(["train", "--data", data, "--task", "binary", "--model", model, "--epochs", "3", "--validation-fraction", "0.25", .. Small]);
        Assert.True(run.Code == 0, run.ToString());
        Assert.Contains("24 rows, text from 'text', targets from 'label'", run.Output);
        Assert.Contains("classes: ham, spam (positive: spam)", run.Output);
        Assert.Equal(3, run.Lines.Count(l => l.TrimStart().StartsWith("epoch ", StringComparison.Ordinal)));
        Assert.Empty(run.Error);

        using var trained = SequenceModel.Load(model);
        Assert.Equal(["ham", "spam"], trained.Labels);
        Assert.Equal(3, trained.History.Epochs.Count);

        var history = File.ReadAllLines(_files[$"mail-{format}.history.csv"]);
        Assert.Equal("epoch,learning_rate,train_loss,validation_loss,validation_accuracy,validation_precision,validation_recall,validation_f1,validation_auc,seconds", history[0]);
        Assert.Equal(4, history.Length);
        for (var e = 0; e < 3; e++)
        {
            var fields = history[e + 1].Split(',');
            Assert.Equal((e + 1).ToString(CultureInfo.InvariantCulture), fields[0]);
            Assert.Equal(trained.History.Epochs[e].TrainLoss, double.Parse(fields[2], CultureInfo.InvariantCulture));
        }

        AssertCurve(_files[$"mail-{format}.history.png"]);
    }

    [Fact]
    public void ResumesFromACheckpointToTheWeightsOfAnUninterruptedRun()
    {
        var (csv, _, _) = _files.Mails();
        string[] common = ["--data", csv, "--task", "binary", "--validation-fraction", "0.25", "--learning-rate", "0.01", .. Small];
        var whole = CliRun.Run(["train", "--model", _files["whole.mlnr"], "--epochs", "4", .. common]);
        Assert.True(whole.Code == 0, whole.ToString());

        // A run stopped after epoch 2 (as a killed run leaves its checkpoint), then the command run again for 4 epochs.
        var checkpoint = _files["run.checkpoint"];
        var first = CliRun.Run(["train", "--model", _files["resumed.mlnr"], "--epochs", "2", "--checkpoint", checkpoint, .. common]);
        Assert.True(first.Code == 0, first.ToString());
        Assert.True(File.Exists(checkpoint));
        var second = CliRun.Run(["train", "--model", _files["resumed.mlnr"], "--epochs", "4", "--checkpoint", checkpoint, .. common]);
        Assert.True(second.Code == 0, second.ToString());
        Assert.Contains("resuming from", second.Output);
        Assert.Contains("2 of 4 epochs done", second.Output);
        Assert.Equal(2, second.Lines.Count(l => l.TrimStart().StartsWith("epoch ", StringComparison.Ordinal)));

        using var a = SequenceModel.Load(_files["whole.mlnr"]);
        using var b = SequenceModel.Load(_files["resumed.mlnr"]);
        Assert.Equal(a.Parameters.Values, b.Parameters.Values);
        Assert.Equal(a.History.Epochs.Select(e => e.TrainLoss), b.History.Epochs.Select(e => e.TrainLoss));
        Assert.Equal(a.History.RestoredEpoch, b.History.RestoredEpoch);
        // The history file of the resumed run holds all four epochs.
        Assert.Equal(5, File.ReadAllLines(_files["resumed.history.csv"]).Length);
    }

    [Theory]
    [InlineData("multiclass", "sequence.jsonl")]
    [InlineData("regression", "regression.csv")]
    [InlineData("regression-steps", "regression-steps.jsonl")]
    [InlineData("tagging", "tags.jsonl")]
    [InlineData("lm", "corpus.txt")]
    public void TrainsAndEvaluatesEveryTask(string task, string file)
    {
        var data = _files[file];
        File.WriteAllText(data, SampleData(task));
        var model = _files[task + ".mlnr"];
        string[] extra = task switch
        {
            "regression-steps" => ["--task", "regression", "--per-step"],
            "lm" => ["--task", "lm", "--tokenizer", "chars", "--bptt-length", "8", "--batch-size", "4", "--validation-fraction", "0.2"],
            _ => ["--task", task, "--validation-fraction", "0.25"],
        };
        var run = CliRun.Run(["train", "--data", data, "--model", model, "--epochs", "2", .. extra, .. Small]);
        Assert.True(run.Code == 0, run.ToString());
        Assert.True(File.Exists(_files[task + ".history.png"]));

        var evaluation = CliRun.Run("evaluate", "--model", model, "--data", data);
        Assert.True(evaluation.Code == 0, evaluation.ToString());
        Assert.Contains(task switch
        {
            "regression" or "regression-steps" => "RMSE: ",
            "lm" => "perplexity: ",
            _ => "accuracy: ",
        }, evaluation.Output);
    }

    [Fact]
    public void ABadRowNamesItsLineAndColumn()
    {
        File.WriteAllText(_files["bad.csv"], "sequence,label\n\"1 2; 3 4\",1.5\n\"5 6; 7 8\",2\n\"1 x; 3 4\",0\n");
        var run = CliRun.Run(["train", "--data", _files["bad.csv"], "--task", "regression", "--model", _files["bad.mlnr"], .. Small]);
        CliRun.AssertBadInput(run, "bad.csv:4: column 'sequence' (field 1): 'x' is not a finite number");

        File.WriteAllText(_files["bad.jsonl"], "{\"text\": \"a b\", \"label\": \"x\"}\n\n{\"text\": \"c\"}\n");
        run = CliRun.Run(["train", "--data", _files["bad.jsonl"], "--task", "multiclass", "--model", _files["bad.mlnr"], .. Small]);
        CliRun.AssertBadInput(run, "bad.jsonl:3: no \"label\" in this object");
    }

    [Fact]
    public void TrainsWithPeepholesASchedulesWarmUpAndTruncatedBptt()
    {
        var (csv, _, _) = _files.Mails();
        var model = _files["peepholes.mlnr"];
        var run = CliRun.Run(["train", "--data", csv, "--task", "binary", "--model", model, "--cell", "lstm", "--peepholes", "--schedule", "cosine",
            "--warmup-epochs", "1", "--tbptt-steps", "2", "--epochs", "3", .. Small]);
        Assert.True(run.Code == 0, run.ToString());
        using var trained = SequenceModel.Load(model);
        Assert.True(trained.Options.Peepholes);
        Assert.Equal(2, trained.Options.TruncatedBpttSteps);
        Assert.Equal(LearningRateSchedule.Cosine(3).WithWarmup(1), trained.Options.Schedule);
        Assert.True(trained.Parameters.Contains("rnn.0.P"));
        // The rate rises over the warm-up epoch, then decays.
        var rates = trained.History.Epochs.Select(e => e.LearningRate).ToArray();
        Assert.True(rates[0] < rates[1] && rates[2] < rates[1], string.Join(", ", rates));
    }

    [Theory]
    [InlineData("--peepholes", "Peepholes are an LSTM connection")]
    [InlineData("--schedule plateau", "validation")]
    [InlineData("--tbptt-steps 4 --bidirectional", "bidirectional")]
    public void NewTrainingOptionsRefuseWhatCannotWork(string arguments, string message)
    {
        var (csv, _, _) = _files.Mails();
        CliRun.AssertBadInput(CliRun.Run(["train", "--data", csv, "--task", "binary", "--model", _files["m2.mlnr"], .. arguments.Split(' '), .. Small]), message);
        Assert.False(File.Exists(_files["m2.mlnr"]));
    }

    [Theory]
    [InlineData("--data missing.csv", "No data file at 'missing.csv'")]
    [InlineData("--label-column kind", "no column 'kind' for the labels; the columns are id, text, label")]
    [InlineData("--text-column body", "no column 'body' for the text")]
    [InlineData("--epochs abc", "Cannot parse argument 'abc' for option '--epochs' as an integer")]
    [InlineData("--threads 0", "--threads must be 1 to 256, got 0")]
    [InlineData("--threads 100000", "--threads must be 1 to 256, got 100000")]
    [InlineData("--dropout 1", "--dropout must be in [0, 1), got 1")]
    [InlineData("--task bin", "Argument 'bin' not recognized")]
    [InlineData("--positive-label maybe", "--positive-label 'maybe' is not one of the labels")]
    [InlineData("--validation-fraction 0.5 --validation-data mails.csv", "not both")]
    public void BadArgumentsAreOneLineWithExitCodeTwo(string arguments, string message)
    {
        var (csv, _, _) = _files.Mails();
        var args = new List<string> { "train", "--data", csv, "--task", "binary", "--model", _files["m.mlnr"] };
        foreach (var (option, value) in Pairs(arguments.Replace("mails.csv", csv, StringComparison.Ordinal)))
        {
            var at = args.IndexOf(option);
            if (at >= 0)
                args[at + 1] = value;
            else
                args.AddRange([option, value]);
        }
        CliRun.AssertBadInput(CliRun.Run([.. args]), message);
        Assert.False(File.Exists(_files["m.mlnr"]));
    }

    [Fact]
    public void UnknownCommandsAndOptionsAreOneLineWithExitCodeTwo()
    {
        CliRun.AssertBadInput(CliRun.Run("frobnicate"), "Unrecognized command or argument 'frobnicate'");
        CliRun.AssertBadInput(CliRun.Run("train", "--bogus"), "'--bogus'");
        CliRun.AssertBadInput(CliRun.Run(), "Required command was not provided");
        var help = CliRun.Run("--help");
        Assert.Equal(0, help.Code);
        Assert.Contains("Exit codes: 0 done; 1 a check failed or rows were rejected", help.Output);
        foreach (var command in new[] { "train", "evaluate", "export", "predict", "info", "bench", "onnx-node-test" })
            Assert.Contains(command, help.Output);
    }

    /// <summary>The training curve: a PNG of the default size, with drawing in it (the lines' colours), not a blank page.</summary>
    internal static void AssertCurve(string path)
    {
        Assert.True(new FileInfo(path).Length > 20_000, $"{path}: {new FileInfo(path).Length} bytes");
        using var bitmap = SKBitmap.Decode(path);
        Assert.NotNull(bitmap);
        Assert.Equal((1000, 760), (bitmap.Width, bitmap.Height));
        int training = 0, validation = 0, dark = 0;
        for (var y = 0; y < bitmap.Height; y += 2)
        {
            for (var x = 0; x < bitmap.Width; x += 2)
            {
                var c = bitmap.GetPixel(x, y);
                if (c == new SKColor(0x1f, 0x77, 0xb4))
                    training++;
                else if (c == new SKColor(0xff, 0x7f, 0x0e))
                    validation++;
                else if (c.Red < 80 && c.Green < 80 && c.Blue < 80)
                    dark++;   // text, ticks and frames
            }
        }
        Assert.True(training > 50 && validation > 50 && dark > 500, $"{path}: {training} training, {validation} validation, {dark} dark pixels");
    }

    private static IEnumerable<(string, string)> Pairs(string arguments)
    {
        var words = arguments.Split(' ');
        for (var i = 0; i + 1 < words.Length; i += 2)
            yield return (words[i], words[i + 1]);
    }

    private static string SampleData(string task)
    {
        var random = new Random(5);
        var lines = new List<string>();
        switch (task)
        {
            case "multiclass":
                for (var i = 0; i < 18; i++)
                {
                    var c = i % 3;
                    var steps = Enumerable.Range(0, 3 + i % 4).Select(_ => $"[{c + random.NextDouble() * 0.3:F3}, {-c + random.NextDouble() * 0.3:F3}]");
                    lines.Add($"{{\"sequence\": [{string.Join(", ", steps)}], \"label\": \"{"abc"[c]}\"}}");
                }
                break;
            case "regression":
                lines.Add("sequence,label");
                for (var i = 0; i < 16; i++)
                {
                    var xs = Enumerable.Range(0, 2 + i % 3).Select(_ => random.NextDouble()).ToArray();
                    lines.Add($"\"{string.Join("; ", xs.Select(x => x.ToString("F3", CultureInfo.InvariantCulture)))}\",{xs.Sum().ToString("F3", CultureInfo.InvariantCulture)}");
                }
                break;
            case "regression-steps":
                for (var i = 0; i < 16; i++)
                {
                    var xs = Enumerable.Range(0, 2 + i % 3).Select(_ => Math.Round(random.NextDouble(), 3)).ToArray();
                    lines.Add($"{{\"sequence\": [{string.Join(", ", xs.Select(x => x.ToString(CultureInfo.InvariantCulture)))}], " +
                              $"\"label\": [{string.Join(", ", xs.Select(x => (2 * x).ToString(CultureInfo.InvariantCulture)))}]}}");
                }
                break;
            case "tagging":
                for (var i = 0; i < 16; i++)
                {
                    var ids = Enumerable.Range(0, 2 + i % 4).Select(_ => random.Next(1, 12)).ToArray();
                    lines.Add($"{{\"tokens\": [{string.Join(", ", ids)}], \"tags\": [{string.Join(", ", ids.Select(id => id > 5 ? "\"big\"" : "\"small\""))}]}}");
                }
                break;
            default:
                for (var i = 0; i < 12; i++)
                    lines.Add("the cat sat on the mat.");
                break;
        }
        return string.Join("\n", lines) + "\n";
    }

    public void Dispose() => _files.Dispose();
}
