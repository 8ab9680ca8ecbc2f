namespace MlNetRnn;

/// <summary>What an export wrote: the file, its inputs and outputs, and the warnings a deployer should read.</summary>
public sealed record OnnxExportReport(string? Path, int Opset, IReadOnlyList<string> Inputs, IReadOnlyList<string> Outputs, IReadOnlyList<string> Warnings)
{
    public override string ToString() =>
        $"{Path ?? "(in memory)"}: opset {Opset}, inputs {string.Join(", ", Inputs)}, outputs {string.Join(", ", Outputs)}" +
        (Warnings.Count == 0 ? "" : "; warnings: " + string.Join(" ", Warnings));
}
