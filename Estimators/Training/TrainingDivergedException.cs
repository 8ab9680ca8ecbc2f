namespace MlNetRnn;

/// <summary>Training stopped because the loss became NaN or infinite.</summary>
public sealed class TrainingDivergedException : Exception
{
    public TrainingDivergedException(string message, int epoch, int batch)
        : base(message)
    {
        Epoch = epoch;
        Batch = batch;
    }

    /// <summary>1-based epoch of the bad batch.</summary>
    public int Epoch { get; }

    /// <summary>1-based batch within the epoch.</summary>
    public int Batch { get; }
}
