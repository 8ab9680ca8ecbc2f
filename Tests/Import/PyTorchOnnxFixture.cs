using System.Text.Json;
using MlNetRnn.Training;

namespace MlNetRnn.Tests.Import;

/// <summary>
/// A model written by Tests/Fixtures/generate_pytorch_onnx_models.py: the .onnx file and, beside it, the inputs and
/// what PyTorch computed for them. Inputs are batch-major or time-major as the PyTorch module read them
/// (<see cref="InputLayout"/>); <see cref="Case.Batch"/> gives them in the network's time-major layout.
/// </summary>
internal sealed class PyTorchOnnxFixture
{
    public static string Folder => Path.Combine(RepositoryPaths.Tests, "Fixtures", "pytorch-onnx");

    public static IEnumerable<string> Names => Directory.GetFiles(Folder, "*.json").Select(Path.GetFileNameWithoutExtension).Order()!;

    private PyTorchOnnxFixture(string name, JsonElement root)
    {
        Name = name;
        InputLayout = root.GetProperty("input_layout").GetString()!;
        OutputLayout = root.GetProperty("output_layout").GetString()!;
        Activation = root.GetProperty("activation").GetString()!;
        Cases = root.GetProperty("cases").EnumerateArray().Select(c => new Case(this, c)).ToArray();
    }

    public string Name { get; }

    public string OnnxPath => Path.Combine(Folder, Name + ".onnx");

    /// <summary>"BT", "TB" (token ids) or "BTD", "TBD" (features).</summary>
    public string InputLayout { get; }

    /// <summary>"BK" per sequence, or "BTK" / "TBK" per step.</summary>
    public string OutputLayout { get; }

    /// <summary>sigmoid, softmax, log_softmax or none: what PyTorch applied after the head.</summary>
    public string Activation { get; }

    public IReadOnlyList<Case> Cases { get; }

    public static PyTorchOnnxFixture Load(string name)
    {
        using var json = JsonDocument.Parse(File.ReadAllText(Path.Combine(Folder, name + ".json")));
        return new PyTorchOnnxFixture(name, json.RootElement.Clone());
    }

    internal sealed class Case
    {
        public Case(PyTorchOnnxFixture fixture, JsonElement c)
        {
            var shape = c.GetProperty("input_shape").EnumerateArray().Select(v => v.GetInt32()).ToArray();
            var batchFirst = fixture.InputLayout.StartsWith('B');
            (Batch, Steps) = batchFirst ? (shape[0], shape[1]) : (shape[1], shape[0]);
            Width = shape.Length == 3 ? shape[2] : 0;
            var input = c.GetProperty("input").EnumerateArray().Select(v => v.GetDouble()).ToArray();
            // Time-major copies of the inputs: [T, B] ids or [T, B, D] features.
            var cell = Math.Max(1, Width);
            var timeMajor = new double[input.Length];
            for (var t = 0; t < Steps; t++)
                for (var b = 0; b < Batch; b++)
                    Array.Copy(input, (batchFirst ? b * Steps + t : t * Batch + b) * cell, timeMajor, (t * Batch + b) * cell, cell);
            TimeMajor = timeMajor;
            Expected = c.GetProperty("output").EnumerateArray().Select(v => v.GetSingle()).ToArray();
            OutputBatchFirst = fixture.OutputLayout != "TBK";
        }

        public int Batch { get; }

        public int Steps { get; }

        /// <summary>Features per step (dense models), else 0.</summary>
        public int Width { get; }

        public double[] TimeMajor { get; }

        /// <summary>PyTorch's output, [B, K] or per step [B, T, K] / [T, B, K].</summary>
        public float[] Expected { get; }

        public bool OutputBatchFirst { get; }

        public SequenceBatch ToBatch() => new()
        {
            SeqLength = Steps,
            Batch = Batch,
            Lengths = Enumerable.Repeat(Steps, Batch).ToArray(),
            Tokens = Width == 0 ? TimeMajor.Select(v => (int)v).ToArray() : null,
            Features = Width > 0 ? TimeMajor.Select(v => (float)v).ToArray() : null,
        };

        /// <summary>Sequence b as the model's data reads it: token ids or T*D features.</summary>
        public int[] TokenIds(int b) => Enumerable.Range(0, Steps).Select(t => (int)TimeMajor[t * Batch + b]).ToArray();

        public float[] Features(int b) => Enumerable.Range(0, Steps)
            .SelectMany(t => TimeMajor.Skip((t * Batch + b) * Width).Take(Width)).Select(v => (float)v).ToArray();

        /// <summary>Per-step outputs [T, B, K] (the network's layout) reordered as PyTorch's output.</summary>
        public float[] AsExpectedLayout(ReadOnlySpan<float> timeMajor, int K)
        {
            if (!OutputBatchFirst || timeMajor.Length == Batch * K)
                return timeMajor.ToArray();
            var result = new float[timeMajor.Length];
            for (var t = 0; t < Steps; t++)
                for (var b = 0; b < Batch; b++)
                    timeMajor.Slice((t * Batch + b) * K, K).CopyTo(result.AsSpan((b * Steps + t) * K, K));
            return result;
        }
    }
}
