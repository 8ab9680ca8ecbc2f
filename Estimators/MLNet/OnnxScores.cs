using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Transforms;

namespace MlNetRnn.MLNet;

/// <summary>
/// ML.NET's ApplyOnnxModel gives every ONNX output as a vector (an output of shape [batch] becomes a vector of one
/// value), while Evaluate wants ML.NET's scalar columns. <see cref="RecurrentCatalog.SequenceOnnxScores"/> appends this
/// mapping after ApplyOnnxModel on an MlNetRnn export: PredictedLabel, Score and Probability become the scalars a
/// trainer would have produced, so <c>BinaryClassification.Evaluate</c> (or Regression.Evaluate) reads them unchanged.
/// A custom mapping found again by its contract name, so the pipeline saves and loads with <c>Model.Save</c>.
/// </summary>
[CustomMappingFactoryAttribute(ContractName)]
public sealed class BinaryOnnxScores : CustomMappingFactory<BinaryOnnxScores.Input, BinaryOutput>
{
    public const string ContractName = "MlNetRnn.BinaryOnnxScores";

    public override Action<Input, BinaryOutput> GetMapping() => (input, output) =>
    {
        output.PredictedLabel = input.PredictedLabel[0];
        output.Score = input.Score[0];
        output.Probability = input.Probability[0];
    };

    /// <summary>The export's outputs as ApplyOnnxModel gives them.</summary>
    public sealed class Input
    {
        [VectorType(1)]
        public bool[] PredictedLabel { get; set; } = [];

        [VectorType(1)]
        public float[] Score { get; set; } = [];

        [VectorType(1)]
        public float[] Probability { get; set; } = [];
    }
}

/// <summary>The regression counterpart of <see cref="BinaryOnnxScores"/>: a one-value Score becomes a scalar.</summary>
[CustomMappingFactoryAttribute(ContractName)]
public sealed class RegressionOnnxScores : CustomMappingFactory<RegressionOnnxScores.Input, RegressionOnnxScores.Output>
{
    public const string ContractName = "MlNetRnn.RegressionOnnxScores";

    public override Action<Input, Output> GetMapping() => (input, output) => output.Score = input.Score[0];

    public sealed class Input
    {
        [VectorType(1)]
        public float[] Score { get; set; } = [];
    }

    public sealed class Output
    {
        public float Score { get; set; }
    }
}
