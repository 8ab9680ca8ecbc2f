using Microsoft.ML;

namespace MlNetRnn.MLNet;

/// <summary>
/// <c>mlContext.Transforms.EncodeSequence</c>: a recurrent network's read-out vector per sequence (last state, or the
/// pooled outputs with ReadOut) as a known-size vector of Single, for any downstream ML.NET trainer. The network is
/// trained by an MlNetRnn trainer on its label at Fit (with that trainer's log, seed and cancellation), or given
/// already trained.
/// </summary>
public sealed class SequenceEncoderEstimator : IEstimator<SequenceModelTransformer>
{
    private readonly string _outputColumnName;
    private readonly string _inputColumnName;
    private readonly RecurrentTrainerBase? _trainer;
    private readonly SequenceModel? _model;

    // Builds the scoring chain's ML.NET transforms, as in RecurrentTrainerBase.
    private readonly MLContext _transforms = new(seed: 0);

    internal SequenceEncoderEstimator(string outputColumnName, RecurrentTrainerBase trainer)
    {
        _outputColumnName = outputColumnName;
        _inputColumnName = trainer.FeatureColumnName;
        _trainer = trainer;
    }

    internal SequenceEncoderEstimator(string outputColumnName, string inputColumnName, SequenceModel model)
    {
        _outputColumnName = outputColumnName;
        _inputColumnName = inputColumnName;
        _model = model;
    }

    public SequenceModelTransformer Fit(IDataView input)
    {
        ArgumentNullException.ThrowIfNull(input);
        if (_trainer is not null)
        {
            var (model, skipped) = _trainer.Train(input);
            return SequenceModelTransformer.Create(_transforms, ScoringChain.Kind.Encoder, model, input, _inputColumnName, _outputColumnName, skipped);
        }
        SchemaCheck.FeaturesOf(_model!, ColumnShape.Find(input.Schema, _inputColumnName), _inputColumnName);
        return SequenceModelTransformer.Create(_transforms, ScoringChain.Kind.Encoder, _model!, input, _inputColumnName, _outputColumnName, 0);
    }

    public SchemaShape GetOutputSchema(SchemaShape inputSchema)
    {
        ArgumentNullException.ThrowIfNull(inputSchema);
        var tokens = _trainer is not null
            ? _trainer.CheckInput(inputSchema)
            : SchemaCheck.FeaturesOf(_model!, ColumnShape.Find(inputSchema, _inputColumnName), _inputColumnName);
        return ScoringChain.OutputSchema(_transforms, ScoringChain.Kind.Encoder, tokens, inputSchema, _inputColumnName, _outputColumnName, vectorTarget: false);
    }
}
