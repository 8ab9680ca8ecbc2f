namespace MlNetRnn.Examples.Datasets.Baselines;

/// <summary>
/// Limited-memory BFGS (Nocedal and Wright, "Numerical Optimization", 2nd ed., algorithms 7.4 and 7.5) with a
/// backtracking Armijo line search. Deterministic: no randomness, sequential sums.
/// Stops when the largest gradient component is at most <see cref="GradientTolerance"/>, when an iteration lowers
/// the objective by less than <see cref="RelativeTolerance"/> of its size, or after <see cref="MaximumIterations"/>.
/// </summary>
public sealed class LbfgsMinimizer
{
    /// <summary>Computes f(x) and writes df/dx into the second argument.</summary>
    public delegate double Objective(ReadOnlySpan<double> point, Span<double> gradient);

    public int MaximumIterations { get; init; } = 500;

    /// <summary>How many (step, gradient change) pairs approximate the inverse Hessian.</summary>
    public int HistorySize { get; init; } = 10;

    public double GradientTolerance { get; init; } = 1e-6;

    public double RelativeTolerance { get; init; } = 1e-10;

    /// <summary>Sufficient-decrease constant c1 of the Armijo condition.</summary>
    private const double ArmijoConstant = 1e-4;

    private const int MaximumLineSearchSteps = 50;

    /// <summary>Minimizes <paramref name="objective"/> from <paramref name="start"/>; returns the point and the iterations used.</summary>
    public (double[] Point, double Value, int Iterations) Minimize(Objective objective, ReadOnlySpan<double> start)
    {
        ArgumentNullException.ThrowIfNull(objective);
        var dimension = start.Length;
        var point = start.ToArray();
        var gradient = new double[dimension];
        var value = objective(point, gradient);
        var steps = new List<double[]>();        // s_k = x_{k+1} - x_k
        var gradientChanges = new List<double[]>(); // y_k = g_{k+1} - g_k
        var direction = new double[dimension];
        var candidate = new double[dimension];
        var candidateGradient = new double[dimension];
        var iteration = 0;
        for (; iteration < MaximumIterations; iteration++)
        {
            if (MaximumAbsolute(gradient) <= GradientTolerance)
                break;
            SearchDirection(gradient, steps, gradientChanges, direction);
            var slope = Dot(gradient, direction);
            if (slope >= 0)
            {
                // Not a descent direction (curvature information went stale): fall back to steepest descent.
                steps.Clear();
                gradientChanges.Clear();
                for (var index = 0; index < dimension; index++)
                    direction[index] = -gradient[index];
                slope = Dot(gradient, direction);
            }
            var stepLength = steps.Count == 0 ? Math.Min(1.0, 1.0 / Math.Sqrt(-slope)) : 1.0;
            double candidateValue = double.NaN;
            var accepted = false;
            for (var trial = 0; trial < MaximumLineSearchSteps; trial++)
            {
                for (var index = 0; index < dimension; index++)
                    candidate[index] = point[index] + stepLength * direction[index];
                candidateValue = objective(candidate, candidateGradient);
                if (candidateValue <= value + ArmijoConstant * stepLength * slope)
                {
                    accepted = true;
                    break;
                }
                stepLength *= 0.5;
            }
            if (!accepted)
                break;
            var step = new double[dimension];
            var gradientChange = new double[dimension];
            for (var index = 0; index < dimension; index++)
            {
                step[index] = candidate[index] - point[index];
                gradientChange[index] = candidateGradient[index] - gradient[index];
            }
            if (Dot(step, gradientChange) > 1e-12)
            {
                steps.Add(step);
                gradientChanges.Add(gradientChange);
                if (steps.Count > HistorySize)
                {
                    steps.RemoveAt(0);
                    gradientChanges.RemoveAt(0);
                }
            }
            var decrease = value - candidateValue;
            Array.Copy(candidate, point, dimension);
            Array.Copy(candidateGradient, gradient, dimension);
            value = candidateValue;
            if (decrease <= RelativeTolerance * Math.Max(1.0, Math.Abs(value)))
            {
                iteration++;
                break;
            }
        }
        return (point, value, iteration);
    }

    /// <summary>direction = -H g by the two-loop recursion, H the L-BFGS inverse-Hessian estimate.</summary>
    private static void SearchDirection(double[] gradient, List<double[]> steps, List<double[]> gradientChanges, double[] direction)
    {
        var count = steps.Count;
        var alphas = new double[count];
        Array.Copy(gradient, direction, gradient.Length);
        for (var pair = count - 1; pair >= 0; pair--)
        {
            var rho = 1.0 / Dot(gradientChanges[pair], steps[pair]);
            alphas[pair] = rho * Dot(steps[pair], direction);
            Axpy(-alphas[pair], gradientChanges[pair], direction);
        }
        if (count > 0)
        {
            // Initial Hessian scale gamma = s.y / y.y from the newest pair.
            var gamma = Dot(steps[^1], gradientChanges[^1]) / Dot(gradientChanges[^1], gradientChanges[^1]);
            for (var index = 0; index < direction.Length; index++)
                direction[index] *= gamma;
        }
        for (var pair = 0; pair < count; pair++)
        {
            var rho = 1.0 / Dot(gradientChanges[pair], steps[pair]);
            var beta = rho * Dot(gradientChanges[pair], direction);
            Axpy(alphas[pair] - beta, steps[pair], direction);
        }
        for (var index = 0; index < direction.Length; index++)
            direction[index] = -direction[index];
    }

    private static double Dot(double[] left, double[] right)
    {
        var sum = 0.0;
        for (var index = 0; index < left.Length; index++)
            sum += left[index] * right[index];
        return sum;
    }

    private static void Axpy(double scale, double[] source, double[] target)
    {
        for (var index = 0; index < target.Length; index++)
            target[index] += scale * source[index];
    }

    private static double MaximumAbsolute(double[] values)
    {
        var maximum = 0.0;
        foreach (var value in values)
            maximum = Math.Max(maximum, Math.Abs(value));
        return maximum;
    }
}
