using MlNetRnn.Training;

namespace MlNetRnn.Tests.Integrity;

/// <summary>
/// Every input the fuzz campaign (scripts/fuzz-model-files.sh) found failing is kept in Tests/Fixtures/Damaged with a
/// .txt that says how it was found, what happened and what must happen now; each must now be refused with
/// <see cref="ModelFileException"/>: *.mlnr by the model loader (from a file and from a stream), *.ckpt by the
/// checkpoint loader, *.onnx by the importer (and, when it is an MlNetRnn export, by OnnxSequencePredictor.Load);
/// *.jsonl inputs of the CLI are read by predict's reader with every row read or rejected with its error, and stop
/// train's reader with an InvalidDataException naming the file and the line.
/// </summary>
public class DamagedFixtureTests
{
    public static TheoryData<string> Files() =>
        [.. Directory.GetFiles(Path.Combine(RepositoryPaths.Tests, "Fixtures", "Damaged"))
            .Where(f => f.EndsWith(".mlnr", StringComparison.Ordinal) || f.EndsWith(".ckpt", StringComparison.Ordinal) || f.EndsWith(".onnx", StringComparison.Ordinal)
                || f.EndsWith(".jsonl", StringComparison.Ordinal))
            .Select(f => Path.GetFileName(f)).Order(StringComparer.Ordinal)];

    [Theory]
    [MemberData(nameof(Files))]
    public void IsRefused(string name)
    {
        var path = Path.Combine(RepositoryPaths.Tests, "Fixtures", "Damaged", name);
        Assert.True(File.Exists(path + ".txt"), $"{name} needs a {name}.txt saying how it was found and what was wrong");
        if (name.EndsWith(".ckpt", StringComparison.Ordinal))
        {
            Assert.Equal(path, Assert.Throws<ModelFileException>(() => Checkpoint.Load(path)).Path);
            return;
        }
        if (name.EndsWith(".jsonl", StringComparison.Ordinal))
        {
            using var model = Export.RandomModels.Create("binary gru text max", KernelKind.Native);
            var rows = Cli.Data.PredictionRowReader.Read(path, Cli.Data.TableFormat.JsonLines, model.Schema, new Cli.Data.DataColumns()).ToList();
            Assert.Contains(rows, r => r.Error is not null);
            Assert.Contains(rows, r => r.Error is null);
            var error = Assert.Throws<InvalidDataException>(() => Cli.Data.LabelledDataReader.Read(path, Cli.Data.TableFormat.JsonLines,
                SequenceTask.BinaryClassification, new Cli.Data.DataColumns(), null, perStepTargets: false));
            Assert.StartsWith(path + ":", error.Message);
            return;
        }
        if (name.EndsWith(".onnx", StringComparison.Ordinal))
        {
            Assert.Equal(path, Assert.Throws<ModelFileException>(() => OnnxImporter.Import(path)).Path);
            if (!name.StartsWith("foreign-", StringComparison.Ordinal))
                Assert.Equal(path, Assert.Throws<ModelFileException>(() => OnnxSequencePredictor.Load(path)).Path);
            return;
        }
        Assert.Equal(path, Assert.Throws<ModelFileException>(() => SequenceModel.Load(path)).Path);
        Assert.Throws<ModelFileException>(() => SequenceModel.Load(new MemoryStream(File.ReadAllBytes(path))));
    }
}
