using System.Text.Json;
using MlNetRnn.Kernels;
using MlNetRnn.Network;

namespace MlNetRnn.Tests.Kernels;

/// <summary>
/// Both kernels against PyTorch 1.13: stacked and bidirectional RNN/GRU/LSTM with ragged (packed) sequences, outputs
/// and every gradient. Fixtures are written by Tests/Fixtures/generate_pytorch_fixtures.py (weights already in ONNX
/// layout and gate order); layers are composed here as the network composes them.
/// </summary>
public class PyTorchFixtureTests
{
    private static readonly Tolerance Outputs = new("PyTorch outputs", 2e-5, 1e-4);
    private static readonly Tolerance Gradients = new("PyTorch gradients", 1e-4, 1e-3);

    public static TheoryData<string, string> Cases()
    {
        var data = new TheoryData<string, string>();
        foreach (var file in Directory.GetFiles(Path.Combine(RepositoryPaths.Tests, "Fixtures", "pytorch"), "*.json").Order())
            foreach (var kernel in new[] { "reference" }.Concat(InstructionSets.Supported.SelectMany(p => new[] { $"native-1-{p}", $"native-2-{p}" })))
                data.Add(Path.GetFileNameWithoutExtension(file), kernel);
        return data;
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void KernelMatchesPyTorch(string fixture, string kernelName)
    {
        using var json = JsonDocument.Parse(File.ReadAllText(Path.Combine(RepositoryPaths.Tests, "Fixtures", "pytorch", fixture + ".json")));
        var f = json.RootElement;
        float[] Floats(JsonElement e, string name) => e.GetProperty(name).EnumerateArray().Select(v => v.GetSingle()).ToArray();
        var cell = f.GetProperty("cell").GetString() switch { "GRU" => RecurrentCell.Gru, "LSTM" => RecurrentCell.Lstm, _ => RecurrentCell.Rnn };
        int I = f.GetProperty("input_size").GetInt32(), H = f.GetProperty("hidden_size").GetInt32(), L = f.GetProperty("layers").GetInt32();
        int T = f.GetProperty("seq_length").GetInt32(), B = f.GetProperty("batch").GetInt32();
        var bidirectional = f.GetProperty("bidirectional").GetBoolean();
        var D = bidirectional ? 2 : 1;
        var lengths = f.GetProperty("lengths").EnumerateArray().Select(v => v.GetInt32()).ToArray();
        var relu = f.GetProperty("activation").GetString() == "relu";
        var layers = f.GetProperty("layer").EnumerateArray().ToArray();
        var lstm = cell == RecurrentCell.Lstm;

        // "native-{threads}-{path}": the native kernel on that code path and thread count.
        var native = kernelName.Split('-');
        ISequenceKernel kernel = kernelName == "reference" ? ReferenceKernel.Instance : InstructionSets.Kernel(native[2], int.Parse(native[1]));
        try
        {
            var descriptors = Enumerable.Range(0, L).Select(l => new RecurrentDescriptor(cell, l == 0 ? I : D * H, H,
                bidirectional ? RecurrentDirection.Bidirectional : RecurrentDirection.Forward, linearBeforeReset: true,
                activations: cell == RecurrentCell.Rnn ? Enumerable.Repeat(relu ? Activation.Relu : Activation.Tanh, D).ToArray() : null)).ToArray();

            // Forward, layer by layer: the next layer reads [T, B, D*H].
            var inputs = new float[L][];
            var reserves = new float[L][];
            inputs[0] = Floats(f, "X");
            float[] features = [];
            for (var l = 0; l < L; l++)
            {
                var d = descriptors[l];
                var y = new float[d.OutputLength(T, B)];
                var yh = new float[d.StateLength(B)];
                var yc = lstm ? new float[d.StateLength(B)] : [];
                reserves[l] = new float[kernel.ReserveSize(d, T, B)];
                kernel.Forward(d, Inputs(layers[l], d, inputs[l]), new RecurrentOutputs { Y = y, YH = yh, YC = yc }, reserves[l]);
                Outputs.AssertClose(Floats(layers[l], "h_n"), yh, $"{fixture}/{kernelName}: layer {l} h_n");
                if (lstm)
                    Outputs.AssertClose(Floats(layers[l], "c_n"), yc, $"{fixture}/{kernelName}: layer {l} c_n");
                features = new float[T * B * D * H];
                DirectionLayout.ToFeatures(y, T, D, B, H, features);
                if (l + 1 < L)
                    inputs[l + 1] = features;
            }
            Outputs.AssertClose(Floats(f, "Y"), features, $"{fixture}/{kernelName}: output");

            // Backward, top down: each layer's dX is the dY of the layer below.
            var dFeatures = Floats(f, "dY");
            for (var l = L - 1; l >= 0; l--)
            {
                var d = descriptors[l];
                var dy = new float[d.OutputLength(T, B)];
                DirectionLayout.FromFeatures(dFeatures, T, D, B, H, dy);
                var dx = new float[T * B * d.InputSize];
                var dw = new float[d.WeightLength];
                var dr = new float[d.RecurrenceLength];
                var db = new float[d.BiasLength];
                var dh0 = new float[d.StateLength(B)];
                var dc0 = lstm ? new float[d.StateLength(B)] : [];
                kernel.Backward(d, Inputs(layers[l], d, inputs[l]), reserves[l],
                    new RecurrentOutputGradients { DY = dy, DYH = Floats(layers[l], "dh_n"), DYC = lstm ? Floats(layers[l], "dc_n") : [] },
                    new RecurrentGradients { DX = dx, DW = dw, DR = dr, DB = db, DInitialH = dh0, DInitialC = dc0 });
                Gradients.AssertClose(Floats(layers[l], "dW"), dw, $"{fixture}/{kernelName}: layer {l} dW");
                Gradients.AssertClose(Floats(layers[l], "dR"), dr, $"{fixture}/{kernelName}: layer {l} dR");
                Gradients.AssertClose(Floats(layers[l], "dB"), db, $"{fixture}/{kernelName}: layer {l} dB");
                Gradients.AssertClose(Floats(layers[l], "dh0"), dh0, $"{fixture}/{kernelName}: layer {l} dh0");
                if (lstm)
                    Gradients.AssertClose(Floats(layers[l], "dc0"), dc0, $"{fixture}/{kernelName}: layer {l} dc0");
                dFeatures = dx;
            }
            Gradients.AssertClose(Floats(f, "dX"), dFeatures, $"{fixture}/{kernelName}: dX");
        }
        finally
        {
            (kernel as IDisposable)?.Dispose();
        }

        RecurrentInputs Inputs(JsonElement layer, RecurrentDescriptor d, float[] x) => new()
        {
            SeqLength = T,
            Batch = B,
            X = x,
            W = Floats(layer, "W"),
            R = Floats(layer, "R"),
            B = Floats(layer, "B"),
            SequenceLengths = lengths,
            InitialH = Floats(layer, "h0"),
            InitialC = lstm ? Floats(layer, "c0") : [],
        };
    }
}
