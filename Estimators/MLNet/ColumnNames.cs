namespace MlNetRnn.MLNet;

/// <summary>The working columns the fitted chain adds and drops again; prefixed so they never meet a user's columns.</summary>
internal static class ColumnNames
{
    public const string Input = "__mlnetrnn_input";
    public const string Label = "__mlnetrnn_label";
    public const string ModelKey = "__mlnetrnn_model_key";
    public const string ModelBlob = "__mlnetrnn_model";
    public const string PaddedScores = "__mlnetrnn_scores";
    public const string PredictedText = "__mlnetrnn_predicted";

    /// <summary>Classes (and regression outputs) a model may have in ML.NET: its scores travel as a padded vector of this size.</summary>
    public const int MaximumOutputs = 1024;

    /// <summary>Largest encoding (D*H) the encoder transform produces.</summary>
    public const int MaximumEncoding = 4096;
}
