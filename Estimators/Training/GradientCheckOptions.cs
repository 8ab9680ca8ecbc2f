using MlNetRnn.Kernels;

namespace MlNetRnn;

/// <summary>How <see cref="GradientCheck"/> samples and judges; every setting has a documented default.</summary>
public sealed record GradientCheckOptions
{
    /// <summary>Sequences of the data checked, in one batch (the first ones; a language model: streams of its text).
    /// Default 6.</summary>
    public int MaxSequences { get; init; } = 6;

    /// <summary>Entries of each parameter tensor checked, a seeded sample (all of a smaller tensor; of the embedding,
    /// only rows of tokens the batch holds: the others have no gradient). Default 24.</summary>
    public int EntriesPerTensor { get; init; } = 24;

    /// <summary>The central difference's step, relative: h = Step * max(1, |w|) (and h/2 for the extrapolation). The
    /// network runs in float32, so a step far below this drowns the difference in rounding. Default 1e-2.</summary>
    public float Step { get; init; } = 1e-2f;

    /// <summary>Gradients smaller than this are compared absolutely: the relative error is |a - n| / max(|a|, |n|, Floor).
    /// Default 1e-2.</summary>
    public double Floor { get; init; } = 1e-2;

    /// <summary>The largest relative error that passes. Default 1e-2.</summary>
    public double Tolerance { get; init; } = 1e-2;

    /// <summary>Seeds the entry sample and the dropout masks (the same masks in every evaluation). Default 1.</summary>
    public int Seed { get; init; } = 1;

    /// <summary>The kernel whose backward is checked; null (default): the options' kernel kind at one thread.</summary>
    public ISequenceKernel? Kernel { get; init; }

    public void Validate()
    {
        if (MaxSequences <= 0)
            throw new ArgumentException($"MaxSequences must be positive, got {MaxSequences}.", nameof(MaxSequences));
        if (EntriesPerTensor <= 0)
            throw new ArgumentException($"EntriesPerTensor must be positive, got {EntriesPerTensor}.", nameof(EntriesPerTensor));
        if (!(Step > 0f) || Step > 0.5f)
            throw new ArgumentException($"Step must be in (0, 0.5], got {Step}.", nameof(Step));
        if (!(Floor > 0) || double.IsInfinity(Floor))
            throw new ArgumentException($"Floor must be positive and finite, got {Floor}.", nameof(Floor));
        if (!(Tolerance > 0) || double.IsInfinity(Tolerance))
            throw new ArgumentException($"Tolerance must be positive and finite, got {Tolerance}.", nameof(Tolerance));
    }
}
