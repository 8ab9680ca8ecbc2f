using System.Text.Json;
using MlNetRnn.Kernels;
using MlNetRnn.Network;
using MlNetRnn.Tests.Kernels;
using MlNetRnn.Training.Optimizers;

namespace MlNetRnn.Tests.Training;

/// <summary>
/// Adam, AdamW (decoupled weight decay), SGD, SGD with momentum and Nesterov against torch.optim (PyTorch 1.13) over
/// several steps, on the reference and the native kernel. Fixture: Tests/Fixtures/generate_pytorch_optimizer_fixtures.py.
/// </summary>
public class OptimizerPyTorchTests
{
    // PyTorch divides by sqrt(1 - beta2^t) where Adam here multiplies by its reciprocal: a few float32 roundings apart.
    private static readonly Tolerance Values = new("PyTorch optimizer values", 1e-6, 1e-5);

    private static JsonElement[] LoadCases()
    {
        var path = Path.Combine(RepositoryPaths.Tests, "Fixtures", "pytorch-optimizers", "optimizers.json");
        using var json = JsonDocument.Parse(File.ReadAllText(path));
        return json.RootElement.GetProperty("cases").EnumerateArray().Select(c => c.Clone()).ToArray();
    }

    public static TheoryData<string, string> Cases()
    {
        var data = new TheoryData<string, string>();
        foreach (var c in LoadCases())
            foreach (var kernel in new[] { "reference", "native-2" })
                data.Add(c.GetProperty("name").GetString()!, kernel);
        return data;
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void OptimizerMatchesPyTorch(string name, string kernelName)
    {
        var c = LoadCases().Single(e => e.GetProperty("name").GetString() == name);
        float[] Floats(JsonElement e) => e.EnumerateArray().Select(v => v.GetSingle()).ToArray();
        var options = c.GetProperty("options");
        float Option(string key, float fallback) => options.TryGetProperty(key, out var v) ? v.GetSingle() : fallback;
        var initial = Floats(c.GetProperty("initial"));
        var learningRate = c.GetProperty("learning_rate").GetSingle();
        using var native = kernelName == "native-2" ? new NativeKernel(2) : null;
        ISequenceKernel kernel = native is null ? ReferenceKernel.Instance : native;
        IOptimizer optimizer;
        if (name.StartsWith("adam", StringComparison.Ordinal))
        {
            var betas = options.TryGetProperty("betas", out var b) ? Floats(b) : [0.9f, 0.999f];
            optimizer = new AdamOptimizer(initial.Length, betas[0], betas[1], Option("eps", 1e-8f), Option("weight_decay", 0f), kernel);
        }
        else
        {
            optimizer = new SgdOptimizer(initial.Length, Option("momentum", 0f),
                options.TryGetProperty("nesterov", out var n) && n.GetBoolean(), kernel);
        }

        var parameters = new ParameterSet([("w", [initial.Length])]);
        initial.CopyTo(parameters.Values, 0);
        var gradients = c.GetProperty("gradients").EnumerateArray().ToArray();
        var values = c.GetProperty("values").EnumerateArray().ToArray();
        for (var step = 0; step < gradients.Length; step++)
        {
            Floats(gradients[step]).CopyTo(parameters.Gradients, 0);
            optimizer.Step(parameters, learningRate);
            Values.AssertClose(Floats(values[step]), parameters.Values, $"{name} on {kernelName}, step {step + 1}");
        }
    }
}
