namespace MlNetRnn.Tests.CommandLine;

/// <summary>A binary text model trained once by `mlnetrnn train` on the tiny mail set, with its ONNX export, shared by a
/// test class.</summary>
public sealed class TrainedMailModel : IDisposable
{
    private readonly CliFiles _files = new();

    public TrainedMailModel()
    {
        (Csv, Tsv, Jsonl) = _files.Mails();
        Model = _files["mail.mlnr"];
        var run = CliRun.Run("train", "--data", Csv, "--task", "binary", "--model", Model, "--epochs", "8", "--learning-rate", "0.02",
            "--hidden-size", "8", "--embedding-size", "8", "--min-count", "1", "--threads", "1");
        Assert.True(run.Code == 0, run.ToString());
        Onnx = _files["mail.onnx"];
        var export = CliRun.Run("export", "--model", Model, "--output", Onnx);
        Assert.True(export.Code == 0, export.ToString());
    }

    public string Csv { get; }

    public string Tsv { get; }

    public string Jsonl { get; }

    public string Model { get; }

    public string Onnx { get; }

    public string Path(string name) => _files[name];

    public void Dispose() => _files.Dispose();
}
