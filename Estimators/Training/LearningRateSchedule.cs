namespace MlNetRnn;

/// <summary>
/// The learning rate over training: constant, step decay, exponential decay, cosine decay to a floor, cosine with warm
/// restarts, or reduce-on-plateau (on the validation loss), each optionally after a linear warm-up. The rate is a
/// function of t, the epoch (zero-based) or, with <see cref="Unit"/> <see cref="ScheduleUnit.Steps"/>, the optimizer
/// step (zero-based, counted over the whole run). Each kind computes what the PyTorch scheduler named below computes
/// when stepped once per epoch (or per optimizer step) (tested against torch.optim.lr_scheduler 1.13):
/// <list type="bullet">
/// <item>StepDecay: StepLR(step_size = StepEpochs, gamma = Factor); Exponential: ExponentialLR(gamma = Factor).</item>
/// <item>Cosine: CosineAnnealingLR(T_max = CycleLength, eta_min = MinimumRate) for t &lt;= CycleLength; after that the
/// rate stays at MinimumRate (PyTorch's rises again along the cosine).</item>
/// <item>CosineWithRestarts: CosineAnnealingWarmRestarts(T_0 = CycleLength, T_mult = CycleMultiplier, eta_min = MinimumRate).</item>
/// <item>ReduceOnPlateau: ReduceLROnPlateau(mode 'min', factor = Factor, patience = Patience, threshold = Threshold
/// (relative), cooldown = Cooldown, min_lr = MinimumRate) stepped with the validation loss after every epoch.</item>
/// <item>Warm-up (WarmupLength &gt; 0): LinearLR(start_factor = WarmupStartFactor, total_iters = WarmupLength), joined
/// to the schedule by SequentialLR: the schedule starts at its own t = 0 when the warm-up ends. The plateau watch
/// starts after the warm-up too.</item>
/// </list>
/// </summary>
public sealed record LearningRateSchedule
{
    public static LearningRateSchedule Constant { get; } = new();

    /// <summary>Multiply the rate by <paramref name="factor"/> every <paramref name="everyEpochs"/> epochs (or steps).</summary>
    public static LearningRateSchedule StepDecay(int everyEpochs, float factor) =>
        new() { Kind = LearningRateScheduleKind.StepDecay, StepEpochs = everyEpochs, Factor = factor };

    /// <summary>Multiply the rate by <paramref name="factor"/> after every epoch (or step).</summary>
    public static LearningRateSchedule Exponential(float factor) =>
        new() { Kind = LearningRateScheduleKind.Exponential, StepEpochs = 1, Factor = factor };

    /// <summary>Half a cosine from the base rate down to <paramref name="minimumRate"/> over
    /// <paramref name="cycleLength"/> epochs (or steps), then <paramref name="minimumRate"/>.</summary>
    public static LearningRateSchedule Cosine(int cycleLength, float minimumRate = 0f) =>
        new() { Kind = LearningRateScheduleKind.Cosine, CycleLength = cycleLength, MinimumRate = minimumRate };

    /// <summary>Cosine decay to <paramref name="minimumRate"/> that restarts at the base rate after
    /// <paramref name="firstCycleLength"/> epochs (or steps), each cycle <paramref name="cycleMultiplier"/> times as long
    /// as the one before (SGDR).</summary>
    public static LearningRateSchedule CosineWithRestarts(int firstCycleLength, int cycleMultiplier = 1, float minimumRate = 0f) =>
        new() { Kind = LearningRateScheduleKind.CosineWithRestarts, CycleLength = firstCycleLength, CycleMultiplier = cycleMultiplier, MinimumRate = minimumRate };

    /// <summary>
    /// Multiply the rate by <paramref name="factor"/> once the validation loss has not improved (by more than
    /// <paramref name="threshold"/>, relative) for more than <paramref name="patience"/> epochs, then wait
    /// <paramref name="cooldown"/> epochs before counting again; never below <paramref name="minimumRate"/>.
    /// Needs validation data (a validation set, or ValidationFraction); counts epochs.
    /// </summary>
    public static LearningRateSchedule ReduceOnPlateau(float factor = 0.1f, int patience = 10, int cooldown = 0,
        float minimumRate = 0f, float threshold = 1e-4f) =>
        new()
        {
            Kind = LearningRateScheduleKind.ReduceOnPlateau, Factor = factor, Patience = patience, Cooldown = cooldown,
            MinimumRate = minimumRate, Threshold = threshold,
        };

    /// <summary>This schedule after a linear warm-up from <paramref name="startFactor"/> times the base rate up to the
    /// base rate over <paramref name="length"/> epochs (or steps, with <see cref="Unit"/> Steps).</summary>
    public LearningRateSchedule WithWarmup(int length, float startFactor = 0.1f) =>
        this with { WarmupLength = length, WarmupStartFactor = startFactor };

    public LearningRateScheduleKind Kind { get; init; } = LearningRateScheduleKind.Constant;

    /// <summary>What t counts: epochs (default) or optimizer steps. ReduceOnPlateau counts epochs.</summary>
    public ScheduleUnit Unit { get; init; } = ScheduleUnit.Epochs;

    /// <summary>StepDecay: the period of t between multiplications by <see cref="Factor"/>.</summary>
    public int StepEpochs { get; init; } = 1;

    /// <summary>StepDecay, Exponential and ReduceOnPlateau: the multiplier, in (0, 1] ((0, 1) for ReduceOnPlateau).</summary>
    public float Factor { get; init; } = 1f;

    /// <summary>Cosine: the decay's length; CosineWithRestarts: the first cycle's length.</summary>
    public int CycleLength { get; init; }

    /// <summary>CosineWithRestarts: each cycle is this many times as long as the one before. Default 1.</summary>
    public int CycleMultiplier { get; init; } = 1;

    /// <summary>Cosine kinds: the floor of the decay; ReduceOnPlateau: the lowest rate. Default 0.</summary>
    public float MinimumRate { get; init; }

    /// <summary>ReduceOnPlateau: epochs without improvement that are tolerated; the next one reduces the rate.</summary>
    public int Patience { get; init; }

    /// <summary>ReduceOnPlateau: epochs after a reduction during which no epoch counts as bad.</summary>
    public int Cooldown { get; init; }

    /// <summary>ReduceOnPlateau: a loss improves on the best when below best * (1 - Threshold). Default 1e-4.</summary>
    public float Threshold { get; init; } = 1e-4f;

    /// <summary>Epochs (or steps) of linear warm-up before the schedule starts; 0 (default) for none.</summary>
    public int WarmupLength { get; init; }

    /// <summary>The warm-up's first rate as a fraction of the base rate, in [0, 1). Default 0.1.</summary>
    public float WarmupStartFactor { get; init; } = 0.1f;

    /// <summary>
    /// The rate at t (an epoch or a step, see <see cref="Unit"/>). ReduceOnPlateau depends on the validation losses
    /// seen, which this does not know: it gives the rate before any reduction (the warm-up, then the base rate).
    /// </summary>
    public float Rate(float baseRate, long t)
    {
        if (t < WarmupLength)
            return (float)(baseRate * (WarmupStartFactor + (1.0 - WarmupStartFactor) * t / WarmupLength));
        t -= WarmupLength;
        switch (Kind)
        {
            case LearningRateScheduleKind.Constant:
            case LearningRateScheduleKind.ReduceOnPlateau:
                return baseRate;
            case LearningRateScheduleKind.StepDecay:
            case LearningRateScheduleKind.Exponential:
                return baseRate * MathF.Pow(Factor, t / StepEpochs);
            case LearningRateScheduleKind.Cosine:
                return CosineRate(baseRate, Math.Min(t, CycleLength), CycleLength);
            default:
            {
                // The position in the current cycle, as PyTorch steps it: subtract each finished cycle.
                long cycle = CycleLength, position = t;
                while (position >= cycle)
                {
                    position -= cycle;
                    cycle *= CycleMultiplier;
                }
                return CosineRate(baseRate, position, cycle);
            }
        }
    }

    private float CosineRate(float baseRate, long position, long cycle) =>
        (float)(MinimumRate + (baseRate - (double)MinimumRate) * (1 + Math.Cos(Math.PI * position / cycle)) / 2);

    public void Validate()
    {
        ArgumentChecks.Defined(Kind, nameof(Kind));
        ArgumentChecks.Defined(Unit, nameof(Unit));
        if (Kind is LearningRateScheduleKind.StepDecay or LearningRateScheduleKind.Exponential && (StepEpochs <= 0 || !(Factor > 0f) || Factor > 1f))
            throw new ArgumentException($"A {Kind} schedule needs StepEpochs > 0 and a factor in (0, 1], got {StepEpochs} and {Factor}.", nameof(LearningRateSchedule));
        if (Kind is LearningRateScheduleKind.Cosine or LearningRateScheduleKind.CosineWithRestarts && CycleLength <= 0)
            throw new ArgumentException($"A {Kind} schedule needs CycleLength > 0 (epochs or steps), got {CycleLength}.", nameof(LearningRateSchedule));
        if (Kind == LearningRateScheduleKind.CosineWithRestarts && CycleMultiplier < 1)
            throw new ArgumentException($"CycleMultiplier must be >= 1, got {CycleMultiplier}.", nameof(LearningRateSchedule));
        if (!(MinimumRate >= 0f) || float.IsInfinity(MinimumRate))
            throw new ArgumentException($"MinimumRate must be finite and >= 0, got {MinimumRate}.", nameof(LearningRateSchedule));
        if (Kind == LearningRateScheduleKind.ReduceOnPlateau)
        {
            if (!(Factor > 0f && Factor < 1f))
                throw new ArgumentException($"ReduceOnPlateau needs a factor in (0, 1), got {Factor}.", nameof(LearningRateSchedule));
            if (Patience < 0 || Cooldown < 0)
                throw new ArgumentException($"Patience and Cooldown must be >= 0, got {Patience} and {Cooldown}.", nameof(LearningRateSchedule));
            if (!(Threshold >= 0f) || Threshold >= 1f)
                throw new ArgumentException($"Threshold must be in [0, 1), got {Threshold}.", nameof(LearningRateSchedule));
            if (Unit != ScheduleUnit.Epochs)
                throw new ArgumentException("ReduceOnPlateau reads the validation loss after each epoch: its Unit must be Epochs (the warm-up then counts epochs too).", nameof(LearningRateSchedule));
        }
        if (WarmupLength < 0)
            throw new ArgumentException($"WarmupLength must be >= 0 (0 = no warm-up), got {WarmupLength}.", nameof(LearningRateSchedule));
        if (!(WarmupStartFactor >= 0f && WarmupStartFactor < 1f))
            throw new ArgumentException($"WarmupStartFactor must be in [0, 1), got {WarmupStartFactor}.", nameof(LearningRateSchedule));
    }
}

public enum LearningRateScheduleKind
{
    Constant = 0,
    StepDecay = 1,
    Exponential = 2,
    Cosine = 3,
    CosineWithRestarts = 4,
    ReduceOnPlateau = 5,
}

/// <summary>What a <see cref="LearningRateSchedule"/>'s t counts.</summary>
public enum ScheduleUnit
{
    /// <summary>Epochs: the rate changes between epochs.</summary>
    Epochs = 0,

    /// <summary>Optimizer steps (batches; with truncated BPTT, windows that carry a loss), over the whole run.</summary>
    Steps = 1,
}
