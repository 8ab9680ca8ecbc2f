namespace MlNetRnn;

/// <summary>What <see cref="GradientCheck"/> found: per parameter tensor the worst relative error, and whether every
/// tensor is within the tolerance. ToString gives a table to print.</summary>
public sealed record GradientCheckReport(IReadOnlyList<TensorGradientCheck> Tensors, double Tolerance, string Description)
{
    public double WorstRelativeError => Tensors.Count == 0 ? 0 : Tensors.Max(t => t.RelativeError);

    public bool Passed => WorstRelativeError <= Tolerance;

    /// <summary>The tensors beyond the tolerance.</summary>
    public IReadOnlyList<TensorGradientCheck> Failures => Tensors.Where(t => t.RelativeError > Tolerance).ToArray();

    public override string ToString() =>
        $"Gradient check of {Description}: worst relative error {WorstRelativeError:G3} (tolerance {Tolerance:G3}), {(Passed ? "passed" : "FAILED")}" +
        string.Concat(Tensors.Select(t => $"\n  {(t.RelativeError > Tolerance ? "FAIL " : "")}{t}"));
}
