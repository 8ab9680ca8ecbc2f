using Microsoft.ML;
using Microsoft.ML.Data;
using MlNetRnn.Examples.Datasets;
using MlNetRnn.Network;

namespace MlNetRnn.MLNet.Tests;

/// <summary>The adapter in real ML.NET pipelines: the idiom from the README, with ML.NET's own Evaluate, prediction
/// engine, Model.Save and Model.Load.</summary>
public class MLNetPipelineTests
{
    private static readonly Lazy<(Mail[] Train, Mail[] Test)> SpamSample = new(() =>
    {
        var mails = SpamAssassinCorpus.Load();
        // A stratified sample: 600 mails to train on, 200 to test, in a shuffled order.
        var sample = DatasetSplits.StratifiedSplit(mails, m => m.IsSpam, 800.0 / mails.Count, seed: 3).Test;
        var split = DatasetSplits.StratifiedSplit(sample, m => m.IsSpam, 0.25, seed: 4);
        static Mail[] Take(IEnumerable<SpamMail> m) => m.OrderBy(x => x.FileName, StringComparer.Ordinal)
            .Select(x => new Mail { Text = x.Text.Length > 3000 ? x.Text[..3000] : x.Text, Label = x.IsSpam }).ToArray();
        return (Take(split.Train), Take(split.Test));
    });

    private static SequenceTrainerOptions SmallGru(string features) => new()
    {
        LabelColumnName = "Label",
        FeatureColumnName = features,
        Model = new SequenceModelOptions { HiddenSize = 24, EmbeddingSize = 16, Epochs = 4, LearningRate = 3e-3f, Threads = 1, ReadOut = ReadOutKind.MaxPool, Text = new() { MaxLength = 150 } },
    };

    [Fact]
    public void SpamPipelineFitsEvaluatesPredictsSavesAndLoads()
    {
        var ml = new MLContext(seed: 1);
        var (trainRows, testRows) = SpamSample.Value;
        var train = ml.Data.LoadFromEnumerable(trainRows);
        var test = ml.Data.LoadFromEnumerable(testRows);
        var pipeline = ml.Transforms.Text.TokenizeIntoWords("Tokens", "Text")
            .Append(ml.Transforms.Conversion.MapValueToKey("TokenIds", "Tokens"))
            .Append(ml.BinaryClassification.Trainers.Gru(SmallGru("TokenIds")));
        var model = pipeline.Fit(train);
        var metrics = ml.BinaryClassification.Evaluate(model.Transform(test));
        Assert.True(metrics.Accuracy > 0.85, $"accuracy {metrics.Accuracy:F3}, AUC {metrics.AreaUnderRocCurve:F3}");

        var engine = ml.Model.CreatePredictionEngine<Mail, SpamPrediction>(model);
        var before = testRows.Select(r => engine.Predict(r)).ToArray();
        var path = Path.Combine(Path.GetTempPath(), $"mlnetrnn-spam-{Guid.NewGuid():N}.zip");
        try
        {
            ml.Model.Save(model, train.Schema, path);
            var fresh = new MLContext(seed: 7);
            var loaded = fresh.Model.Load(path, out var schema);
            var loadedEngine = fresh.Model.CreatePredictionEngine<Mail, SpamPrediction>(loaded);
            for (var i = 0; i < testRows.Length; i++)
            {
                var after = loadedEngine.Predict(testRows[i]);
                Assert.Equal(before[i].PredictedLabel, after.PredictedLabel);
                Assert.Equal(before[i].Probability, after.Probability);
            }
            var reloadedMetrics = fresh.BinaryClassification.Evaluate(loaded.Transform(fresh.Data.LoadFromEnumerable(testRows)));
            Assert.Equal(metrics.Accuracy, reloadedMetrics.Accuracy);
        }
        finally
        {
            File.Delete(path);
        }

        // The ONNX export of the trained network scores what the ML.NET transformer scores, given the same ids (the
        // transformer keeps the first Text.MaxLength = 150 keys of a row).
        var trainer = (SequenceModelTransformer)model.LastTransformer;
        var onnx = Path.Combine(Path.GetTempPath(), $"mlnetrnn-spam-{Guid.NewGuid():N}.onnx");
        try
        {
            trainer.ExportToOnnx(onnx);
            using var predictor = OnnxSequencePredictor.Load(onnx);
            var tokenIds = ml.Data.CreateEnumerable<TokenIdRow>(model.Transform(test), reuseRowObject: false).ToArray();
            var onnxPredictions = predictor.Predict(SequenceData.FromTokenIds(tokenIds.Select(r => r.TokenIds.Select(k => (int)k).Take(150).DefaultIfEmpty(0).ToArray()).ToArray()));
            for (var i = 0; i < testRows.Length; i++)
                Assert.True(Math.Abs(onnxPredictions[i].Probability - before[i].Probability) < 1e-5, $"mail {i}: ONNX {onnxPredictions[i].Probability} vs ML.NET {before[i].Probability}");
        }
        finally
        {
            File.Delete(onnx);
        }
    }

    [Fact]
    public void TwoModelsLoadedInOneProcessDoNotCollide()
    {
        var ml = new MLContext(seed: 1);
        var rows = SpamSample.Value.Train.Take(200).ToArray();
        var data = ml.Data.LoadFromEnumerable(rows);
        var prefix = ml.Transforms.Text.TokenizeIntoWords("Tokens", "Text").Append(ml.Transforms.Conversion.MapValueToKey("TokenIds", "Tokens"));
        var a = prefix.Append(ml.BinaryClassification.Trainers.Gru(SmallGru("TokenIds") with { Model = SmallGru("TokenIds").Model with { Epochs = 1, Seed = 1 } })).Fit(data);
        var b = prefix.Append(ml.BinaryClassification.Trainers.Lstm(SmallGru("TokenIds") with { Model = SmallGru("TokenIds").Model with { Epochs = 1, Seed = 2 } })).Fit(data);
        var pathA = Path.GetTempFileName();
        var pathB = Path.GetTempFileName();
        try
        {
            ml.Model.Save(a, data.Schema, pathA);
            ml.Model.Save(b, data.Schema, pathB);
            var fresh = new MLContext();
            var loadedA = fresh.Model.Load(pathA, out _);
            var loadedB = fresh.Model.Load(pathB, out _);
            var scoresA = fresh.Data.CreateEnumerable<SpamPrediction>(loadedA.Transform(data), false).Select(p => p.Probability).ToArray();
            var scoresB = fresh.Data.CreateEnumerable<SpamPrediction>(loadedB.Transform(data), false).Select(p => p.Probability).ToArray();
            var expectedA = ml.Data.CreateEnumerable<SpamPrediction>(a.Transform(data), false).Select(p => p.Probability).ToArray();
            var expectedB = ml.Data.CreateEnumerable<SpamPrediction>(b.Transform(data), false).Select(p => p.Probability).ToArray();
            Assert.Equal(expectedA, scoresA);
            Assert.Equal(expectedB, scoresB);
            Assert.NotEqual(scoresA, scoresB);
        }
        finally
        {
            File.Delete(pathA);
            File.Delete(pathB);
        }
    }

    [Fact]
    public void MulticlassPipelineWithKeyLabels()
    {
        var ml = new MLContext(seed: 1);
        var random = new Random(5);
        string[] words = ["a", "b", "c", "d", "e"];
        TokenRow Row(int i)
        {
            var tokens = Enumerable.Range(0, 6 + random.Next(6)).Select(_ => words[random.Next(words.Length)]).ToList();
            var cls = i % 3;
            tokens.Insert(random.Next(tokens.Count), cls switch { 0 => "red", 1 => "green", _ => "blue" });
            return new TokenRow { Tokens = [.. tokens], Label = cls switch { 0 => "warm", 1 => "plant", _ => "sky" } };
        }
        var data = ml.Data.LoadFromEnumerable(Enumerable.Range(0, 300).Select(Row).ToArray());
        var pipeline = ml.Transforms.Conversion.MapValueToKey("Label")
            .Append(ml.Transforms.Conversion.MapValueToKey("TokenIds", "Tokens"))
            .Append(ml.MulticlassClassification.Trainers.Gru(SmallGru("TokenIds") with { Model = SmallGru("TokenIds").Model with { Epochs = 8, ReadOut = ReadOutKind.LastState } }));
        var model = pipeline.Fit(data);
        var scored = model.Transform(data);
        Assert.Equal(3, ((VectorDataViewType)scored.Schema["Score"].Type).Size);
        Assert.Equal(3UL, ((KeyDataViewType)scored.Schema["PredictedLabel"].Type).Count);
        var metrics = ml.MulticlassClassification.Evaluate(scored);
        Assert.True(metrics.MacroAccuracy > 0.95, $"macro accuracy {metrics.MacroAccuracy:F3}");
        // Predicted keys carry the label names.
        var names = default(VBuffer<ReadOnlyMemory<char>>);
        scored.Schema["PredictedLabel"].GetKeyValues(ref names);
        Assert.Equal(["warm", "plant", "sky"], names.DenseValues().Select(n => n.ToString()));
    }

    [Fact]
    public void RegressionForecastsFromFixedLengthSeries()
    {
        var ml = new MLContext(seed: 1);
        var random = new Random(9);
        var rows = Enumerable.Range(0, 300).Select(_ =>
        {
            var phase = (float)(random.NextDouble() * 6.28);
            return new SeriesRow { Series = Enumerable.Range(0, 12).Select(t => MathF.Sin(phase + 0.4f * t)).ToArray(), Label = MathF.Sin(phase + 0.4f * 12) };
        }).ToArray();
        var schema = SchemaDefinition.Create(typeof(SeriesRow));
        schema["Series"].ColumnType = new VectorDataViewType(NumberDataViewType.Single, 12);
        var data = ml.Data.LoadFromEnumerable(rows, schema);
        var options = new SequenceTrainerOptions
        {
            FeatureColumnName = "Series",
            FeatureWidth = 1,
            Model = new SequenceModelOptions { HiddenSize = 16, Epochs = 20, LearningRate = 1e-2f, Threads = 1, BatchSize = 16 },
        };
        var model = ml.Regression.Trainers.Lstm(options).Fit(data);
        var metrics = ml.Regression.Evaluate(model.Transform(data));
        Assert.True(metrics.RootMeanSquaredError < 0.1, $"RMSE {metrics.RootMeanSquaredError:F3}");
    }

    [Fact]
    public void EncoderFeedsAStandardTrainer()
    {
        var ml = new MLContext(seed: 1);
        var (trainRows, testRows) = SpamSample.Value;
        var train = ml.Data.LoadFromEnumerable(trainRows);
        var pipeline = ml.Transforms.Text.TokenizeIntoWords("Tokens", "Text")
            .Append(ml.Transforms.Conversion.MapValueToKey("TokenIds", "Tokens"))
            .Append(ml.Transforms.EncodeSequence("Encoded", SequenceTask.BinaryClassification, SmallGru("TokenIds") with { Model = SmallGru("TokenIds").Model with { Bidirectional = true } }))
            .Append(ml.BinaryClassification.Trainers.LbfgsLogisticRegression(featureColumnName: "Encoded"));
        var model = pipeline.Fit(train);
        var scored = model.Transform(ml.Data.LoadFromEnumerable(testRows));
        Assert.Equal(48, ((VectorDataViewType)scored.Schema["Encoded"].Type).Size);
        var metrics = ml.BinaryClassification.Evaluate(scored);
        Assert.True(metrics.Accuracy > 0.85, $"accuracy {metrics.Accuracy:F3}");
    }

    [Fact]
    public void SchemaErrorsNameTheColumnAndTheTypes()
    {
        var ml = new MLContext();
        var data = ml.Data.LoadFromEnumerable(new[] { new Mail { Text = "hello there", Label = true } });
        var tokens = ml.Transforms.Text.TokenizeIntoWords("Tokens", "Text").Fit(data).Transform(data);

        var wrongFeature = Assert.ThrowsAny<ArgumentException>(() => ml.BinaryClassification.Trainers.Gru(featureColumnName: "Tokens").GetOutputSchema(ShapeOf(tokens)));
        Assert.Contains("vector of keys", Assert.ThrowsAny<ArgumentException>(() => ml.BinaryClassification.Trainers.Gru(featureColumnName: "Tokens").Fit(tokens)).Message);
        Assert.Contains("'Tokens'", wrongFeature.Message);
        Assert.Contains("vector of keys", wrongFeature.Message);
        Assert.Contains("String", wrongFeature.Message);

        var keyed = ml.Transforms.Conversion.MapValueToKey("TokenIds", "Tokens").Fit(tokens).Transform(tokens);
        var wrongLabel = Assert.ThrowsAny<ArgumentException>(() => ml.MulticlassClassification.Trainers.Gru(featureColumnName: "TokenIds").Fit(keyed));
        Assert.Contains("label column 'Label'", wrongLabel.Message);
        Assert.Contains("expected a key", wrongLabel.Message);
        Assert.Contains("Boolean", wrongLabel.Message);

        var missing = Assert.ThrowsAny<ArgumentException>(() => ml.BinaryClassification.Trainers.Gru(featureColumnName: "Nope").Fit(keyed));
        Assert.Contains("'Nope'", missing.Message);
    }

    // SchemaShape.Create(DataViewSchema) is internal to ML.NET; the test reaches it by reflection to call GetOutputSchema
    // the way ML.NET's own pipeline code does.
    private static SchemaShape ShapeOf(IDataView data) => (SchemaShape)typeof(SchemaShape)
        .GetMethod("Create", System.Reflection.BindingFlags.NonPublic | System.Reflection.BindingFlags.Static, [typeof(DataViewSchema)])!
        .Invoke(null, [data.Schema])!;

    private sealed class TokenIdRow
    {
        public uint[] TokenIds { get; set; } = [];
    }
}
