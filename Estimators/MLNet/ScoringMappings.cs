using Microsoft.ML.Data;
using Microsoft.ML.Transforms;

namespace MlNetRnn.MLNet;

// The stateless mappings of the fitted chain, found again by contract name when ML.NET loads a saved model. The
// network itself reaches them as a column (ModelBlob), so one mapping class serves every model.

/// <summary>No inputs.</summary>
public sealed class NoInput
{
}

/// <summary>The constant key under which the chain's value mapping stores the model.</summary>
public sealed class ModelKeyOutput
{
    [ColumnName(ColumnNames.ModelKey)]
    public string Key { get; set; } = "";
}

/// <summary>A sequence of token keys (1-based, 0 = missing) and the model that scores it.</summary>
public sealed class TokenSequenceInput
{
    [ColumnName(ColumnNames.Input)]
    public uint[] Keys { get; set; } = [];

    [ColumnName(ColumnNames.ModelBlob)]
    public ReadOnlyMemory<char> Model { get; set; }
}

/// <summary>A dense sequence (T steps of the model's feature width) and the model that scores it.</summary>
public sealed class DenseSequenceInput
{
    [ColumnName(ColumnNames.Input)]
    public float[] Values { get; set; } = [];

    [ColumnName(ColumnNames.ModelBlob)]
    public ReadOnlyMemory<char> Model { get; set; }
}

/// <summary>ML.NET's binary-classification columns.</summary>
public sealed class BinaryOutput
{
    public float Score { get; set; }

    public float Probability { get; set; }

    public bool PredictedLabel { get; set; }
}

/// <summary>Probabilities (multiclass) or values (regression) padded to <see cref="ColumnNames.MaximumOutputs"/>, and
/// the predicted class name.</summary>
public sealed class PaddedOutput
{
    [ColumnName(ColumnNames.PaddedScores)]
    [VectorType(ColumnNames.MaximumOutputs)]
    public float[] Scores { get; set; } = [];

    [ColumnName(ColumnNames.PredictedText)]
    public string Predicted { get; set; } = "";

    /// <summary>Regression: the first value, ML.NET's scalar Score.</summary>
    public float Score { get; set; }
}

/// <summary>The read-out vector padded to <see cref="ColumnNames.MaximumEncoding"/>.</summary>
public sealed class EncodingOutput
{
    [ColumnName(ColumnNames.PaddedScores)]
    [VectorType(ColumnNames.MaximumEncoding)]
    public float[] Encoding { get; set; } = [];
}

[CustomMappingFactoryAttribute(ContractName)]
public sealed class ModelKeyMapping : CustomMappingFactory<NoInput, ModelKeyOutput>
{
    public const string ContractName = "MlNetRnn.ModelKey";
    public const string Key = "model";

    public override Action<NoInput, ModelKeyOutput> GetMapping() => (_, output) => output.Key = Key;
}

[CustomMappingFactoryAttribute(ContractName)]
public sealed class BinaryTokenScoring : CustomMappingFactory<TokenSequenceInput, BinaryOutput>
{
    public const string ContractName = "MlNetRnn.BinaryTokenScoring";

    public override Action<TokenSequenceInput, BinaryOutput> GetMapping() => (input, output) =>
        SequenceScoring.Binary(SequenceScoring.FromKeys(input.Model, input.Keys), output);
}

[CustomMappingFactoryAttribute(ContractName)]
public sealed class MulticlassTokenScoring : CustomMappingFactory<TokenSequenceInput, PaddedOutput>
{
    public const string ContractName = "MlNetRnn.MulticlassTokenScoring";

    public override Action<TokenSequenceInput, PaddedOutput> GetMapping() => (input, output) =>
        SequenceScoring.Multiclass(SequenceScoring.FromKeys(input.Model, input.Keys), output);
}

[CustomMappingFactoryAttribute(ContractName)]
public sealed class RegressionTokenScoring : CustomMappingFactory<TokenSequenceInput, PaddedOutput>
{
    public const string ContractName = "MlNetRnn.RegressionTokenScoring";

    public override Action<TokenSequenceInput, PaddedOutput> GetMapping() => (input, output) =>
        SequenceScoring.Regression(SequenceScoring.FromKeys(input.Model, input.Keys), output);
}

[CustomMappingFactoryAttribute(ContractName)]
public sealed class EncoderTokenMapping : CustomMappingFactory<TokenSequenceInput, EncodingOutput>
{
    public const string ContractName = "MlNetRnn.EncoderToken";

    public override Action<TokenSequenceInput, EncodingOutput> GetMapping() => (input, output) =>
        SequenceScoring.Encode(SequenceScoring.FromKeys(input.Model, input.Keys), output);
}

[CustomMappingFactoryAttribute(ContractName)]
public sealed class BinaryDenseScoring : CustomMappingFactory<DenseSequenceInput, BinaryOutput>
{
    public const string ContractName = "MlNetRnn.BinaryDenseScoring";

    public override Action<DenseSequenceInput, BinaryOutput> GetMapping() => (input, output) =>
        SequenceScoring.Binary(SequenceScoring.FromValues(input.Model, input.Values), output);
}

[CustomMappingFactoryAttribute(ContractName)]
public sealed class MulticlassDenseScoring : CustomMappingFactory<DenseSequenceInput, PaddedOutput>
{
    public const string ContractName = "MlNetRnn.MulticlassDenseScoring";

    public override Action<DenseSequenceInput, PaddedOutput> GetMapping() => (input, output) =>
        SequenceScoring.Multiclass(SequenceScoring.FromValues(input.Model, input.Values), output);
}

[CustomMappingFactoryAttribute(ContractName)]
public sealed class RegressionDenseScoring : CustomMappingFactory<DenseSequenceInput, PaddedOutput>
{
    public const string ContractName = "MlNetRnn.RegressionDenseScoring";

    public override Action<DenseSequenceInput, PaddedOutput> GetMapping() => (input, output) =>
        SequenceScoring.Regression(SequenceScoring.FromValues(input.Model, input.Values), output);
}

[CustomMappingFactoryAttribute(ContractName)]
public sealed class EncoderDenseMapping : CustomMappingFactory<DenseSequenceInput, EncodingOutput>
{
    public const string ContractName = "MlNetRnn.EncoderDense";

    public override Action<DenseSequenceInput, EncodingOutput> GetMapping() => (input, output) =>
        SequenceScoring.Encode(SequenceScoring.FromValues(input.Model, input.Values), output);
}
