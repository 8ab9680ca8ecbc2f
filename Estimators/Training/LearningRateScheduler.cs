namespace MlNetRnn.Training;

/// <summary>
/// A <see cref="LearningRateSchedule"/> in a run: the rate before each optimizer step, and for ReduceOnPlateau the
/// watch over the validation losses (its state goes into checkpoints, so a resumed run reduces when the uninterrupted
/// one would). The plateau logic is torch.optim.lr_scheduler.ReduceLROnPlateau's (PyTorch 1.13, mode 'min',
/// threshold_mode 'rel', eps 1e-8).
/// </summary>
internal sealed class LearningRateScheduler
{
    // ReduceLROnPlateau's eps: a reduction smaller than this leaves the rate as it is.
    private const double MinimumReduction = 1e-8;

    private readonly LearningRateSchedule _schedule;
    private readonly float _baseRate;

    public LearningRateScheduler(LearningRateSchedule schedule, float baseRate)
    {
        ArgumentNullException.ThrowIfNull(schedule);
        schedule.Validate();
        _schedule = schedule;
        _baseRate = baseRate;
    }

    /// <summary>The plateau watch's state (ReduceOnPlateau); saved with checkpoints.</summary>
    public PlateauState Plateau { get; set; } = new();

    /// <summary>The rate of the optimizer step <paramref name="step"/> (zero-based over the run) in epoch <paramref name="epoch"/>.</summary>
    public float Rate(int epoch, long step)
    {
        var t = _schedule.Unit == ScheduleUnit.Steps ? step : epoch;
        if (_schedule.Kind != LearningRateScheduleKind.ReduceOnPlateau || t < _schedule.WarmupLength)
            return _schedule.Rate(_baseRate, t);
        // The rate after the reductions so far, multiplied one at a time in double as PyTorch does.
        double rate = _baseRate;
        for (var i = 0; i < Plateau.Reductions; i++)
            rate = Reduce(rate);
        return (float)rate;
    }

    /// <summary>After epoch <paramref name="epoch"/> (zero-based): the plateau watch reads its validation loss.</summary>
    public void EndEpoch(int epoch, double? validationLoss)
    {
        if (_schedule.Kind != LearningRateScheduleKind.ReduceOnPlateau || epoch < _schedule.WarmupLength)
            return;
        if (validationLoss is not { } loss)
            throw new InvalidOperationException("ReduceOnPlateau needs a validation loss after every epoch.");
        var s = Plateau;
        var better = s.Best is not { } best || loss < best * (1 - (double)_schedule.Threshold);
        var bad = better ? 0 : s.BadEpochs + 1;
        var cooldown = s.Cooldown;
        if (cooldown > 0)
        {
            cooldown--;
            bad = 0;   // epochs in cooldown do not count
        }
        var reductions = s.Reductions;
        if (bad > _schedule.Patience)
        {
            reductions++;
            cooldown = _schedule.Cooldown;
            bad = 0;
        }
        Plateau = new PlateauState { Best = better ? loss : s.Best, BadEpochs = bad, Cooldown = cooldown, Reductions = reductions };
    }

    private double Reduce(double rate)
    {
        var reduced = Math.Max(rate * _schedule.Factor, _schedule.MinimumRate);
        return rate - reduced > MinimumReduction ? reduced : rate;
    }
}

/// <summary>ReduceOnPlateau's bookkeeping: the best validation loss, the epochs since it without improvement, the
/// cooldown epochs left, and the reductions applied (the rate is the base rate reduced that many times).</summary>
internal sealed record PlateauState
{
    public double? Best { get; init; }

    public int BadEpochs { get; init; }

    public int Cooldown { get; init; }

    public int Reductions { get; init; }
}
