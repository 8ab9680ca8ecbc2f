using System.Diagnostics;
using System.Text.Json;
using Google.Protobuf;
using MlNetRnn.Featurization;
using MlNetRnn.Kernels;
using MlNetRnn.OnnxExport.Export;
using MlNetRnn.OnnxExport.Proto;
using MlNetRnn.Tests.Datasets;
using MlNetRnn.Tests.Runtime;
using Xunit.Abstractions;

namespace MlNetRnn.Tests.Export;

/// <summary>
/// The raw-text ONNX graph against the .NET tokenizer, with ONNX Runtime as the judge: the ids and lengths the graph
/// computes equal <see cref="TextFeaturizer.EncodeSequence"/>'s (Tests/Fixtures/Text/hard-strings.json, lone
/// surrogates, every mail of the SpamAssassin corpus), and the graph's scores equal the native model's within 1e-5.
/// </summary>
public class TextGraphTests(ITestOutputHelper output)
{
    private const int MaxLength = 20;

    public static IReadOnlyList<string> HardStrings { get; } = LoadHardStrings();

    private static IReadOnlyList<string> LoadHardStrings()
    {
        using var json = JsonDocument.Parse(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Fixtures", "Text", "hard-strings.json")));
        var texts = json.RootElement.GetProperty("texts").EnumerateArray().Select(e => e.GetString()!).ToList();
        // Lone surrogates: UTF-8 has no encoding for them, so ONNX Runtime receives U+FFFD; the tokenizer reads them so.
        texts.Add("lone \uD800 high and \uDC00 low, \uD83D\uD83D twice, end \uD83D");
        return texts;
    }

    /// <summary>A vocabulary that holds tokens of the hard strings too (MinCount 1), so that a wrong split shows.</summary>
    private static TextFeaturizer Featurizer(TextFeaturizerOptions? options = null) =>
        TextFeaturizer.Fit(HardStrings.Concat(["the cat sat on the mat", "a dog ran"]), options ?? new TextFeaturizerOptions { MinCount = 1, MaxLength = MaxLength });

    [Fact]
    public void GraphTokenIdsEqualTheTokenizersOnHardStrings()
    {
        foreach (var options in new[]
        {
            new TextFeaturizerOptions { MinCount = 1, MaxLength = MaxLength },
            new TextFeaturizerOptions { MinCount = 1, MaxLength = MaxLength, Truncation = TruncationSide.KeepEnd },
            new TextFeaturizerOptions { MinCount = 1, MaxLength = 0, Lowercase = false },
            new TextFeaturizerOptions { MinCount = 1, MaxLength = 7, KeepPunctuation = false, MaxTokenLength = 8 },
        })
        {
            var featurizer = Featurizer(options);
            using var session = IdsSession(featurizer);
            AssertIdsEqual(session, featurizer, HardStrings, $"{options}");
            // Each text alone too: the graph pads a batch to its longest text, a lone text to itself.
            foreach (var text in HardStrings)
                AssertIdsEqual(session, featurizer, [text], $"{options} alone");
        }
    }

    [Fact]
    public void TokenizerDefinitionOnExamples()
    {
        var options = new TextFeaturizerOptions();
        Assert.Equal(["don", "'", "t", "stop", "-", "believing", ";"], Tokenizer.Tokenize("Don't STOP-believing;", options));
        Assert.Equal(["naïve", "Émile", "“quoted”", "😀😀"], Tokenizer.Tokenize("Naïve\u00A0Émile “Quoted”\u3000😀😀", options));
        Assert.Empty(Tokenizer.Tokenize(" \t\u2028\u3000 ", options));
        Assert.Equal(["a", "b"], Tokenizer.Tokenize("a, b!", options with { KeepPunctuation = false }));
        var featurizer = Featurizer();
        Assert.Equal([Vocabulary.UnknownId], featurizer.EncodeSequence(""));
        Assert.Equal([Vocabulary.UnknownId], featurizer.EncodeSequence(" \n "));
        Assert.Empty(featurizer.Encode(""));
        // A word longer than MaxTokenLength is never in the vocabulary.
        Assert.DoesNotContain(featurizer.Vocabulary.Tokens, t => t.Length > 32);
        Assert.Equal(Vocabulary.UnknownId, featurizer.EncodeSequence(new string('x', 33))[0]);
    }

    [Theory]
    [InlineData("binary gru text last")]
    [InlineData("binary lstm text max bidirectional")]
    [InlineData("multiclass gru-lbr0 text mean 2layers")]
    [InlineData("regression rnn text last")]
    [InlineData("tagging gru text")]
    [InlineData("lm lstm")]
    public void RawTextGraphScoresWhatTheNativeModelScores(string configuration)
    {
        using var model = WithFeaturizer(RandomModels.Create(configuration, KernelKind.Native), Featurizer());
        var texts = HardStrings.ToArray();
        var expected = model.Predict(SequenceData.FromTexts(texts));
        var path = Path.Combine(Path.GetTempPath(), $"mlnetrnn-text-{Guid.NewGuid():N}.onnx");
        try
        {
            var report = model.ExportToOnnx(path);
            Assert.Equal(TextGraph.MinimumOpset, report.Opset);
            Assert.Equal(OnnxModelContract.TextInput, report.Inputs[0]);
            Assert.Equal(model.Task == SequenceTask.LanguageModel ? 3 : 1, report.Inputs.Count);   // an LSTM LM: h and c too
            using var predictor = OnnxSequencePredictor.Load(path);
            Assert.True(predictor.TakesText);
            var actual = predictor.Predict(SequenceData.FromTexts(texts));
            for (var i = 0; i < texts.Length; i++)
                AssertSamePrediction(expected[i], actual[i], $"{configuration}, text {i}");

            // ML.NET's names straight from ONNX Runtime, as a deploying app reads them (a language model also takes states).
            if (model.Task == SequenceTask.LanguageModel)
                return;
            using var session = OrtTest.Open(File.ReadAllBytes(path));
            var outputs = OrtTest.Run(session, [RuntimeInput.Strings(OnnxModelContract.TextInput, texts, texts.Length, 1)]).ToDictionary(o => o.Name);
            switch (model.Task)
            {
                case SequenceTask.BinaryClassification:
                    for (var i = 0; i < texts.Length; i++)
                    {
                        Assert.Equal(expected[i].Probability, outputs[OnnxModelContract.ProbabilityOutput].Floats[i], 5);
                        Assert.Equal(expected[i].Score, outputs[OnnxModelContract.Score].Floats[i], 5);
                        Assert.Equal(expected[i].PredictedLabel == model.Labels[1], outputs[OnnxModelContract.PredictedLabel].Int64s[i] == 1);
                    }
                    break;
                case SequenceTask.MulticlassClassification:
                    for (var i = 0; i < texts.Length; i++)
                    {
                        Assert.Equal(expected[i].PredictedLabel, outputs[OnnxModelContract.PredictedLabel].Strings[i]);
                        RuntimeTensors.AssertClose($"Score {i}", expected[i].Probabilities, outputs[OnnxModelContract.Score].Floats.AsSpan(i * 3, 3), 1e-5f);
                    }
                    break;
                case SequenceTask.Regression:
                    var K = model.Spec.OutputSize;
                    for (var i = 0; i < texts.Length; i++)
                        RuntimeTensors.AssertClose($"Score {i}", expected[i].Values, outputs[OnnxModelContract.Score].Floats.AsSpan(i * K, K), 1e-5f, 1e-5f);
                    break;
            }
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void TokenIdGraphStaysAnOptionAndCharacterModelsNeedIt()
    {
        using var model = WithFeaturizer(RandomModels.Create("binary gru text last", KernelKind.Native), Featurizer());
        var (proto, report) = OnnxExporter.Build(model, new OnnxExportOptions { TextInput = OnnxTextInput.TokenIds });
        Assert.Equal(OnnxExportOptions.MinimumOpset, report.Opset);
        Assert.Equal([OnnxModelContract.TokenInput, OnnxModelContract.SequenceLengths], report.Inputs);
        Assert.DoesNotContain(proto.Graph.Node, n => n.OpType.StartsWith("String"));

        var characters = new TextFeaturizer(new TextFeaturizerOptions { Tokenizer = TokenizerKind.Characters, MinCount = 1 },
            new Vocabulary([Vocabulary.PaddingToken, Vocabulary.UnknownToken, "a", "b"]));
        using var charModel = WithFeaturizer(RandomModels.Create("binary gru text last", KernelKind.Native), characters);
        var error = Assert.Throws<NotSupportedException>(() => OnnxExporter.Build(charModel, new OnnxExportOptions()));
        Assert.Contains("Characters", error.Message);
        Assert.Contains("TokenIds", error.Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => OnnxExporter.Build(model, new OnnxExportOptions { Opset = 18 }));
    }

    [Fact]
    public void ModelsTrainedWithTokenizerVersionOneAreNotExportedAsText()
    {
        var legacy = new TextFeaturizer(new TextFeaturizerOptions { MinCount = 1, TokenizerVersion = 1 },
            new Vocabulary([Vocabulary.PaddingToken, Vocabulary.UnknownToken, "don't"]));
        Assert.Equal(["don't", "stop"], Tokenizer.Tokenize("Don't stop", legacy.Options));
        using var model = WithFeaturizer(RandomModels.Create("binary gru text last", KernelKind.Native), legacy);
        Assert.Contains("version 1", Assert.Throws<NotSupportedException>(() => OnnxExporter.Build(model, new OnnxExportOptions())).Message);
    }

    [DataSetFact(RequiredDataSet.SpamAssassin)]
    public void GraphTokenIdsEqualTheTokenizersOnEverySpamAssassinMail()
    {
        var mails = MlNetRnn.Examples.Datasets.SpamAssassinCorpus.Load().Select(m => m.Text).ToArray();
        var featurizer = TextFeaturizer.Fit(mails, new TextFeaturizerOptions { MaxLength = 600 });
        using var session = IdsSession(featurizer);
        var clock = Stopwatch.StartNew();
        for (var start = 0; start < mails.Length; start += 256)
            AssertIdsEqual(session, featurizer, mails[start..Math.Min(mails.Length, start + 256)], $"mails from {start}");
        output.WriteLine($"{mails.Length} mails, ONNX Runtime tokenized them in {clock.Elapsed.TotalSeconds:F1} s in batches of 256");
    }

    /// <summary>The raw-text graph of a small model with this featurizer, with its internal ids and lengths as outputs.</summary>
    private static Microsoft.ML.OnnxRuntime.InferenceSession IdsSession(TextFeaturizer featurizer)
    {
        using var model = WithFeaturizer(RandomModels.Create("binary gru text last", KernelKind.Native), featurizer);
        var (proto, _) = OnnxExporter.Build(model, new OnnxExportOptions());
        proto.Graph.Output.Clear();
        proto.Graph.Output.Add(Value(OnnxModelContract.TokenInput, TensorProto.Types.DataType.Int64));
        proto.Graph.Output.Add(Value(OnnxModelContract.SequenceLengths, TensorProto.Types.DataType.Int32));
        return OrtTest.Open(proto.ToByteArray());
    }

    private static void AssertIdsEqual(Microsoft.ML.OnnxRuntime.InferenceSession session, TextFeaturizer featurizer, IReadOnlyList<string> texts, string what)
    {
        var outputs = OrtTest.Run(session, [RuntimeInput.Strings(OnnxModelContract.TextInput, [.. texts], texts.Count, 1)]);
        var ids = outputs[0];
        var lengths = outputs[1].Int64s;
        var steps = (int)ids.Shape[1];
        for (var i = 0; i < texts.Count; i++)
        {
            var expected = featurizer.EncodeSequence(texts[i]);
            var actual = ids.Int64s.AsSpan(i * steps, (int)lengths[i]).ToArray().Select(v => (int)v).ToArray();
            if (!expected.SequenceEqual(actual))
            {
                var first = Enumerable.Range(0, Math.Min(expected.Length, actual.Length)).FirstOrDefault(k => expected[k] != actual[k], Math.Min(expected.Length, actual.Length));
                Assert.Fail($"{what}: text {i} ({Escape(texts[i])}): {expected.Length} tokens in .NET, {actual.Length} in ONNX Runtime; first difference at {first}: " +
                            $".NET {Token(featurizer, expected, first)}, ONNX Runtime {Token(featurizer, actual, first)}");
            }
        }
    }

    private static string Token(TextFeaturizer featurizer, int[] ids, int at) =>
        at < ids.Length ? $"{ids[at]} '{Escape(featurizer.Vocabulary[ids[at]])}'" : "(end)";

    private static string Escape(string text) =>
        string.Concat(text.Take(80).Select(c => c is >= ' ' and < (char)127 ? c.ToString() : $"\\u{(int)c:x4}"));

    private static void AssertSamePrediction(SequencePrediction expected, SequencePrediction actual, string what)
    {
        Assert.True(expected.PredictedLabel == actual.PredictedLabel, $"{what}: label {expected.PredictedLabel} vs {actual.PredictedLabel}");
        if (expected.Probabilities is { } p)
            RuntimeTensors.AssertClose($"{what} probabilities", p, actual.Probabilities, 1e-5f);
        if (expected.Values is { } v)
            RuntimeTensors.AssertClose($"{what} values", v, actual.Values, 1e-5f, 1e-5f);
        if (expected.StepLabels is { } tags)
            Assert.Equal(tags, actual.StepLabels);
    }

    /// <summary>The model with another featurizer (and an embedding sized for its vocabulary, same seed).</summary>
    private static SequenceModel WithFeaturizer(SequenceModel model, TextFeaturizer featurizer)
    {
        using (model)
        {
            var vocabulary = featurizer.Vocabulary.Count;
            var spec = model.Spec with
            {
                InputWidth = vocabulary,
                OutputSize = model.Task == SequenceTask.LanguageModel ? vocabulary : model.Spec.OutputSize,
            };
            var parameters = new MlNetRnn.Network.ParameterSet(MlNetRnn.Network.SequenceNetwork.Layout(spec));
            MlNetRnn.Network.Initializer.Initialize(spec, parameters, new MlNetRnn.Training.SeededRandom(3));
            var schema = model.Schema with { Featurizer = featurizer, VocabularySize = vocabulary };
            return new SequenceModel(schema, spec, parameters, model.Options with { VocabularySize = vocabulary });
        }
    }

    private static ValueInfoProto Value(string name, TensorProto.Types.DataType type) =>
        new() { Name = name, Type = new TypeProto { TensorType = new TypeProto.Types.Tensor { ElemType = (int)type } } };
}
