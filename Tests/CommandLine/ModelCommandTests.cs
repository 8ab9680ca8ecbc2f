using System.Text.Json;

namespace MlNetRnn.Tests.CommandLine;

/// <summary>`mlnetrnn evaluate`, `export`, `info` and `predict` on a model trained by `mlnetrnn train`.</summary>
public sealed class ModelCommandTests(TrainedMailModel trained) : IClassFixture<TrainedMailModel>
{
    [Fact]
    public void EvaluatesTheModelFileAndItsOnnxExportAlike()
    {
        var native = CliRun.Run("evaluate", "--model", trained.Model, "--data", trained.Tsv);
        Assert.True(native.Code == 0, native.ToString());
        foreach (var line in new[] { "evaluated: 24 sequences", "loss: ", "accuracy: ", "precision: ", "(positive class: spam)", "recall: ", "F1: ", "AUC: ", "confusion matrix (rows: actual, columns: predicted):" })
            Assert.Contains(line, native.Output);

        var a = Metrics(CliRun.Run("evaluate", "--model", trained.Model, "--data", trained.Jsonl, "--json"));
        var b = Metrics(CliRun.Run("evaluate", "--model", trained.Onnx, "--data", trained.Csv, "--json"));
        Assert.Equal(24, a.GetProperty("rows").GetInt32());
        Assert.Equal(a.GetProperty("accuracy").GetDouble(), b.GetProperty("accuracy").GetDouble());
        Assert.Equal(a.GetProperty("auc").GetDouble(), b.GetProperty("auc").GetDouble(), 6);
        Assert.Equal(a.GetProperty("loss").GetDouble(), b.GetProperty("loss").GetDouble(), 4);
        var counts = a.GetProperty("confusion_matrix").GetProperty("counts").EnumerateArray().SelectMany(r => r.EnumerateArray()).Sum(c => c.GetInt32());
        Assert.Equal(24, counts);
        Assert.Equal(["ham", "spam"], a.GetProperty("confusion_matrix").GetProperty("labels").EnumerateArray().Select(l => l.GetString()!));
    }

    [Fact]
    public void EvaluateRejectsLabelsTheModelDoesNotKnowWithTheLine()
    {
        var data = trained.Path("unknown-label.csv");
        File.WriteAllText(data, "text,label\nfree prize,spam\nmeeting,maybe\n");
        CliRun.AssertBadInput(CliRun.Run("evaluate", "--model", trained.Model, "--data", data),
            "unknown-label.csv:3: column 'label' (field 2): label 'maybe' is not one the model knows (ham, spam)");
        CliRun.AssertBadInput(CliRun.Run("evaluate", "--model", trained.Path("missing.mlnr"), "--data", data), "No model file at");
    }

    [Fact]
    public void ExportsWithOptionsAndInfoDescribesBothFiles()
    {
        var info = CliRun.Run("info", trained.Model);
        Assert.True(info.Code == 0, info.ToString());
        foreach (var expected in new[] { "MlNetRnn model", "producer:", "task:", "binary classification", "input:", "text (column 'text'",
                     "labels:", "ham, spam (positive: spam)", "tokenizer:", "words (version 2)", "vocabulary:", "network:", "GRU, 8 units, 1 layer",
                     "predict gives:", "training:", "8 epochs" })
            Assert.Contains(expected, info.Output);

        var raw = CliRun.Run("info", "--model", trained.Onnx);
        Assert.True(raw.Code == 0, raw.ToString());
        foreach (var expected in new[] { "(ONNX, ", "producer:", "MlNetRnn", "opset:", "ai.onnx 20", "inputs:", "Text string [batch, 1]", "outputs:",
                     "PredictedLabel bool [batch]", "Probability float [batch]", "labels:", "ham, spam", "vocabulary:", "network:" })
            Assert.Contains(expected, raw.Output);

        var ids = trained.Path("ids.onnx");
        var export = CliRun.Run("export", "--model", trained.Model, "--output", ids, "--token-ids", "--opset", "15", "--state-inputs");
        Assert.True(export.Code == 0, export.ToString());
        Assert.Contains("opset 15", export.Output);
        var idsInfo = CliRun.Run("info", ids);
        Assert.Contains("ai.onnx 15", idsInfo.Output);
        Assert.Contains("input_ids int64 [batch, sequence]", idsInfo.Output);
        Assert.Contains("initial_h_0 float", idsInfo.Output);
        Assert.Contains("final_h_0 float", idsInfo.Output);

        CliRun.AssertBadInput(CliRun.Run("export", "--model", trained.Model, "--opset", "9"), "--opset must be 14 to 21, got 9");
        CliRun.AssertBadInput(CliRun.Run("export", "--model", trained.Onnx), "is not an MlNetRnn model file");
        CliRun.AssertBadInput(CliRun.Run("info", trained.Csv), "is neither an MlNetRnn model file nor an ONNX model");
    }

    [Fact]
    public void PredictScoresEveryGoodRowAndReportsBadOnesWithTheirRow()
    {
        // Line 1 the header, 2 and 3 good, 4 blank (skipped), 5 one field too many, 6 good.
        var input = trained.Path("predict.csv");
        File.WriteAllText(input, "text\nfree prize money\n\"meeting notes, agenda\"\n\nmeeting,agenda\nlunch with the team\n");
        foreach (var model in new[] { trained.Model, trained.Onnx })
        {
            var run = CliRun.Run("predict", "--model", model, "--input", input);
            Assert.True(run.Code == 1, run.ToString());
            var lines = run.Lines.Select(l => JsonDocument.Parse(l).RootElement).ToArray();
            Assert.Equal([2, 3, 5, 6], lines.Select(l => l.GetProperty("row").GetInt32()));
            Assert.Contains("the row has 2 fields, the header 1", lines[2].GetProperty("error").GetString());
            foreach (var good in new[] { lines[0], lines[1], lines[3] })
            {
                Assert.False(good.TryGetProperty("error", out _));
                Assert.Contains(good.GetProperty("label").GetString(), new[] { "ham", "spam" });
            }
            Assert.Contains("1 of 4 rows could not be scored", run.Error);
        }

        // The same rows as JSON lines: the row is the line; the bad one is not valid JSON.
        var jsonl = trained.Path("predict.jsonl");
        File.WriteAllText(jsonl, "{\"text\": \"free prize money\"}\n{\"text\": oops}\n{\"text\": \"lunch with the team\"}\n");
        var json = CliRun.Run("predict", "--model", trained.Model, "--input", jsonl);
        Assert.Equal(1, json.Code);
        Assert.Equal("{\"row\":2,\"error\":\"not valid JSON at character 10\"}", json.Lines[1]);

        var strict = CliRun.Run("predict", "--model", trained.Model, "--input", jsonl, "--strict");
        CliRun.AssertBadInput(strict, "predict.jsonl:2: not valid JSON at character 10 (--strict stops");
        Assert.Single(strict.Lines);
        Assert.Equal(1, JsonDocument.Parse(strict.Lines[0]).RootElement.GetProperty("row").GetInt32());

        var clean = CliRun.Run("predict", "--model", trained.Onnx, "--input", trained.Tsv, "--output", trained.Path("out.jsonl"));
        Assert.True(clean.Code == 0, clean.ToString());
        Assert.Empty(clean.Output);
        Assert.Equal(Enumerable.Range(2, 24), File.ReadAllLines(trained.Path("out.jsonl")).Select(l => JsonDocument.Parse(l).RootElement.GetProperty("row").GetInt32()));
    }

    [Theory]
    [InlineData("--threads 0", "--threads must be 1 to 256", "train")]
    [InlineData("--threads 100000", "--threads must be 0 to 256", "predict")]
    [InlineData("--threads 100000", "--threads must be 0 to 256", "evaluate")]
    [InlineData("--input missing.csv", "No input file at 'missing.csv'", "predict")]
    [InlineData("--text-column body", "no column 'body' for the text", "predict")]
    [InlineData("--sequence-column x", "The model reads text; --sequence-column names numeric sequences", "predict")]
    public void BadArgumentsOfTheModelCommandsAreOneLineWithExitCodeTwo(string arguments, string message, string command)
    {
        var args = command switch
        {
            "predict" => new List<string> { "predict", "--model", trained.Model, "--input", trained.Csv },
            "evaluate" => ["evaluate", "--model", trained.Model, "--data", trained.Csv],
            _ => ["train", "--data", trained.Csv, "--task", "binary", "--model", trained.Path("x.mlnr")],
        };
        var words = arguments.Split(' ');
        var at = args.IndexOf(words[0]);
        if (at >= 0)
            args[at + 1] = words[1];
        else
            args.AddRange(words);
        CliRun.AssertBadInput(CliRun.Run([.. args]), message);
    }

    private static JsonElement Metrics(CliRun.Result run)
    {
        Assert.True(run.Code == 0, run.ToString());
        return JsonDocument.Parse(run.Output).RootElement;
    }
}
