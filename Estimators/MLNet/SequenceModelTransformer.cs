using Microsoft.ML;
using Microsoft.ML.Data;
using MlNetRnn.OnnxExport;
using MlNetRnn.OnnxExport.Export;

namespace MlNetRnn.MLNet;

/// <summary>
/// A fitted MlNetRnn trainer or encoder in an ML.NET pipeline. It scores through a chain of ML.NET's own public
/// transformers (the network travels as a value in a value mapping; stateless custom mappings score it), so
/// <c>mlContext.Model.Save</c> writes everything into the model zip and <c>Model.Load</c> restores it in a fresh
/// process (a loaded model is that chain). The trained network is <see cref="Model"/>, which exports to ONNX.
/// </summary>
public sealed class SequenceModelTransformer : ISingleFeaturePredictionTransformer<SequenceModel>
{
    private readonly ITransformer _chain;

    private SequenceModelTransformer(SequenceModel model, ITransformer chain, string featureColumnName, DataViewType featureColumnType, int skippedRows)
    {
        Model = model;
        _chain = chain;
        FeatureColumnName = featureColumnName;
        FeatureColumnType = featureColumnType;
        SkippedRows = skippedRows;
    }

    /// <summary>The trained network with its vocabulary and labels.</summary>
    public SequenceModel Model { get; }

    /// <summary>The column the network reads: keys (token ids) or Single values.</summary>
    public string FeatureColumnName { get; }

    public DataViewType FeatureColumnType { get; }

    /// <summary>Training rows left out: a missing label, an empty sequence, or a non-finite value.</summary>
    public int SkippedRows { get; }

    public bool IsRowToRowMapper => _chain.IsRowToRowMapper;

    public DataViewSchema GetOutputSchema(DataViewSchema inputSchema) => _chain.GetOutputSchema(inputSchema);

    public IRowToRowMapper GetRowToRowMapper(DataViewSchema inputSchema) => _chain.GetRowToRowMapper(inputSchema);

    public IDataView Transform(IDataView input) => _chain.Transform(input);

    /// <summary>Saves the scoring chain (ML.NET's own transformers) in this transformer's place.</summary>
    void ICanSaveModel.Save(ModelSaveContext ctx) => ((ICanSaveModel)_chain).Save(ctx);

    /// <summary>Exports the network to ONNX; the ONNX file scores what this transformer scores.</summary>
    public OnnxExportReport ExportToOnnx(string path, OnnxExportOptions? options = null) => Model.ExportToOnnx(path, options);

    /// <summary>Fits the scoring chain of a trained model on the data it will score.</summary>
    /// <param name="ml">Builds the chain's ML.NET transforms.</param>
    /// <param name="outputColumn">"Score" for a trainer; the encoding column for an encoder.</param>
    internal static SequenceModelTransformer Create(MLContext ml, ScoringChain.Kind kind, SequenceModel model, IDataView input,
        string featureColumn, string outputColumn, int skippedRows)
    {
        var outputs = kind switch
        {
            ScoringChain.Kind.Encoder => model.Spec.FeatureSize,
            ScoringChain.Kind.Multiclass => model.Labels.Count,
            ScoringChain.Kind.Regression => model.Spec.OutputSize,
            _ => 1,
        };
        var limit = kind == ScoringChain.Kind.Encoder ? ColumnNames.MaximumEncoding : ColumnNames.MaximumOutputs;
        if (outputs > limit)
            throw new NotSupportedException($"The model has {outputs} {(kind == ScoringChain.Kind.Encoder ? "encoding values" : "outputs")}; in ML.NET pipelines MlNetRnn supports at most {limit}.");
        var tokens = model.Schema.Input != SequenceInputKindOfData.Dense;
        var chain = ScoringChain.Fit(ml, kind, tokens, input, featureColumn, outputColumn, ModelBlob.Encode(model), model.Labels, outputs);
        return new SequenceModelTransformer(model, chain, featureColumn, input.Schema[featureColumn].Type, skippedRows);
    }
}
