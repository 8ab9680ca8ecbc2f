using System.Diagnostics;
using MlNetRnn.Kernels;
using MlNetRnn.Network;
using MlNetRnn.OnnxExport;
using MlNetRnn.OnnxExport.Export;
using MlNetRnn.OnnxExport.Import;
using Microsoft.ML.OnnxRuntime;
using MlNetRnn.Tests.Runtime;
using MlNetRnn.Tests.Kernels;
using MlNetRnn.Training;

namespace MlNetRnn.Tests.Export;

/// <summary>
/// Exported models against independent checks: onnx.checker (full check), ONNX Runtime computing what the native
/// network computes (within 1e-5) on ragged batches, batch 1 and sequence length 1, and import/export round trips.
/// </summary>
public class OnnxExportTests
{
    public static readonly string[] Configurations =
    [
        "binary gru tokens last", "binary gru-lbr0 text max", "binary lstm dense mean bidirectional",
        "multiclass rnn dense last 2layers", "multiclass rnn-relu tokens mean", "multiclass gru tokens max bidirectional 2layers",
        "multiclass lstm text last 2layers bidirectional", "multiclass gru-lbr0 dense last bidirectional",
        "regression lstm dense last", "regression gru dense max 2layers", "regression-steps gru dense bidirectional",
        "tagging lstm tokens bidirectional", "tagging gru-lbr0 dense 2layers", "lm gru text", "lm lstm text 2layers",
        "multiclass lstm dense last bidirectional peepholes", "regression lstm dense mean 2layers peepholes",
        "tagging lstm tokens peepholes", "lm lstm text 2layers peepholes",
    ];

    public static TheoryData<string> ConfigurationData => new(Configurations);

    /// <summary>The absolute tolerance between ONNX Runtime and the native network.</summary>
    private static readonly Tolerance Parity = new("ONNX Runtime parity", 1e-5, 0);

    [Fact]
    public void EveryExportPassesTheOnnxCheckerFullCheck()
    {
        var directory = Directory.CreateTempSubdirectory("mlnetrnn-onnx-check");
        try
        {
            var files = new List<string>();
            foreach (var configuration in Configurations)
            {
                foreach (var opset in new[] { 14, 17 })
                {
                    var path = Path.Combine(directory.FullName, $"{configuration.Replace(' ', '_')}_{opset}.onnx");
                    using var model = RandomModels.Create(configuration, KernelKind.Reference);
                    // Token ids in: onnx 1.12's checker knows opsets up to 17; raw-text graphs (opset 20) are checked by ONNX
                    // Runtime's own loader in TextGraphTests.
                    model.ExportToOnnx(path, new OnnxExportOptions { Opset = opset, TextInput = OnnxTextInput.TokenIds });
                    files.Add(path);
                }
            }
            var check = new ProcessStartInfo("/usr/bin/python3") { RedirectStandardOutput = true, RedirectStandardError = true };
            check.ArgumentList.Add(Path.Combine(RepositoryPaths.Tests, "Export", "check_onnx.py"));
            foreach (var f in files)
                check.ArgumentList.Add(f);
            using var process = Process.Start(check)!;
            var output = process.StandardOutput.ReadToEnd() + process.StandardError.ReadToEnd();
            process.WaitForExit();
            Assert.True(process.ExitCode == 0, $"onnx.checker rejected exports:\n{string.Join("\n", output.Split('\n').Where(l => !l.StartsWith("OK ")))}");
            Assert.Equal(files.Count, output.Split('\n').Count(l => l.StartsWith("OK ")));
        }
        finally
        {
            directory.Delete(recursive: true);
        }
    }

    [Theory]
    [MemberData(nameof(ConfigurationData))]
    public void OnnxRuntimeComputesWhatTheNativeNetworkComputes(string configuration)
    {
        using var model = RandomModels.Create(configuration, KernelKind.Native);
        using var session = OrtTest.Open(OnnxExporter.ToBytes(model, new OnnxExportOptions { TextInput = OnnxTextInput.TokenIds }));
        using var kernel = new NativeKernel(1);
        var network = new SequenceNetwork(model.Spec, kernel, model.Parameters);
        foreach (var (batchSize, steps, seed) in new[] { (5, 6, 1), (1, 4, 2), (3, 1, 3) })
        {
            var batch = RandomModels.Batch(model.Spec, batchSize, steps, seed);
            var expected = network.Forward(batch, training: false).ToArray();
            var outputs = Run(session, model.Spec, batch);
            var actual = outputs[model.Spec.Task switch
            {
                SequenceTask.BinaryClassification => OnnxModelContract.Logit,
                SequenceTask.Regression => OnnxModelContract.Values,
                _ => OnnxModelContract.Logits,
            }];
            if (model.Spec.PerStep)
            {
                // ONNX gives [B, T, K]; the network [T, B, K]. Padded steps are not compared.
                var K = model.Spec.OutputSize;
                for (var b = 0; b < batchSize; b++)
                    for (var t = 0; t < batch.Lengths[b]; t++)
                        Parity.AssertClose(expected.AsSpan((t * batchSize + b) * K, K), actual.AsSpan((b * steps + t) * K, K),
                            $"{configuration} B={batchSize} T={steps}: step {t} of sequence {b}");
            }
            else
            {
                Parity.AssertClose(expected, actual, $"{configuration} B={batchSize} T={steps}: head outputs");
                Parity.AssertClose(network.ReadOutFeatures, outputs[OnnxModelContract.Encoding], $"{configuration}: encoding");
            }
            if (model.Spec.Task == SequenceTask.LanguageModel)
            {
                var final = network.FinalStates();
                Parity.AssertClose(final[^1].H, outputs[OnnxModelContract.FinalH(model.Spec.Layers - 1)], $"{configuration}: final state");
            }
        }
    }

    [Theory]
    [MemberData(nameof(ConfigurationData))]
    public void ImportThenExportGivesIdenticalBytes(string configuration)
    {
        using var model = RandomModels.Create(configuration, KernelKind.Reference);
        var first = OnnxExporter.ToBytes(model);
        using var imported = OnnxImporter.Import(first);
        Assert.Equal(model.Parameters.Values, imported.Parameters.Values);
        Assert.Equal(model.Spec, imported.Spec);
        Assert.Equal(first, OnnxExporter.ToBytes(imported));
    }

    [Fact]
    public void PredictorScoresTextLikeTheNativeModel()
    {
        using var model = RandomModels.Create("multiclass lstm text last 2layers bidirectional", KernelKind.Native);
        var path = Path.Combine(Path.GetTempPath(), $"mlnetrnn-{Guid.NewGuid():N}.onnx");
        try
        {
            var report = model.ExportToOnnx(path);
            Assert.Empty(report.Warnings);
            using var predictor = OnnxSequencePredictor.Load(path);
            var data = SequenceData.FromTexts(["the cat sat on the mat", "a dog", "ran ran ran the dog sat", "unknown words only"]);
            var expected = model.Predict(data);
            var actual = predictor.Predict(data);
            for (var i = 0; i < data.Count; i++)
            {
                Assert.Equal(expected[i].PredictedLabel, actual[i].PredictedLabel);
                Parity.AssertClose(expected[i].Probabilities, actual[i].Probabilities, $"text {i}");
            }
            Parallel.For(0, 8, _ => Assert.Equal(actual[2].Probabilities, predictor.Predict(data)[2].Probabilities));
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void CudnnIncompatibleModelsAreReported()
    {
        using var model = RandomModels.Create("binary gru-lbr0 tokens last", KernelKind.Reference);
        var report = OnnxExporter.Build(model, new OnnxExportOptions()).Report;
        Assert.Contains(report.Warnings, w => w.Contains("linear_before_reset = 0"));
        using var relu = RandomModels.Create("multiclass rnn-relu tokens mean", KernelKind.Reference);
        Assert.Contains(OnnxExporter.Build(relu, new OnnxExportOptions()).Report.Warnings, w => w.Contains("Relu"));
        using var peepholes = RandomModels.Create("binary lstm dense last 2layers peepholes", KernelKind.Reference);
        var warnings = OnnxExporter.Build(peepholes, new OnnxExportOptions()).Report.Warnings;
        Assert.Equal(2, warnings.Count(w => w.Contains("peepholes (P)") && w.Contains("cuDNN")));
    }

    [Fact]
    public void ImporterRejectsWhatItCannotRepresent()
    {
        using var model = RandomModels.Create("binary gru tokens last", KernelKind.Reference);
        var proto = OnnxExporter.Build(model, new OnnxExportOptions()).Model;

        // Without its metadata the file is read from its graph, as files from other producers are: the same network
        // and weights, default labels (the output named: the first, "logit", has no activation and reads as regression).
        var foreign = proto.Clone();
        foreign.MetadataProps.Clear();
        using (var fromGraph = OnnxImporter.Import(foreign, "foreign.onnx", new OnnxImportOptions { OutputName = OnnxModelContract.ProbabilityOutput }))
        {
            Assert.Equal(model.Spec, fromGraph.Spec);
            Assert.Equal(model.Parameters.Values, fromGraph.Parameters.Values);
            Assert.Equal(["False", "True"], fromGraph.Labels);
        }

        var changed = proto.Clone();
        changed.Graph.Node.Add(new MlNetRnn.OnnxExport.Proto.NodeProto { OpType = "Relu", Name = "added" });
        Assert.Contains("entry 'added': is a Relu node, which an MlNetRnn export never has", Assert.Throws<ModelFileException>(() => OnnxImporter.Import(Unsigned(changed), "changed.onnx")).Message);

        var missing = proto.Clone();
        missing.Graph.Initializer.Remove(missing.Graph.Initializer.Single(t => t.Name == "rnn.0.R"));
        Assert.Contains("entry 'rnn.0.R': is missing; the network in the metadata needs this initializer, FLOAT [1, 21, 7]", Assert.Throws<ModelFileException>(() => OnnxImporter.Import(Unsigned(missing), "missing.onnx")).Message);
        // With the checksum the same changes are refused before anything else.
        Assert.Equal(OnnxModelContract.ChecksumKey, Assert.Throws<ModelFileException>(() => OnnxImporter.Import(changed, "changed.onnx")).Entry);

        Assert.Contains("not an ONNX model", Assert.Throws<ModelFileException>(() => OnnxImporter.Import([1, 2, 3, 255], "garbage")).Message);
    }

    [Fact]
    public void ExportIsAtomic()
    {
        using var model = RandomModels.Create("binary gru tokens last", KernelKind.Reference);
        var directory = Directory.CreateTempSubdirectory("mlnetrnn-atomic");
        try
        {
            var path = Path.Combine(directory.FullName, "model.onnx");
            File.WriteAllText(path, "previous");
            Assert.Throws<ArgumentOutOfRangeException>(() => model.ExportToOnnx(path, new OnnxExportOptions { Opset = 3 }));
            Assert.Equal("previous", File.ReadAllText(path));
            model.ExportToOnnx(path);
            Assert.Single(directory.GetFiles());
            using var imported = OnnxImporter.Import(path);
            Assert.Equal(model.Parameters.Values, imported.Parameters.Values);
        }
        finally
        {
            directory.Delete(recursive: true);
        }
    }

    /// <summary>The model without its checksum, as exports before it had one: the other checks then speak.</summary>
    internal static MlNetRnn.OnnxExport.Proto.ModelProto Unsigned(MlNetRnn.OnnxExport.Proto.ModelProto model)
    {
        var copy = model.Clone();
        copy.MetadataProps.Remove(copy.MetadataProps.Single(p => p.Key == OnnxModelContract.ChecksumKey));
        return copy;
    }

    private static Dictionary<string, float[]> Run(InferenceSession session, SequenceNetworkSpec spec, SequenceBatch batch)
    {
        int T = batch.SeqLength, B = batch.Batch;
        var inputs = new List<RuntimeInput>();
        if (batch.Tokens is { } tokens)
        {
            var ids = new long[B * T];
            for (var t = 0; t < T; t++)
                for (var b = 0; b < B; b++)
                    ids[b * T + t] = tokens[t * B + b];
            inputs.Add(RuntimeInput.Int64s(OnnxModelContract.TokenInput, ids, B, T));
        }
        else
        {
            var D = spec.InputWidth;
            var x = new float[B * T * D];
            for (var t = 0; t < T; t++)
                for (var b = 0; b < B; b++)
                    batch.Features.AsSpan((t * B + b) * D, D).CopyTo(x.AsSpan((b * T + t) * D, D));
            inputs.Add(RuntimeInput.Floats(OnnxModelContract.DenseInput, x, B, T, D));
        }
        inputs.Add(RuntimeInput.Int32s(OnnxModelContract.SequenceLengths, batch.Lengths, B));
        if (spec.Task == SequenceTask.LanguageModel)
        {
            for (var l = 0; l < spec.Layers; l++)
            {
                inputs.Add(RuntimeInput.Floats(OnnxModelContract.InitialH(l), new float[B * spec.HiddenSize], 1, B, spec.HiddenSize));
                if (spec.Cell == RecurrentCell.Lstm)
                    inputs.Add(RuntimeInput.Floats(OnnxModelContract.InitialC(l), new float[B * spec.HiddenSize], 1, B, spec.HiddenSize));
            }
        }
        return OrtTest.Run(session, inputs).ToDictionary(o => o.Name, o => o.Floats);
    }
}
