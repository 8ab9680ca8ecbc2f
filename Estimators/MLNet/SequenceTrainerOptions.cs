namespace MlNetRnn.MLNet;

/// <summary>
/// Options of the MlNetRnn trainers and of the sequence encoder in ML.NET pipelines: the columns, how to read the
/// feature column, and the network and training settings (<see cref="Model"/>; its Task and Cell are set by the
/// catalog method used).
/// </summary>
public sealed record SequenceTrainerOptions
{
    /// <summary>Default "Label": Boolean (binary), key (multiclass), Single or a known-size vector of Single (regression).</summary>
    public string LabelColumnName { get; init; } = "Label";

    /// <summary>Default "Features": a vector of keys (TokenizeIntoWords + MapValueToKey), or a vector of Single
    /// holding T steps of <see cref="FeatureWidth"/> values each. Key sequences longer than Model.Text.MaxLength (default
    /// 400; 0 = no limit) are truncated on the Model.Text.Truncation side, in training and in scoring.</summary>
    public string FeatureColumnName { get; init; } = "Features";

    /// <summary>Dense input: values per step. 0 (default) reads a vector of Single as one value per step.</summary>
    public int FeatureWidth { get; init; }

    /// <summary>Network and training settings. Default: <see cref="SequenceModelOptions"/>'s defaults.</summary>
    public SequenceModelOptions Model { get; init; } = new();
}
