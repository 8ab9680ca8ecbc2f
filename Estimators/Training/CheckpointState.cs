namespace MlNetRnn.Training;

/// <summary>The training loop's state at the end of an epoch.</summary>
internal sealed record CheckpointState
{
    public int CompletedEpochs { get; init; }

    public ulong[] RandomState { get; init; } = [];

    public OptimizerKind OptimizerKind { get; init; }

    public long OptimizerSteps { get; init; }

    public List<string> OptimizerBuffers { get; init; } = [];

    public double? BestLoss { get; init; }

    public int BestEpoch { get; init; }

    public int EpochsWithoutImprovement { get; init; }

    public bool HasBest { get; init; }

    /// <summary>Early stopping ended the run; resuming returns the finished model.</summary>
    public bool Stopped { get; init; }

    /// <summary>The ReduceOnPlateau schedule's watch (best loss, bad epochs, cooldown, reductions).</summary>
    public PlateauState Plateau { get; init; } = new();

    /// <summary>
    /// Checks the state against the checkpoint's model (whose options are those of the run that wrote it) and against
    /// itself: what a run can have written, so that a damaged counter cannot make a resumed run loop for ever, skip
    /// or repeat epochs, or restore the wrong buffers.
    /// </summary>
    /// <param name="buffers">The optimizer buffers the model's options imply.</param>
    /// <param name="bad">Makes the exception for a problem.</param>
    public void Validate(SequenceModel model, IReadOnlySet<string> buffers, Func<string, ModelFileException> bad)
    {
        var options = model.Options;
        var epochs = model.History.Epochs.Count;
        if (CompletedEpochs < 1 || CompletedEpochs > options.Epochs)
            throw bad($"CompletedEpochs is {CompletedEpochs}; a checkpoint is written after epoch 1 to {options.Epochs} (the run's Epochs).");
        if (epochs != CompletedEpochs)
            throw bad($"CompletedEpochs is {CompletedEpochs}; the model's history records {epochs} epochs.");
        if (RandomState is not { Length: 4 } || RandomState.All(word => word == 0))
            throw bad($"RandomState is [{string.Join(", ", RandomState ?? [])}]; expected four words, not all zero.");
        if (OptimizerKind != options.Optimizer)
            throw bad($"OptimizerKind is {OptimizerKind}; the run's options use {options.Optimizer}.");
        if (OptimizerSteps < 0)
            throw bad($"OptimizerSteps is {OptimizerSteps}; a step count is >= 0.");
        if (OptimizerBuffers is null || OptimizerBuffers.Any(n => n is null) || OptimizerBuffers.Count != buffers.Count || !buffers.SetEquals(OptimizerBuffers))
            throw bad($"OptimizerBuffers is [{string.Join(", ", OptimizerBuffers ?? [])}]; the {options.Optimizer} optimizer of these options keeps [{string.Join(", ", buffers)}].");
        if (BestLoss is null)
        {
            if (BestEpoch != 0 || EpochsWithoutImprovement != 0 || HasBest || Stopped)
                throw bad($"BestLoss is null (no validation yet) but BestEpoch is {BestEpoch}, EpochsWithoutImprovement {EpochsWithoutImprovement}, HasBest {HasBest}, Stopped {Stopped}; expected 0, 0, false, false.");
        }
        else
        {
            if (!(BestLoss >= 0) || double.IsInfinity(BestLoss.Value))
                throw bad($"BestLoss is {BestLoss}; expected the best validation loss, finite and >= 0 (every loss of the library is).");
            if (BestEpoch < 1 || BestEpoch > CompletedEpochs)
                throw bad($"BestEpoch is {BestEpoch}; expected 1 to CompletedEpochs ({CompletedEpochs}).");
            if (EpochsWithoutImprovement < 0 || EpochsWithoutImprovement > CompletedEpochs - BestEpoch)
                throw bad($"EpochsWithoutImprovement is {EpochsWithoutImprovement}; expected 0 to {CompletedEpochs - BestEpoch} (epochs since BestEpoch {BestEpoch}).");
        }
        if (Plateau.BadEpochs < 0 || Plateau.BadEpochs > CompletedEpochs || Plateau.Cooldown < 0 || Plateau.Cooldown > options.Schedule.Cooldown
            || Plateau.Reductions < 0 || Plateau.Reductions > CompletedEpochs || Plateau.Best is double best && !(best >= 0 && !double.IsInfinity(best)))
            throw bad($"Plateau is {{ Best {Plateau.Best}, BadEpochs {Plateau.BadEpochs}, Cooldown {Plateau.Cooldown}, Reductions {Plateau.Reductions} }}; expected a finite best loss >= 0 and counters from 0 to CompletedEpochs ({CompletedEpochs}), Cooldown at most the schedule's ({options.Schedule.Cooldown}).");
        if (Stopped && (options.EarlyStoppingPatience == 0 || EpochsWithoutImprovement < options.EarlyStoppingPatience || model.History.StopReason != TrainingHistory.EarlyStoppingReason))
            throw bad($"Stopped is true, but EpochsWithoutImprovement is {EpochsWithoutImprovement} against a patience of {options.EarlyStoppingPatience} and the history's stop reason is '{model.History.StopReason}'; early stopping cannot have ended this run.");
    }
}
