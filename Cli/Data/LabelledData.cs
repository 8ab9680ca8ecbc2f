namespace MlNetRnn.Cli.Data;

/// <summary>A data file read for training or evaluation: the sequences with their targets, and where they came from.</summary>
internal sealed record LabelledData(SequenceData Data, string InputColumn, SequenceInputKindOfData InputKind, string? TargetColumn)
{
    /// <summary>"text 'text', label 'label'": the columns read, for the command's report.</summary>
    public string DescribeColumns() =>
        DataColumns.Describe(InputKind) +
        (InputKind == SequenceInputKindOfData.Dense ? $" of {Data.FeatureWidth} value{(Data.FeatureWidth == 1 ? "" : "s")} per step" : "") +
        $" from '{InputColumn}'" + (TargetColumn is null ? "" : $", targets from '{TargetColumn}'");
}
