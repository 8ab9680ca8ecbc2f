using Microsoft.ML;
using Microsoft.ML.Data;

namespace MlNetRnn.MLNet;

/// <summary>
/// Builds the chain of ML.NET transformers that scores a trained network:
/// ConvertType(feature: keys -> UInt32, or Single) -> constant model key -> MapValue(key -> the network as text) -> scoring custom
/// mapping -> [SelectFeaturesBasedOnCount (padded scores -> exactly K slots); MapValueToKey (predicted name -> key)]
/// -> DropColumns(working columns). Every piece is public ML.NET API that saves and loads itself.
/// </summary>
internal static class ScoringChain
{
    /// <summary>The chain's working columns, dropped at its end.</summary>
    private static readonly string[] Working = [ColumnNames.Input, ColumnNames.ModelKey, ColumnNames.ModelBlob, ColumnNames.PaddedScores, ColumnNames.PredictedText];

    public enum Kind
    {
        Binary,
        Multiclass,
        Regression,
        Encoder,
    }

    /// <summary>The estimators of the chain; with an empty <paramref name="blob"/> a placeholder network is used, which is
    /// enough for GetOutputSchema.</summary>
    public static List<IEstimator<ITransformer>> Estimators(MLContext ml, Kind kind, bool tokens, string featureColumn, string outputColumn,
        string blob, IReadOnlyList<string> classLabels, int outputs)
    {
        var lookup = ml.Data.LoadFromEnumerable(new[] { new BlobRow { Key = ModelKeyMapping.Key, Value = blob } });
        var list = new List<IEstimator<ITransformer>>
        {
            // Keys become their raw values (the token ids); Single stays Single.
            ml.Transforms.Conversion.ConvertType(ColumnNames.Input, featureColumn, tokens ? DataKind.UInt32 : DataKind.Single),
            ml.Transforms.CustomMapping(new ModelKeyMapping().GetMapping(), ModelKeyMapping.ContractName),
            ml.Transforms.Conversion.MapValue(ColumnNames.ModelBlob, lookup, lookup.Schema[nameof(BlobRow.Key)], lookup.Schema[nameof(BlobRow.Value)], ColumnNames.ModelKey),
        };
        switch (kind)
        {
            case Kind.Binary:
                list.Add(tokens
                    ? ml.Transforms.CustomMapping(new BinaryTokenScoring().GetMapping(), BinaryTokenScoring.ContractName)
                    : ml.Transforms.CustomMapping(new BinaryDenseScoring().GetMapping(), BinaryDenseScoring.ContractName));
                break;
            case Kind.Multiclass:
                list.Add(tokens
                    ? ml.Transforms.CustomMapping(new MulticlassTokenScoring().GetMapping(), MulticlassTokenScoring.ContractName)
                    : ml.Transforms.CustomMapping(new MulticlassDenseScoring().GetMapping(), MulticlassDenseScoring.ContractName));
                list.Add(ml.Transforms.Conversion.MapValueToKey("PredictedLabel", ColumnNames.PredictedText,
                    keyData: ml.Data.LoadFromEnumerable(classLabels.Select(l => new NameRow { Name = l }))));
                break;
            case Kind.Regression:
                list.Add(tokens
                    ? ml.Transforms.CustomMapping(new RegressionTokenScoring().GetMapping(), RegressionTokenScoring.ContractName)
                    : ml.Transforms.CustomMapping(new RegressionDenseScoring().GetMapping(), RegressionDenseScoring.ContractName));
                break;
            default:
                list.Add(tokens
                    ? ml.Transforms.CustomMapping(new EncoderTokenMapping().GetMapping(), EncoderTokenMapping.ContractName)
                    : ml.Transforms.CustomMapping(new EncoderDenseMapping().GetMapping(), EncoderDenseMapping.ContractName));
                break;
        }
        return list;
    }

    /// <summary>Fits the chain on the data it will score; padded outputs are cut to exactly <paramref name="outputs"/> slots.</summary>
    public static ITransformer Fit(MLContext ml, Kind kind, bool tokens, IDataView data, string featureColumn, string outputColumn,
        string blob, IReadOnlyList<string> classLabels, int outputs)
    {
        var transformers = new List<ITransformer>();
        var current = data;
        foreach (var estimator in Estimators(ml, kind, tokens, featureColumn, outputColumn, blob, classLabels, outputs))
        {
            var t = estimator.Fit(current);
            transformers.Add(t);
            current = t.Transform(current);
        }
        var padded = kind != Kind.Binary && !(kind == Kind.Regression && outputs == 1);
        if (padded)
        {
            // A slot selector fitted on one row that is non-zero in exactly the first `outputs` slots keeps those slots.
            var width = kind == Kind.Encoder ? ColumnNames.MaximumEncoding : ColumnNames.MaximumOutputs;
            var selector = SlotSelector(ml, width, outputs, kind == Kind.Encoder ? outputColumn : "Score");
            transformers.Add(selector);
            current = selector.Transform(current);
        }
        transformers.Add(ml.Transforms.DropColumns(Working.Where(c => current.Schema.GetColumnOrNull(c) is not null).ToArray()).Fit(current));
        return new TransformerChain<ITransformer>([.. transformers]);
    }

    /// <summary>The output schema of the chain, from the chain's estimators on a placeholder network: the input
    /// columns plus <paramref name="outputColumn"/> (and Probability, PredictedLabel as the kind adds them).</summary>
    public static SchemaShape OutputSchema(MLContext ml, Kind kind, bool tokens, SchemaShape input, string featureColumn,
        string outputColumn, bool vectorTarget)
    {
        var chain = new EstimatorChain<ITransformer>();
        foreach (var estimator in Estimators(ml, kind, tokens, featureColumn, outputColumn, ModelBlob.Prefix, ["0", "1"], 2))
            chain = chain.Append(estimator);
        var shape = chain.GetOutputSchema(input);
        if (kind is Kind.Multiclass or Kind.Encoder || vectorTarget)
            shape = ml.Transforms.FeatureSelection.SelectFeaturesBasedOnCount(outputColumn, ColumnNames.PaddedScores, count: 1).GetOutputSchema(shape);
        return ml.Transforms.DropColumns(Working.Where(c => shape.Any(s => s.Name == c)).ToArray()).GetOutputSchema(shape);
    }

    private static ITransformer SlotSelector(MLContext ml, int width, int keep, string outputColumn)
    {
        var row = new float[width];
        Array.Fill(row, 1f, 0, keep);
        var schema = Microsoft.ML.Data.SchemaDefinition.Create(typeof(PaddedRow));
        schema[0].ColumnType = new VectorDataViewType(NumberDataViewType.Single, width);
        var ones = ml.Data.LoadFromEnumerable(new[] { new PaddedRow { Values = row } }, schema);
        return ml.Transforms.FeatureSelection.SelectFeaturesBasedOnCount(outputColumn, ColumnNames.PaddedScores, count: 1).Fit(ones);
    }

    private sealed class BlobRow
    {
        public string Key { get; set; } = "";
        public string Value { get; set; } = "";
    }

    private sealed class NameRow
    {
        public string Name { get; set; } = "";
    }

    private sealed class PaddedRow
    {
        [ColumnName(ColumnNames.PaddedScores)]
        public float[] Values { get; set; } = [];
    }
}
