namespace MlNetRnn;

/// <summary>How a model is exported.</summary>
public sealed record OnnxExportOptions
{
    /// <summary>The lowest opset the exporter writes (what ONNX Runtime 1.x and onnx 1.12 check).</summary>
    public const int MinimumOpset = 14;

    /// <summary>The highest opset the exporter knows the operators of.</summary>
    public const int MaximumOpset = 21;

    /// <summary>Default opset: 14.</summary>
    public int Opset { get; init; } = MinimumOpset;

    /// <summary>Optional text stored as the model's doc_string (a description for people).</summary>
    public string? Description { get; init; }

    public void Validate()
    {
        if (Opset is < MinimumOpset or > MaximumOpset)
            throw new ArgumentOutOfRangeException(nameof(Opset), Opset, $"The exporter writes opsets {MinimumOpset} to {MaximumOpset}.");
    }
}
