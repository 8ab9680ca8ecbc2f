namespace MlNetRnn.Plotting;

/// <summary>How <see cref="TrainingCurve"/> draws a training history; every property has a default.</summary>
public sealed record TrainingCurveOptions
{
    /// <summary>Above the loss panel. Default: "Training curve" (for a model: its network and task).</summary>
    public string? Title { get; init; }

    /// <summary>The loss axis's label, with its unit. Default: "loss" (for a model: what its loss is, e.g.
    /// "cross-entropy (nats per sequence)").</summary>
    public string? LossLabel { get; init; }

    /// <summary>Pixels. Default 1000.</summary>
    public int Width { get; init; } = 1000;

    /// <summary>Pixels. Default 760.</summary>
    public int Height { get; init; } = 760;

    /// <summary>Loss axis on a log scale: true, false, or null (default) for log when the losses span a factor of
    /// <see cref="TrainingCurve.LogScaleRatio"/> or more.</summary>
    public bool? LogLossAxis { get; init; }

    public void Validate()
    {
        if (Width is < 200 or > 8000)
            throw new ArgumentException($"Width must be 200 to 8000 pixels, got {Width}.", nameof(Width));
        if (Height is < 200 or > 8000)
            throw new ArgumentException($"Height must be 200 to 8000 pixels, got {Height}.", nameof(Height));
    }
}
