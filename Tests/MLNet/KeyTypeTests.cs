using Microsoft.ML;
using Microsoft.ML.Data;

namespace MlNetRnn.MLNet.Tests;

/// <summary>Key columns of every key type ML.NET has (Byte, UInt16, UInt32, UInt64 keys) as token ids and as
/// multiclass labels, with ML.NET's own transforms producing them.</summary>
public class KeyTypeTests
{
    private static RecurrentMulticlassTrainer.Options Small(string label, string features) => new()
    {
        LabelColumnName = label, FeatureColumnName = features, HiddenSize = 12, EmbeddingSize = 8, Epochs = 6,
        LearningRate = 1e-2f, BatchSize = 16, Seed = 3, Threads = 1,
    };

    // The reference: MapValueToKey's own UInt32 keys, trained once.
    private static readonly Lazy<(IDataView Keyed, float[][] Scores)> Reference = new(() =>
    {
        var ml = new MLContext(seed: 1);
        var data = ml.Data.LoadFromEnumerable(ToyData.Colors(240, seed: 5));
        var keyed = ml.Transforms.Conversion.MapValueToKey("Label")
            .Append(ml.Transforms.Conversion.MapValueToKey("TokenIds", "Tokens"))
            .Fit(data).Transform(data);
        var model = ml.MulticlassClassification.Trainers.Gru(Small("Label", "TokenIds")).Fit(keyed);
        return (keyed, Scores(ml, model.Transform(keyed)));
    });

    [Theory]
    [InlineData(DataKind.Byte, typeof(byte))]
    [InlineData(DataKind.UInt16, typeof(ushort))]
    [InlineData(DataKind.UInt32, typeof(uint))]
    [InlineData(DataKind.UInt64, typeof(ulong))]
    public void EveryKeyTypeTrainsAndScoresAsTheUInt32Keys(DataKind kind, Type rawType)
    {
        var ml = new MLContext(seed: 1);
        var (keyed, reference) = Reference.Value;
        // ML.NET's ConvertType makes keys of the raw type, with the same values and key names.
        var typed = ml.Transforms.Conversion.ConvertType([new("Ids", "TokenIds"), new("Class", "Label")], kind).Fit(keyed).Transform(keyed);
        Assert.Equal(rawType, ((VectorDataViewType)typed.Schema["Ids"].Type).ItemType.RawType);
        Assert.Equal(rawType, typed.Schema["Class"].Type.RawType);
        Assert.IsType<KeyDataViewType>(typed.Schema["Class"].Type);

        var trainer = ml.MulticlassClassification.Trainers.Gru(Small("Class", "Ids"));
        var shape = trainer.GetOutputSchema(MLNetInternals.ShapeOf(typed));
        Assert.Contains(shape, c => c.Name == "PredictedLabel" && c.IsKey);
        var model = trainer.Fit(typed);
        var scored = model.Transform(typed);
        Assert.Equal(reference, Scores(ml, scored));
        var metrics = ml.MulticlassClassification.Evaluate(scored, labelColumnName: "Class");
        Assert.True(metrics.MacroAccuracy > 0.9, $"macro accuracy {metrics.MacroAccuracy:F3}");

        // Saved and loaded into a fresh MLContext: the same scores.
        using var stream = new MemoryStream();
        ml.Model.Save(model, typed.Schema, stream);
        stream.Position = 0;
        var fresh = new MLContext();
        var loaded = fresh.Model.Load(stream, out _);
        Assert.Equal(reference, Scores(fresh, loaded.Transform(typed)));
    }

    [Fact]
    public void CharacterKeysFromTokenizeIntoCharactersAsKeysTrainABinaryClassifier()
    {
        var ml = new MLContext(seed: 1);
        var train = ml.Data.LoadFromEnumerable(ToyData.Mails(160, seed: 1));
        var test = ml.Data.LoadFromEnumerable(ToyData.Mails(60, seed: 2));
        var pipeline = ml.Transforms.Text.TokenizeIntoCharactersAsKeys("Chars", "Text")
            .Append(ml.BinaryClassification.Trainers.Gru(new RecurrentBinaryTrainer.Options
            {
                FeatureColumnName = "Chars", HiddenSize = 16, EmbeddingSize = 8, Epochs = 8, LearningRate = 1e-2f, BatchSize = 16, MaxLength = 80,
                ReadOut = ReadOutKind.MaxPool, Threads = 1,
            }));
        var charTypes = pipeline.GetOutputSchema(MLNetInternals.ShapeOf(train));
        Assert.Contains(charTypes, c => c.Name == "Chars" && c.IsKey && c.ItemType == NumberDataViewType.UInt16);
        var model = pipeline.Fit(train);
        Assert.Equal(65536, model.LastTransformer.Model.Schema.VocabularySize);
        var metrics = ml.BinaryClassification.Evaluate(model.Transform(test));
        Assert.True(metrics.Accuracy > 0.8, $"accuracy {metrics.Accuracy:F3}");
    }

    [Fact]
    public void KeysWithMoreValuesThanTokenIdsAreRefusedNamingColumnAndTypes()
    {
        var ml = new MLContext();
        var schema = SchemaDefinition.Create(typeof(WideKeyRow));
        schema[nameof(WideKeyRow.Ids)].ColumnType = new VectorDataViewType(new KeyDataViewType(typeof(ulong), 1UL << 40));
        var data = ml.Data.LoadFromEnumerable(new[] { new WideKeyRow { Ids = [1, 2], Label = true } }, schema);
        var error = Assert.Throws<ArgumentOutOfRangeException>(() => ml.BinaryClassification.Trainers.Gru(featureColumnName: "Ids").Fit(data));
        Assert.Contains("feature column 'Ids': expected a vector of keys with at most 2147483646 values, got VarVector<Key<UInt64>> with 1099511627776 values", error.Message);
    }

    private static float[][] Scores(MLContext ml, IDataView scored) =>
        ml.Data.CreateEnumerable<MulticlassPrediction>(scored, reuseRowObject: false).Select(p => p.Score).ToArray();

    private sealed class WideKeyRow
    {
        public ulong[] Ids { get; set; } = [];

        public bool Label { get; set; }
    }
}
