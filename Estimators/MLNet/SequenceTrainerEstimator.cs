using Microsoft.ML;
using Microsoft.ML.Data;
using MlNetRnn.Network;
using MlNetRnn.Kernels;

namespace MlNetRnn.MLNet;

/// <summary>
/// An MlNetRnn trainer (GRU, LSTM or RNN) as an ML.NET estimator: reads the feature and label columns, trains a
/// <see cref="SequenceModel"/>, and returns a <see cref="SequenceModelTransformer"/> that adds ML.NET's conventional
/// output columns: binary Score, Probability, PredictedLabel; multiclass Score (a vector of K probabilities, in the
/// label key order) and PredictedLabel (key); regression Score. As an encoder it adds the read-out vector instead.
/// </summary>
public sealed class SequenceTrainerEstimator : IEstimator<SequenceModelTransformer>
{
    private readonly MLContext _ml;
    private readonly ScoringChain.Kind _kind;
    private readonly string? _encodingColumn;

    internal SequenceTrainerEstimator(SequenceTask task, RecurrentCell cell, SequenceTrainerOptions options, string? encodingColumn = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        Options = options with { Model = options.Model with { Task = task, Cell = cell } };
        Options.Model.Validate();
        if (options.FeatureWidth < 0)
            throw new ArgumentOutOfRangeException(nameof(options.FeatureWidth), options.FeatureWidth, "FeatureWidth must be >= 0 (0 = one value per step).");
        _encodingColumn = encodingColumn;
        _kind = encodingColumn is not null ? ScoringChain.Kind.Encoder : task switch
        {
            SequenceTask.BinaryClassification => ScoringChain.Kind.Binary,
            SequenceTask.MulticlassClassification => ScoringChain.Kind.Multiclass,
            SequenceTask.Regression => ScoringChain.Kind.Regression,
            _ => throw new ArgumentOutOfRangeException(nameof(task), task, "ML.NET trainers are binary, multiclass or regression."),
        };
        _ml = new MLContext(Options.Model.Seed);
    }

    public SequenceTrainerOptions Options { get; }

    /// <summary>Progress reports while fitting (epoch, batch, loss, time left); none by default.</summary>
    public IProgress<TrainingProgress>? Progress { get; init; }

    /// <summary>Encoder only: a trained model to encode with instead of training one.</summary>
    internal SequenceModel? Pretrained { get; init; }

    public SequenceModelTransformer Fit(IDataView input)
    {
        ArgumentNullException.ThrowIfNull(input);
        if (Pretrained is not null)
        {
            ColumnReader.IsTokenColumn(input.Schema, Options.FeatureColumnName);
            return Wrap(Pretrained, input, 0);
        }
        var read = ColumnReader.Read(input, Options.Model.Task, Options);
        if (read.Data.Count == 0)
            throw new InvalidOperationException($"No usable training rows in '{Options.FeatureColumnName}'/'{Options.LabelColumnName}' ({read.SkippedRows} skipped: missing labels, empty sequences or non-finite values).");
        var modelOptions = Options.Model with
        {
            VocabularySize = read.VocabularySize,
            ClassLabels = Options.Model.Task == SequenceTask.MulticlassClassification ? read.ClassLabels : Options.Model.ClassLabels,
            PositiveLabel = Options.Model.Task == SequenceTask.BinaryClassification ? SequenceData.BinaryLabel(true) : Options.Model.PositiveLabel,
        };
        var model = new SequenceModelEstimator(modelOptions).Fit(read.Data, progress: Progress);
        return Wrap(model, input, read.SkippedRows);
    }

    /// <summary>Wraps an already trained model (encoder from a trained model, or after fine-tuning).</summary>
    internal SequenceModelTransformer Wrap(SequenceModel model, IDataView input, int skippedRows)
    {
        var outputs = _kind switch
        {
            ScoringChain.Kind.Encoder => model.Spec.FeatureSize,
            ScoringChain.Kind.Multiclass => model.Labels.Count,
            ScoringChain.Kind.Regression => model.Spec.OutputSize,
            _ => 1,
        };
        var limit = _kind == ScoringChain.Kind.Encoder ? ColumnNames.MaximumEncoding : ColumnNames.MaximumOutputs;
        if (outputs > limit)
            throw new NotSupportedException($"The model has {outputs} {(_kind == ScoringChain.Kind.Encoder ? "encoding values" : "outputs")}; in ML.NET pipelines MlNetRnn supports at most {limit}.");
        var tokens = model.Schema.Input != SequenceInputKindOfData.Dense;
        var chain = ScoringChain.Fit(_ml, _kind, tokens, input, Options.FeatureColumnName, _encodingColumn ?? "Score", ModelBlob.Encode(model), model.Labels, outputs);
        return new SequenceModelTransformer(model, chain, skippedRows);
    }

    public SchemaShape GetOutputSchema(SchemaShape inputSchema)
    {
        CheckInput(inputSchema);
        // The output shape of the same chain on a placeholder network.
        IEstimator<ITransformer> chain = new EstimatorChain<ITransformer>();
        TryFind(inputSchema, Options.FeatureColumnName, out var feature);
        foreach (var e in ScoringChain.Estimators(_ml, _kind, feature.IsKey, Options.FeatureColumnName, _encodingColumn ?? "Score", ModelBlob.Prefix, ["0", "1"], 2))
            chain = ((EstimatorChain<ITransformer>)chain).Append(e);
        var shape = chain.GetOutputSchema(inputSchema);
        var vectorTarget = _kind == ScoringChain.Kind.Regression && TryFind(inputSchema, Options.LabelColumnName, out var target)
            && target.Kind != SchemaShape.Column.VectorKind.Scalar;
        if (_kind is ScoringChain.Kind.Multiclass or ScoringChain.Kind.Encoder || vectorTarget)
            shape = _ml.Transforms.FeatureSelection.SelectFeaturesBasedOnCount(_encodingColumn ?? "Score", ColumnNames.PaddedScores, count: 1).GetOutputSchema(shape);
        string[] working = [ColumnNames.Input, ColumnNames.ModelKey, ColumnNames.ModelBlob, ColumnNames.PaddedScores, ColumnNames.PredictedText];
        return _ml.Transforms.DropColumns(working.Where(c => shape.Any(s => s.Name == c)).ToArray()).GetOutputSchema(shape);
    }

    private void CheckInput(SchemaShape schema)
    {
        if (!TryFind(schema, Options.FeatureColumnName, out var feature))
            throw new ArgumentOutOfRangeException(nameof(schema), $"Could not find input column '{Options.FeatureColumnName}'.");
        var keys = feature.IsKey && feature.Kind != SchemaShape.Column.VectorKind.Scalar;
        var floats = feature.ItemType == NumberDataViewType.Single && feature.Kind != SchemaShape.Column.VectorKind.Scalar;
        if (!keys && !floats)
            throw new ArgumentOutOfRangeException(nameof(schema), $"Schema mismatch for feature column '{Options.FeatureColumnName}': expected a vector of keys (TokenizeIntoWords + MapValueToKey) or a vector of Single, got {Describe(feature)}.");
        if (Pretrained is not null)
            return;
        if (!TryFind(schema, Options.LabelColumnName, out var label))
            throw new ArgumentOutOfRangeException(nameof(schema), $"Could not find label column '{Options.LabelColumnName}'.");
        var ok = Options.Model.Task switch
        {
            SequenceTask.BinaryClassification => label.Kind == SchemaShape.Column.VectorKind.Scalar && label.ItemType == BooleanDataViewType.Instance,
            SequenceTask.MulticlassClassification => label.Kind == SchemaShape.Column.VectorKind.Scalar && label.IsKey,
            _ => label.ItemType == NumberDataViewType.Single && label.Kind != SchemaShape.Column.VectorKind.VariableVector,
        };
        if (!ok)
        {
            var expected = Options.Model.Task switch
            {
                SequenceTask.BinaryClassification => "Boolean",
                SequenceTask.MulticlassClassification => "a key (use MapValueToKey)",
                _ => "Single or a known-size vector of Single",
            };
            throw new ArgumentOutOfRangeException(nameof(schema), $"Schema mismatch for label column '{Options.LabelColumnName}': expected {expected}, got {Describe(label)}.");
        }
    }

    private static bool TryFind(SchemaShape schema, string name, out SchemaShape.Column column)
    {
        foreach (var c in schema)
        {
            if (c.Name == name)
            {
                column = c;
                return true;
            }
        }
        column = default;
        return false;
    }

    private static string Describe(SchemaShape.Column column) =>
        (column.Kind == SchemaShape.Column.VectorKind.Scalar ? "" : column.Kind == SchemaShape.Column.VectorKind.Vector ? "Vector<" : "VarVector<") +
        (column.IsKey ? $"Key<{column.ItemType}>" : column.ItemType.ToString()) +
        (column.Kind == SchemaShape.Column.VectorKind.Scalar ? "" : ">");
}
