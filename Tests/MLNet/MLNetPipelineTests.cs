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

    private static RecurrentBinaryTrainer.Options SmallGru(string features, int epochs = 4, int? seed = null, bool bidirectional = false) => new()
    {
        LabelColumnName = "Label",
        FeatureColumnName = features,
        HiddenSize = 24,
        EmbeddingSize = 16,
        Bidirectional = bidirectional,
        Epochs = epochs,
        LearningRate = 3e-3f,
        Threads = 1,
        ReadOut = ReadOutKind.MaxPool,
        MaxLength = 150,
        Seed = seed,
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
        catch
        {
            File.Delete(path);
            throw;
        }

        // The ONNX export of the trained network scores what the ML.NET transformer scores: given the same ids (the
        // transformer keeps the first MaxLength = 150 keys of a row), and given the raw text the pipeline's
        // TokenizeIntoWords read (the export splits it on ' ' and looks the words up in MapValueToKey's key names),
        // through the official ONNX Runtime and through ML.NET's ApplyOnnxModel, whose output Evaluate reads.
        var trainer = (SequenceModelTransformer)model.LastTransformer;
        var ids = Path.Combine(Path.GetTempPath(), $"mlnetrnn-spam-{Guid.NewGuid():N}.onnx");
        var text = Path.Combine(Path.GetTempPath(), $"mlnetrnn-spam-text-{Guid.NewGuid():N}.onnx");
        try
        {
            trainer.ExportToOnnx(ids, new OnnxExportOptions { TextInput = OnnxTextInput.TokenIds });
            using (var predictor = OnnxSequencePredictor.Load(ids))
            {
                var tokenIds = ml.Data.CreateEnumerable<TokenIdRow>(model.Transform(test), reuseRowObject: false).ToArray();
                var onnxPredictions = predictor.Predict(SequenceData.FromTokenIds(tokenIds.Select(r => r.TokenIds.Select(k => (int)k).Take(150).DefaultIfEmpty(0).ToArray()).ToArray()));
                for (var i = 0; i < testRows.Length; i++)
                    Assert.True(Math.Abs(onnxPredictions[i].Probability - before[i].Probability) < 1e-5, $"mail {i}: ONNX {onnxPredictions[i].Probability} vs ML.NET {before[i].Probability}");
            }

            // The model loaded into a fresh context exports the same graph.
            var loaded = new MLContext().Model.Load(path, out _);
            loaded.ExportSequenceModelToOnnx(text);
            var fromFitted = Path.Combine(Path.GetTempPath(), $"mlnetrnn-spam-fitted-{Guid.NewGuid():N}.onnx");
            trainer.ExportToOnnx(fromFitted);
            Assert.Equal(File.ReadAllBytes(fromFitted), File.ReadAllBytes(text));
            File.Delete(fromFitted);

            using (var predictor = OnnxSequencePredictor.Load(text))
            {
                Assert.True(predictor.TakesText);
                var raw = predictor.Predict(SequenceData.FromTexts(testRows.Select(r => r.Text).ToArray()));
                for (var i = 0; i < testRows.Length; i++)
                {
                    Assert.Equal(before[i].PredictedLabel, raw[i].PredictedLabel == "True");
                    Assert.True(Math.Abs(raw[i].Probability - before[i].Probability) < 1e-5, $"mail {i}: raw-text ONNX {raw[i].Probability} vs ML.NET {before[i].Probability}");
                }
            }
            var applied = ml.Transforms.ApplyOnnxModel(["PredictedLabel", "Score", "Probability"], ["Text"], text)
                .Append(ml.Transforms.SequenceOnnxScores(SequenceTask.BinaryClassification)).Fit(test).Transform(test);
            var onnxMetrics = ml.BinaryClassification.Evaluate(applied);
            Assert.Equal(metrics.Accuracy, onnxMetrics.Accuracy);
            Assert.Equal(metrics.AreaUnderRocCurve, onnxMetrics.AreaUnderRocCurve, 6);
        }
        finally
        {
            File.Delete(ids);
            File.Delete(text);
            File.Delete(path);
        }
    }

    [Fact]
    public void TwoModelsLoadedInOneProcessDoNotCollide()
    {
        var ml = new MLContext(seed: 1);
        var rows = SpamSample.Value.Train.Take(200).ToArray();
        var data = ml.Data.LoadFromEnumerable(rows);
        var prefix = ml.Transforms.Text.TokenizeIntoWords("Tokens", "Text").Append(ml.Transforms.Conversion.MapValueToKey("TokenIds", "Tokens"));
        var a = prefix.Append(ml.BinaryClassification.Trainers.Gru(SmallGru("TokenIds", epochs: 1, seed: 1))).Fit(data);
        var b = prefix.Append(ml.BinaryClassification.Trainers.Lstm(SmallGru("TokenIds", epochs: 1, seed: 2))).Fit(data);
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
        var data = ml.Data.LoadFromEnumerable(ToyData.Colors(300, seed: 5));
        var pipeline = ml.Transforms.Conversion.MapValueToKey("Label")
            .Append(ml.Transforms.Conversion.MapValueToKey("TokenIds", "Tokens"))
            .Append(ml.MulticlassClassification.Trainers.Gru(new RecurrentMulticlassTrainer.Options
            {
                FeatureColumnName = "TokenIds", HiddenSize = 24, EmbeddingSize = 16, Epochs = 8, LearningRate = 3e-3f, Threads = 1,
            }));
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
        var options = new RecurrentRegressionTrainer.Options
        {
            FeatureColumnName = "Series", FeatureWidth = 1, HiddenSize = 16, Epochs = 20, LearningRate = 1e-2f, Threads = 1, BatchSize = 16,
        };
        var model = ml.Regression.Trainers.Lstm(options).Fit(data);
        var metrics = ml.Regression.Evaluate(model.Transform(data));
        Assert.True(metrics.RootMeanSquaredError < 0.1, $"RMSE {metrics.RootMeanSquaredError:F3}");

        // The same forecaster with peepholes, a warm-up then cosine schedule and truncated BPTT in windows of 4 steps.
        var tuned = ml.Regression.Trainers.Lstm(new RecurrentRegressionTrainer.Options
        {
            FeatureColumnName = "Series", FeatureWidth = 1, HiddenSize = 16, Epochs = 20, LearningRate = 1e-2f, Threads = 1, BatchSize = 16,
            Peepholes = true, TruncatedBpttSteps = 4, Schedule = LearningRateSchedule.Cosine(20).WithWarmup(2),
        }).Fit(data);
        var sequenceModel = tuned.Model;
        Assert.True(sequenceModel.Options.Peepholes);
        Assert.Equal(4, sequenceModel.Options.TruncatedBpttSteps);
        Assert.True(sequenceModel.Parameters.Contains("rnn.0.P"));
        var tunedMetrics = ml.Regression.Evaluate(tuned.Transform(data));
        Assert.True(tunedMetrics.RootMeanSquaredError < 0.15, $"RMSE {tunedMetrics.RootMeanSquaredError:F3}");
    }

    [Fact]
    public void EncoderFeedsAStandardTrainer()
    {
        var ml = new MLContext(seed: 1);
        var (trainRows, testRows) = SpamSample.Value;
        var train = ml.Data.LoadFromEnumerable(trainRows);
        var pipeline = ml.Transforms.Text.TokenizeIntoWords("Tokens", "Text")
            .Append(ml.Transforms.Conversion.MapValueToKey("TokenIds", "Tokens"))
            .Append(ml.Transforms.EncodeSequence("Encoded", ml.BinaryClassification.Trainers.Gru(SmallGru("TokenIds", bidirectional: true))))
            .Append(ml.BinaryClassification.Trainers.LbfgsLogisticRegression(featureColumnName: "Encoded"));
        var model = pipeline.Fit(train);
        var scored = model.Transform(ml.Data.LoadFromEnumerable(testRows));
        Assert.Equal(48, ((VectorDataViewType)scored.Schema["Encoded"].Type).Size);
        var metrics = ml.BinaryClassification.Evaluate(scored);
        Assert.True(metrics.Accuracy > 0.85, $"accuracy {metrics.Accuracy:F3}");
    }

    [Fact]
    public void CrossValidateAndTrainTestSplitWithTheTrainer()
    {
        var ml = new MLContext(seed: 1);
        var data = ml.Data.LoadFromEnumerable(ToyData.Mails(240, seed: 3));
        var pipeline = ml.Transforms.Text.TokenizeIntoWords("Tokens", "Text")
            .Append(ml.Transforms.Conversion.MapValueToKey("TokenIds", "Tokens"))
            .Append(ml.BinaryClassification.Trainers.Gru(new RecurrentBinaryTrainer.Options
            {
                FeatureColumnName = "TokenIds", HiddenSize = 12, EmbeddingSize = 8, Epochs = 6, LearningRate = 1e-2f, BatchSize = 16,
                ReadOut = ReadOutKind.MaxPool, Threads = 1,
            }));

        var folds = ml.BinaryClassification.CrossValidate(data, pipeline, numberOfFolds: 3);
        Assert.Equal(3, folds.Count);
        Assert.All(folds, f => Assert.True(f.Metrics.Accuracy > 0.8 && f.Metrics.AreaUnderRocCurve > 0.85,
            $"fold {f.Fold}: accuracy {f.Metrics.Accuracy:F3}, AUC {f.Metrics.AreaUnderRocCurve:F3}"));
        Assert.Equal(240, folds.Sum(f => ml.Data.CreateEnumerable<SpamPrediction>(f.ScoredHoldOutSet, false).Count()));

        var split = ml.Data.TrainTestSplit(data, testFraction: 0.25, seed: 2);
        var model = pipeline.Fit(split.TrainSet);
        var metrics = ml.BinaryClassification.Evaluate(model.Transform(split.TestSet));
        Assert.True(metrics.Accuracy > 0.8, $"accuracy {metrics.Accuracy:F3}");
        var (trainRows, testRows) = (ml.Data.CreateEnumerable<Mail>(split.TrainSet, false).Count(), ml.Data.CreateEnumerable<Mail>(split.TestSet, false).Count());
        Assert.Equal(240, trainRows + testRows);
        Assert.InRange(testRows, 40, 80);
    }

    [Fact]
    public void SchemaErrorsNameTheColumnTheExpectedAndTheActualType()
    {
        var ml = new MLContext();
        var data = ml.Data.LoadFromEnumerable(new[] { new Mail { Text = "hello there", Label = true } });
        var tokens = ml.Transforms.Text.TokenizeIntoWords("Tokens", "Text").Fit(data).Transform(data);
        var keyed = ml.Transforms.Conversion.MapValueToKey("TokenIds", "Tokens").Fit(tokens).Transform(tokens);

        // Each refusal twice: at GetOutputSchema (as ML.NET's pipeline checks a chain) and at Fit.
        void Refused(IEstimator<ITransformer> trainer, IDataView input, params string[] parts)
        {
            foreach (var error in new[]
            {
                Assert.Throws<ArgumentOutOfRangeException>(() => trainer.GetOutputSchema(MLNetInternals.ShapeOf(input))),
                Assert.Throws<ArgumentOutOfRangeException>(() => trainer.Fit(input)),
            })
            {
                foreach (var part in parts)
                    Assert.Contains(part, error.Message);
            }
        }

        Refused(ml.BinaryClassification.Trainers.Gru(featureColumnName: "Tokens"), tokens,
            "Schema mismatch for feature column 'Tokens'", "expected a vector of keys", "or a vector of Single", "got VarVector<String>");
        Refused(ml.MulticlassClassification.Trainers.Gru(featureColumnName: "TokenIds"), keyed,
            "Schema mismatch for label column 'Label'", "expected a key", "got Boolean");
        Refused(ml.Regression.Trainers.Gru(featureColumnName: "TokenIds"), keyed,
            "Schema mismatch for feature column 'TokenIds'", "expected a vector of Single", "got VarVector<Key<UInt32>>");
        Refused(ml.BinaryClassification.Trainers.Gru(featureColumnName: "Nope"), keyed, "Could not find feature column 'Nope'");
        Refused(ml.BinaryClassification.Trainers.Gru(labelColumnName: "Text", featureColumnName: "TokenIds"), keyed,
            "Schema mismatch for label column 'Text'", "expected Boolean", "got String");
    }

    private sealed class TokenIdRow
    {
        public uint[] TokenIds { get; set; } = [];
    }
}
