using System.Text.Json;
using MlNetRnn.Kernels;
using MlNetRnn.OnnxExport;

namespace MlNetRnn.Tests.Export;

/// <summary>`mlnetrnn predict` on CSV and JSON lines, in process.</summary>
public class PredictCommandTests
{
    [Fact]
    public void PredictsCsvAndJsonLines()
    {
        using var model = RandomModels.Create("binary gru text last", KernelKind.Native);
        var directory = Directory.CreateTempSubdirectory("mlnetrnn-predict");
        try
        {
            var onnx = Path.Combine(directory.FullName, "m.onnx");
            model.ExportToOnnx(onnx);
            var csv = Path.Combine(directory.FullName, "in.csv");
            File.WriteAllText(csv, "id,text\n1,the cat sat\n2,\"a dog, ran\"\n3,\"multi\nline \"\"quoted\"\"\"\n");
            var jsonl = Path.Combine(directory.FullName, "in.jsonl");
            File.WriteAllText(jsonl, "{\"text\": \"the cat sat\"}\n{\"text\": \"a dog, ran\"}\n");
            var expected = model.Predict(SequenceData.FromTexts(["the cat sat", "a dog, ran", "multi\nline \"quoted\""]));

            var output = Path.Combine(directory.FullName, "out.jsonl");
            Assert.Equal(0, Cli.Program.Main(["predict", "--model", onnx, "--input", csv, "--output", output]));
            var lines = File.ReadAllLines(output).Select(l => JsonDocument.Parse(l).RootElement).ToArray();
            Assert.Equal(3, lines.Length);
            for (var i = 0; i < 3; i++)
            {
                Assert.Equal(expected[i].PredictedLabel, lines[i].GetProperty("label").GetString());
                Assert.Equal(expected[i].Probability, lines[i].GetProperty("probabilities").GetProperty("spam").GetSingle(), 5);
            }

            Assert.Equal(0, Cli.Program.Main(["predict", "--model", onnx, "--input", jsonl, "--output", output]));
            Assert.Equal(2, File.ReadAllLines(output).Length);

            // The model file itself, scored by the native kernel: the same labels, the same probabilities.
            var mlnr = Path.Combine(directory.FullName, "m.mlnr");
            model.Save(mlnr);
            Assert.Equal(0, Cli.Program.Main(["predict", "--model", mlnr, "--input", csv, "--output", output, "--threads", "2"]));
            var native = File.ReadAllLines(output).Select(l => JsonDocument.Parse(l).RootElement).ToArray();
            Assert.Equal(3, native.Length);
            for (var i = 0; i < 3; i++)
            {
                Assert.Equal(i + 2, native[i].GetProperty("row").GetInt32());   // the row's line: the header is line 1
                Assert.Equal(expected[i].PredictedLabel, native[i].GetProperty("label").GetString());
                Assert.Equal(expected[i].Probability, native[i].GetProperty("probabilities").GetProperty("spam").GetSingle(), 6);
                Assert.Equal(expected[i].Score, native[i].GetProperty("score").GetSingle(), 5);
            }
            Assert.Equal(2, Cli.Program.Main(["predict", "--model", mlnr, "--input", csv, "--provider", "cuda"]));
            // CUDA on the CPU-only runtime this command is built with: exit 2, and the message says what to add.
            var error = new StringWriter();
            var previous = Console.Error;
            Console.SetError(error);
            try
            {
                Assert.Equal(2, Cli.Program.Main(["predict", "--model", onnx, "--input", csv, "--provider", "cuda"]));
            }
            finally
            {
                Console.SetError(previous);
            }
            var lines2 = error.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries);
            Assert.Single(lines2);
            Assert.Contains("Microsoft.ML.OnnxRuntime.Gpu.Linux", lines2[0]);
            Assert.Contains("--cpu-fallback", lines2[0]);
        }
        finally
        {
            directory.Delete(recursive: true);
        }
    }

    [Fact]
    public void BadInputsExitWithTwo()
    {
        var directory = Directory.CreateTempSubdirectory("mlnetrnn-predict-bad");
        try
        {
            using var model = RandomModels.Create("binary gru text last", KernelKind.Native);
            var onnx = Path.Combine(directory.FullName, "m.onnx");
            model.ExportToOnnx(onnx);
            var bad = Path.Combine(directory.FullName, "bad.jsonl");
            File.WriteAllText(bad, "{\"words\": 3}\n");
            // A row without the input is rejected with an error line (exit code 1), or stops the command with --strict (2).
            Assert.Equal(1, Cli.Program.Main(["predict", "--model", onnx, "--input", bad, "--output", Path.Combine(directory.FullName, "o")]));
            Assert.Contains("\"error\":\"no \\\"text\\\" in this object", File.ReadAllText(Path.Combine(directory.FullName, "o")));
            Assert.Equal(2, Cli.Program.Main(["predict", "--model", onnx, "--input", bad, "--output", Path.Combine(directory.FullName, "o"), "--strict"]));
            Assert.Equal(2, Cli.Program.Main(["predict", "--model", Path.Combine(directory.FullName, "missing.onnx"), "--input", bad]));
        }
        finally
        {
            directory.Delete(recursive: true);
        }
    }
}
