using MlNetRnn.Kernels;
using MlNetRnn.Network;
using MlNetRnn.OnnxExport.Export;
using MlNetRnn.Tests.Runtime;

namespace MlNetRnn.Tests.Export;

/// <summary>
/// Streaming in the exported graph (OnnxExportOptions.StateInputs): a sequence fed to ONNX Runtime in pieces, each
/// call's final_h/final_c fed to the next as initial_h/initial_c, gives every piece the outputs the native model's
/// stream gives (SequenceModel.CreateStream), and the last piece the whole sequence's prediction.
/// </summary>
public class OnnxStreamingTests
{
    private const float Tolerance = 1e-5f;

    [Theory]
    [InlineData("binary gru tokens last")]
    [InlineData("binary gru-lbr0 tokens last 2layers")]
    [InlineData("multiclass lstm tokens last 2layers")]
    [InlineData("regression rnn dense last")]
    [InlineData("tagging lstm tokens")]
    [InlineData("regression-steps gru dense 2layers")]
    [InlineData("lm gru tokens")]
    public void PiecesThroughOnnxRuntimeEqualTheNativeStream(string configuration)
    {
        using var model = RandomModels.Create(configuration, KernelKind.Native);
        var spec = model.Spec;
        var proto = OnnxExporter.Build(model, new OnnxExportOptions { StateInputs = true, TextInput = OnnxTextInput.TokenIds }).Model;
        using var session = OrtTest.Open(Google.Protobuf.MessageExtensions.ToByteArray(proto));
        var random = new Random(configuration.Length);
        const int Steps = 13;
        var tokens = Enumerable.Range(0, Steps).Select(_ => random.Next(spec.InputWidth)).ToArray();
        var features = Enumerable.Range(0, Steps * spec.InputWidth).Select(_ => (float)(random.NextDouble() * 2 - 1)).ToArray();
        var cuts = new[] { 0, 1, 5, 6, 11, Steps };

        using var stream = model.CreateStream();
        var states = new Dictionary<string, float[]>();
        for (var l = 0; l < spec.Layers; l++)
        {
            states[OnnxModelContract.InitialH(l)] = new float[spec.HiddenSize];
            if (spec.Cell == RecurrentCell.Lstm)
                states[OnnxModelContract.InitialC(l)] = new float[spec.HiddenSize];
        }
        for (var p = 0; p + 1 < cuts.Length; p++)
        {
            var (start, length) = (cuts[p], cuts[p + 1] - cuts[p]);
            var native = spec.InputKind == SequenceInputKind.Tokens
                ? stream.Feed(tokens[start..(start + length)])
                : stream.Feed(features[(start * spec.InputWidth)..((start + length) * spec.InputWidth)]);

            var inputs = new List<RuntimeInput>
            {
                spec.InputKind == SequenceInputKind.Tokens
                    ? RuntimeInput.Int64s(OnnxModelContract.TokenInput, tokens[start..(start + length)].Select(t => (long)t).ToArray(), 1, length)
                    : RuntimeInput.Floats(OnnxModelContract.DenseInput, features[(start * spec.InputWidth)..((start + length) * spec.InputWidth)], 1, length, spec.InputWidth),
                RuntimeInput.Int32s(OnnxModelContract.SequenceLengths, [length], 1),
            };
            inputs.AddRange(states.Select(s => RuntimeInput.Floats(s.Key, s.Value, 1, 1, spec.HiddenSize)));
            var outputs = OrtTest.Run(session, inputs).ToDictionary(o => o.Name);
            foreach (var name in states.Keys.ToList())
                states[name] = outputs[name.Replace("initial", "final")].Floats;

            var raw = outputs[spec.Task switch
            {
                SequenceTask.BinaryClassification => OnnxModelContract.Logit,
                SequenceTask.Regression => OnnxModelContract.Values,
                _ => OnnxModelContract.Logits,
            }].Floats;
            RuntimeTensors.AssertClose($"{configuration}, piece {p} (steps {start}..{start + length - 1})", native.Outputs(), raw, Tolerance, Tolerance);
        }

        // The last piece's sequence-level output is the whole sequence's.
        if (!spec.PerStep)
        {
            var whole = model.Predict(spec.InputKind == SequenceInputKind.Tokens
                ? SequenceData.FromTokenIds([tokens])
                : SequenceData.FromFeatures([features], spec.InputWidth))[0];
            var last = spec.InputKind == SequenceInputKind.Tokens ? stream.Feed(Array.Empty<int>()) : stream.Feed(Array.Empty<float>());
            Assert.Equal(whole.PredictedLabel, last.Prediction().PredictedLabel);
        }
    }

    [Fact]
    public void BidirectionalAndPooledModelsCannotStream()
    {
        using var bidirectional = RandomModels.Create("binary gru tokens last bidirectional", KernelKind.Native);
        Assert.Contains("bidirectional", Assert.Throws<NotSupportedException>(() =>
            OnnxExporter.Build(bidirectional, new OnnxExportOptions { StateInputs = true })).Message);
        using var pooled = RandomModels.Create("binary gru tokens max", KernelKind.Native);
        Assert.Contains("MaxPool", Assert.Throws<NotSupportedException>(() =>
            OnnxExporter.Build(pooled, new OnnxExportOptions { StateInputs = true })).Message);
    }
}
