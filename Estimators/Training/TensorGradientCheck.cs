namespace MlNetRnn;

/// <summary>
/// One parameter tensor's result in a <see cref="GradientCheckReport"/>: how many entries were checked and the worst
/// of them, with its analytic and central-difference gradient and their relative error
/// |a - n| / max(|a|, |n|, Floor).
/// </summary>
public sealed record TensorGradientCheck(string Name, IReadOnlyList<int> Shape, int Checked, int WorstIndex,
    double Analytic, double Numeric, double RelativeError)
{
    /// <summary>The worst entry's index in the tensor's shape, e.g. [0, 7, 2].</summary>
    public string WorstPosition
    {
        get
        {
            var index = new int[Shape.Count];
            var rest = WorstIndex;
            for (var d = Shape.Count - 1; d >= 0; d--)
            {
                index[d] = rest % Shape[d];
                rest /= Shape[d];
            }
            return "[" + string.Join(", ", index) + "]";
        }
    }

    public override string ToString() =>
        $"{Name} [{string.Join(", ", Shape)}]: {Checked} entries, worst relative error {RelativeError:G3} at {WorstPosition} " +
        $"(analytic {Analytic:G6}, central difference {Numeric:G6})";
}
