namespace MlNetRnn;

/// <summary>The learning rate of each epoch: constant, step decay or exponential decay from the base rate.</summary>
public sealed record LearningRateSchedule
{
    public static LearningRateSchedule Constant { get; } = new();

    /// <summary>Multiply the rate by <paramref name="factor"/> every <paramref name="everyEpochs"/> epochs.</summary>
    public static LearningRateSchedule StepDecay(int everyEpochs, float factor) =>
        new() { Kind = LearningRateScheduleKind.StepDecay, StepEpochs = everyEpochs, Factor = factor };

    /// <summary>Multiply the rate by <paramref name="factor"/> after every epoch.</summary>
    public static LearningRateSchedule Exponential(float factor) =>
        new() { Kind = LearningRateScheduleKind.Exponential, StepEpochs = 1, Factor = factor };

    public LearningRateScheduleKind Kind { get; init; } = LearningRateScheduleKind.Constant;

    public int StepEpochs { get; init; } = 1;

    public float Factor { get; init; } = 1f;

    /// <summary>The rate for a zero-based epoch.</summary>
    public float Rate(float baseRate, int epoch) => Kind switch
    {
        LearningRateScheduleKind.Constant => baseRate,
        _ => baseRate * MathF.Pow(Factor, epoch / StepEpochs),
    };

    public void Validate()
    {
        ArgumentChecks.Defined(Kind, nameof(Kind));
        if (Kind != LearningRateScheduleKind.Constant && (StepEpochs <= 0 || !(Factor > 0f) || Factor > 1f))
            throw new ArgumentException($"A {Kind} schedule needs StepEpochs > 0 and a factor in (0, 1], got {StepEpochs} and {Factor}.", nameof(LearningRateSchedule));
    }
}

public enum LearningRateScheduleKind
{
    Constant = 0,
    StepDecay = 1,
    Exponential = 2,
}
