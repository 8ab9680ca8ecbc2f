using Google.Protobuf;
using Microsoft.ML.OnnxRuntime;
using MlNetRnn.Kernels;
using MlNetRnn.Network;
using MlNetRnn.OnnxExport.Import;
using MlNetRnn.OnnxExport.Onnx;
using MlNetRnn.OnnxExport.Proto;
using MlNetRnn.Tests.Kernels;
using MlNetRnn.Training;

namespace MlNetRnn.Tests.Import;

/// <summary>
/// Models exported by torch.onnx.export (Tests/Fixtures/generate_pytorch_onnx_models.py) import into trainable
/// models that reproduce PyTorch's own outputs on the generator's inputs, and fine-tune.
/// </summary>
public class PyTorchOnnxImportTests
{
    /// <summary>|a - e| &lt;= 1e-5: float32 on both sides, the same equations in another order.</summary>
    private static readonly Tolerance PyTorch = new("PyTorch outputs", 1e-5, 0);

    private static readonly string[] Letters = ["a", "b", "c", "d", "e", "f", "g", "h", "i", "j", "k"];

    /// <summary>What each fixture must import as: task, cell, layers, bidirectional, read-out, input.</summary>
    private static readonly Dictionary<string, (SequenceTask Task, RecurrentCell Cell, int Layers, bool Bidirectional, ReadOutKind ReadOut, SequenceInputKindOfData Input)> Expected = new()
    {
        ["gru_2layers_bidirectional_mean_multiclass"] = (SequenceTask.MulticlassClassification, RecurrentCell.Gru, 2, true, ReadOutKind.MeanPool, SequenceInputKindOfData.TokenIds),
        ["gru_2layers_last_step_slice_multiclass"] = (SequenceTask.MulticlassClassification, RecurrentCell.Gru, 2, false, ReadOutKind.LastState, SequenceInputKindOfData.TokenIds),
        ["gru_2layers_language_model"] = (SequenceTask.LanguageModel, RecurrentCell.Gru, 2, false, ReadOutKind.AllSteps, SequenceInputKindOfData.Text),
        ["gru_bidirectional_reshape_binary"] = (SequenceTask.BinaryClassification, RecurrentCell.Gru, 1, true, ReadOutKind.LastState, SequenceInputKindOfData.TokenIds),
        ["gru_tokens_binary"] = (SequenceTask.BinaryClassification, RecurrentCell.Gru, 1, false, ReadOutKind.LastState, SequenceInputKindOfData.TokenIds),
        ["lstm_2layers_bidirectional_multiclass"] = (SequenceTask.MulticlassClassification, RecurrentCell.Lstm, 2, true, ReadOutKind.LastState, SequenceInputKindOfData.TokenIds),
        ["lstm_bidirectional_max_binary"] = (SequenceTask.BinaryClassification, RecurrentCell.Lstm, 1, true, ReadOutKind.MaxPool, SequenceInputKindOfData.TokenIds),
        ["lstm_dense_2layers_regression"] = (SequenceTask.Regression, RecurrentCell.Lstm, 2, false, ReadOutKind.LastState, SequenceInputKindOfData.Dense),
        ["lstm_tagging"] = (SequenceTask.Tagging, RecurrentCell.Lstm, 1, false, ReadOutKind.AllSteps, SequenceInputKindOfData.TokenIds),
        ["rnn_dense_regression_steps"] = (SequenceTask.Regression, RecurrentCell.Rnn, 1, false, ReadOutKind.AllSteps, SequenceInputKindOfData.Dense),
        ["rnn_relu_2layers_log_softmax"] = (SequenceTask.MulticlassClassification, RecurrentCell.Rnn, 2, false, ReadOutKind.LastState, SequenceInputKindOfData.TokenIds),
        ["rnn_tanh_last_step_regression"] = (SequenceTask.Regression, RecurrentCell.Rnn, 1, false, ReadOutKind.LastState, SequenceInputKindOfData.TokenIds),
    };

    public static TheoryData<string, string> Cases()
    {
        var data = new TheoryData<string, string>();
        foreach (var name in PyTorchOnnxFixture.Names)
            foreach (var kernel in new[] { "reference", "native" })
                data.Add(name, kernel);
        return data;
    }

    /// <summary>The options a user gives for what the graph cannot say: the language model's task and vocabulary.</summary>
    internal static OnnxImportOptions OptionsFor(string name) => name switch
    {
        "gru_2layers_language_model" => new OnnxImportOptions
        {
            Task = SequenceTask.LanguageModel,
            Vocabulary = ["<pad>", "<unk>", .. Letters],
            Text = new TextFeaturizerOptions { Tokenizer = TokenizerKind.Characters, MaxLength = 0 },
        },
        _ => new OnnxImportOptions(),
    };

    [Fact]
    public void EveryFixtureIsListed() => Assert.Equal(Expected.Keys.Order(), PyTorchOnnxFixture.Names);

    [Theory]
    [MemberData(nameof(Cases))]
    public void ImportedModelReproducesPyTorch(string name, string kernelName)
    {
        var fixture = PyTorchOnnxFixture.Load(name);
        using var model = OnnxImporter.Import(fixture.OnnxPath, OptionsFor(name));
        var expected = Expected[name];
        Assert.Equal(expected, (model.Task, model.Spec.Cell, model.Spec.Layers, model.Spec.Bidirectional, model.Spec.ReadOut, model.Schema.Input));

        var kernel = KernelFactory.Create(kernelName == "native" ? KernelKind.Native : KernelKind.Reference, 1);
        try
        {
            var network = new SequenceNetwork(model.Spec, kernel, model.Parameters);
            foreach (var c in fixture.Cases)
            {
                var outputs = network.Forward(c.ToBatch(), training: false);
                var actual = Activate(c.AsExpectedLayout(outputs, model.Spec.OutputSize), model.Spec.OutputSize, fixture.Activation);
                PyTorch.AssertClose(c.Expected, actual, $"{name} ({kernelName}), batch {c.Batch} x {c.Steps} steps");
            }
        }
        finally
        {
            (kernel as IDisposable)?.Dispose();
        }
    }

    /// <summary>
    /// An LSTM with peepholes from another producer (PyTorch has none: its tagger with a P input added, the values
    /// seeded) imports as a peephole LSTM whose outputs are ONNX Runtime's on that graph, on both kernels.
    /// </summary>
    [Theory]
    [InlineData("native")]
    [InlineData("reference")]
    public void ForeignLstmPeepholesImportAndMatchOnnxRuntime(string kernelName)
    {
        var fixture = PyTorchOnnxFixture.Load("lstm_tagging");
        var proto = ModelProto.Parser.ParseFrom(File.ReadAllBytes(fixture.OnnxPath));
        var lstm = proto.Graph.Node.First(n => n.OpType == "LSTM");
        var hidden = (int)lstm.Attribute.First(a => a.Name == "hidden_size").I;
        var random = new Random(17);
        var peepholes = Enumerable.Range(0, 3 * hidden).Select(_ => (float)(random.NextDouble() - 0.5)).ToArray();
        proto.Graph.Initializer.Add(OnnxTensor.FromFloats("peepholes", peepholes, 1, 3 * hidden).ToProto());
        while (lstm.Input.Count < 7)
            lstm.Input.Add("");
        lstm.Input.Add("peepholes");
        var bytes = proto.ToByteArray();

        using var model = OnnxImporter.Import(proto, "lstm-peepholes.onnx", OptionsFor(fixture.Name));
        Assert.True(model.Spec.Peepholes);
        Assert.Equal(peepholes, model.Parameters[SequenceNetwork.PeepholeName(0)].Values);

        using var session = new InferenceSession(bytes);
        var kernel = KernelFactory.Create(kernelName == "native" ? KernelKind.Native : KernelKind.Reference, 1);
        try
        {
            var network = new SequenceNetwork(model.Spec, kernel, model.Parameters);
            foreach (var c in fixture.Cases)
            {
                var ids = Enumerable.Range(0, c.Batch).SelectMany(c.TokenIds).Select(id => (long)id).ToArray();   // [B, T]
                using var input = OrtValue.CreateTensorValueFromMemory(ids, [c.Batch, c.Steps]);
                using var runOptions = new RunOptions();
                using var results = session.Run(runOptions, ["tokens"], [input], ["output"]);
                var expected = results[0].GetTensorDataAsSpan<float>().ToArray();
                var outputs = network.Forward(c.ToBatch(), training: false);
                var actual = Activate(c.AsExpectedLayout(outputs, model.Spec.OutputSize), model.Spec.OutputSize, fixture.Activation);
                PyTorch.AssertClose(expected, actual, $"lstm_tagging with peepholes ({kernelName}), batch {c.Batch} x {c.Steps} steps");
            }
        }
        finally
        {
            (kernel as IDisposable)?.Dispose();
        }
    }

    /// <summary>Predict (the decoded probabilities and values users read) agrees with PyTorch too.</summary>
    [Theory]
    [InlineData("gru_tokens_binary")]
    [InlineData("lstm_2layers_bidirectional_multiclass")]
    [InlineData("lstm_dense_2layers_regression")]
    [InlineData("rnn_dense_regression_steps")]
    public void PredictGivesPyTorchsOutputs(string name)
    {
        var fixture = PyTorchOnnxFixture.Load(name);
        using var model = OnnxImporter.Import(fixture.OnnxPath);
        foreach (var c in fixture.Cases)
        {
            var data = c.Width > 0
                ? SequenceData.FromFeatures(Enumerable.Range(0, c.Batch).Select(c.Features).ToArray(), c.Width)
                : SequenceData.FromTokenIds(Enumerable.Range(0, c.Batch).Select(c.TokenIds).ToArray());
            var predictions = model.Predict(data);
            var actual = predictions.SelectMany(p => model.Task switch
            {
                SequenceTask.BinaryClassification => [p.Probability],
                SequenceTask.Regression => p.Values!,
                _ => p.Probabilities!,
            }).ToArray();
            var expected = c.Expected;
            if (fixture.OutputLayout == "TBK")
                expected = Enumerable.Range(0, c.Batch).SelectMany(b => Enumerable.Range(0, c.Steps).Select(t => c.Expected[t * c.Batch + b])).ToArray();
            PyTorch.AssertClose(expected, actual, $"{name} Predict, batch {c.Batch} x {c.Steps} steps");
        }
    }

    [Fact]
    public void ImportedModelsKeepLabelsAndVocabularyFromTheOptions()
    {
        var fixture = PyTorchOnnxFixture.Load("lstm_2layers_bidirectional_multiclass");
        using var model = OnnxImporter.Import(fixture.OnnxPath, new OnnxImportOptions { Labels = ["sports", "politics", "science"] });
        Assert.Equal(["sports", "politics", "science"], model.Labels);
        var c = fixture.Cases[0];
        var prediction = model.Predict(SequenceData.FromTokenIds([c.TokenIds(0)]))[0];
        Assert.Equal(model.Labels[SequencePredictionDecoder.ArgMax(c.Expected.AsSpan(0, 3))], prediction.PredictedLabel);

        using var binary = OnnxImporter.Import(PyTorchOnnxFixture.Load("gru_tokens_binary").OnnxPath, new OnnxImportOptions { Labels = ["ham", "spam"] });
        Assert.Equal(["ham", "spam"], binary.Labels);
        Assert.Equal("spam", binary.Options.PositiveLabel);

        var lm = PyTorchOnnxFixture.Load("gru_2layers_language_model");
        using var text = OnnxImporter.Import(lm.OnnxPath, OptionsFor(lm.Name));
        Assert.Equal(13, text.Schema.Featurizer!.Vocabulary.Count);
        Assert.Equal(4, text.Generate("abc", 4).Length);
    }

    [Fact]
    public void ImportedBinaryClassifierFineTunes()
    {
        using var imported = OnnxImporter.Import(PyTorchOnnxFixture.Load("gru_tokens_binary").OnnxPath);
        var before = imported.Parameters.Values.ToArray();
        // Label: whether token 7 occurs; ids 0 .. 12 as the embedding has them.
        var random = new SeededRandom(5);
        var sequences = Enumerable.Range(0, 160).Select(i =>
        {
            var s = Enumerable.Range(0, 4 + random.Next(6)).Select(_ => random.Next(7)).ToArray();
            if (i % 2 == 0)
                s[random.Next(s.Length)] = 7;
            return s;
        }).ToArray();
        var data = SequenceData.FromTokenIds(sequences, sequences.Select(s => SequenceData.BinaryLabel(s.Contains(7))).ToArray());

        var options = imported.Options with { Epochs = 6, LearningRate = 0.02f, BatchSize = 16, Threads = 1, Kernel = KernelKind.Native };
        using var tuned = new SequenceModelEstimator(options).Fit(start: imported, data);
        var losses = tuned.History.Epochs.Select(e => e.TrainLoss).ToArray();
        Assert.True(losses[^1] < 0.7 * losses[0], $"the loss falls: {string.Join(", ", losses.Select(l => l.ToString("F4")))}");
        Assert.Equal(before, imported.Parameters.Values);
        Assert.True(tuned.Evaluate(data).Accuracy > 0.8, "the fine-tuned model learned the task");
    }

    [Fact]
    public void ImportedDenseRegressionFineTunes()
    {
        using var imported = OnnxImporter.Import(PyTorchOnnxFixture.Load("lstm_dense_2layers_regression").OnnxPath);
        var random = new SeededRandom(6);
        var sequences = Enumerable.Range(0, 120).Select(_ => Enumerable.Range(0, 4 * (3 + random.Next(5))).Select(_ => random.Uniform(-1f, 1f)).ToArray()).ToArray();
        // Two targets: the mean of feature 0 and the last value of feature 3.
        var targets = sequences.Select(s => new[] { s.Where((_, i) => i % 4 == 0).Average(), s[^1] }).ToArray();
        var data = SequenceData.ForRegression(sequences, 4, targets);
        var options = imported.Options with { Epochs = 8, LearningRate = 0.01f, BatchSize = 16, Threads = 1 };
        using var tuned = new SequenceModelEstimator(options).Fit(start: imported, data);
        var losses = tuned.History.Epochs.Select(e => e.TrainLoss).ToArray();
        Assert.True(losses[^1] < 0.5 * losses[0], $"the loss falls: {string.Join(", ", losses.Select(l => l.ToString("F4")))}");
    }

    internal static float[] Activate(float[] outputs, int K, string activation)
    {
        switch (activation)
        {
            case "sigmoid":
                return outputs.Select(z => 1f / (1f + MathF.Exp(-z))).ToArray();
            case "softmax":
            case "log_softmax":
                var result = new float[outputs.Length];
                for (var row = 0; row < outputs.Length / K; row++)
                {
                    var p = SequencePredictionDecoder.Softmax(outputs.AsSpan(row * K, K));
                    for (var k = 0; k < K; k++)
                        result[row * K + k] = activation == "softmax" ? p[k] : MathF.Log(p[k]);
                }
                return result;
            default:
                return outputs;
        }
    }
}
