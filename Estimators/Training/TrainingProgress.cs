namespace MlNetRnn;

/// <summary>A progress report from Fit, sent after every batch and after every epoch's validation.</summary>
public sealed record TrainingProgress
{
    /// <summary>1-based.</summary>
    public int Epoch { get; init; }

    public int Epochs { get; init; }

    /// <summary>1-based batch within the epoch; equals <see cref="Batches"/> at the end of the epoch.</summary>
    public int Batch { get; init; }

    public int Batches { get; init; }

    /// <summary>Mean training loss of the epoch so far.</summary>
    public double Loss { get; init; }

    /// <summary>Since Fit started (a resumed run counts from its resume).</summary>
    public TimeSpan Elapsed { get; init; }

    /// <summary>Estimated time to the end of the last epoch.</summary>
    public TimeSpan Remaining { get; init; }

    /// <summary>Set once the epoch is complete.</summary>
    public EpochRecord? Completed { get; init; }
}
