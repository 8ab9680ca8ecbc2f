namespace MlNetRnn;

/// <summary>What happened in each epoch, in order: the numbers a caller plots.</summary>
public sealed class TrainingHistory
{
    private readonly List<EpochRecord> _epochs = [];

    public TrainingHistory()
    {
    }

    public TrainingHistory(IEnumerable<EpochRecord> epochs) => _epochs.AddRange(epochs);

    public IReadOnlyList<EpochRecord> Epochs => _epochs;

    /// <summary>The epoch (1-based) whose weights the model ended with, when the best weights were restored.</summary>
    public int? RestoredEpoch { get; internal set; }

    /// <summary>The <see cref="StopReason"/> of a run that early stopping ended.</summary>
    public const string EarlyStoppingReason = "early stopping";

    /// <summary>Why training ended: "completed", "early stopping", or "cancelled".</summary>
    public string StopReason { get; internal set; } = "completed";

    internal void Add(EpochRecord record) => _epochs.Add(record);
}

/// <summary>One epoch: its 1-based number, learning rate, mean training loss, validation metrics and duration.</summary>
public sealed record EpochRecord(int Epoch, float LearningRate, double TrainLoss, EvaluationMetrics? Validation, TimeSpan Duration)
{
    public override string ToString() =>
        $"epoch {Epoch}: lr {LearningRate:G3}, train loss {TrainLoss:F4}" +
        (Validation is null ? "" : $", validation {Validation}") + $" ({Duration.TotalSeconds:F1} s)";
}
