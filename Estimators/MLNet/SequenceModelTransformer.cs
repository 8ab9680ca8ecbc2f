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
public sealed class SequenceModelTransformer : ITransformer
{
    private readonly ITransformer _chain;

    internal SequenceModelTransformer(SequenceModel model, ITransformer chain, int skippedRows)
    {
        Model = model;
        _chain = chain;
        SkippedRows = skippedRows;
    }

    /// <summary>The trained network with its vocabulary and labels.</summary>
    public SequenceModel Model { get; }

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
}
