namespace MlNetRnn.Examples.Datasets.Baselines;

/// <summary>
/// Binary logistic regression, p(spam | x) = sigmoid(w . x + b), trained by minimizing
///   mean_i log(1 + exp(-y_i (w . x_i + b))) + (l2 / 2) |w|^2,   y_i in {-1, +1},
/// with <see cref="LbfgsMinimizer"/> over all examples at once (full batch, deterministic). The bias is not regularized.
/// </summary>
public sealed class LogisticRegression
{
    private readonly double[] weights;

    private LogisticRegression(double[] weights, double bias, int iterations)
    {
        this.weights = weights;
        Bias = bias;
        Iterations = iterations;
    }

    /// <summary>One weight per feature.</summary>
    public IReadOnlyList<double> Weights => weights;

    public double Bias { get; }

    /// <summary>L-BFGS iterations the fit took.</summary>
    public int Iterations { get; }

    /// <summary>Fits the model to sparse examples with boolean labels.</summary>
    public static LogisticRegression Train(IReadOnlyList<SparseVector> examples, IReadOnlyList<bool> labels, int featureCount,
        double l2, LbfgsMinimizer? minimizer = null)
    {
        ArgumentNullException.ThrowIfNull(examples);
        ArgumentNullException.ThrowIfNull(labels);
        if (examples.Count != labels.Count)
            throw new ArgumentException($"{examples.Count} examples but {labels.Count} labels; expected one label per example.", nameof(labels));
        if (examples.Count == 0)
            throw new ArgumentException("Training needs at least one example.", nameof(examples));
        ArgumentOutOfRangeException.ThrowIfNegative(l2);
        ArgumentOutOfRangeException.ThrowIfNegative(featureCount);
        minimizer ??= new LbfgsMinimizer();
        // Parameter layout: [w_0 .. w_{featureCount-1}, b].
        double Objective(ReadOnlySpan<double> parameters, Span<double> gradient) =>
            LossAndGradient(examples, labels, featureCount, l2, parameters, gradient);
        var (point, _, iterations) = minimizer.Minimize(Objective, new double[featureCount + 1]);
        return new LogisticRegression(point[..featureCount], point[featureCount], iterations);
    }

    /// <summary>
    /// The training objective at <paramref name="parameters"/> = [w (featureCount), b]; its gradient goes into
    /// <paramref name="gradient"/> (same layout, overwritten).
    /// </summary>
    internal static double LossAndGradient(IReadOnlyList<SparseVector> examples, IReadOnlyList<bool> labels, int featureCount,
        double l2, ReadOnlySpan<double> parameters, Span<double> gradient)
    {
        var count = examples.Count;
        var weights = parameters[..featureCount];
        var bias = parameters[featureCount];
        gradient.Clear();
        var loss = 0.0;
        for (var example = 0; example < count; example++)
        {
            var vector = examples[example];
            var margin = vector.Dot(weights) + bias;
            var sign = labels[example] ? 1.0 : -1.0;
            loss += Softplus(-sign * margin);
            // d/dmargin of log(1 + exp(-y m)) = sigmoid(m) - [y = +1]
            var residual = (Sigmoid(margin) - (labels[example] ? 1.0 : 0.0)) / count;
            for (var entry = 0; entry < vector.Indices.Length; entry++)
                gradient[vector.Indices[entry]] += residual * vector.Values[entry];
            gradient[featureCount] += residual;
        }
        var penalty = 0.0;
        for (var feature = 0; feature < featureCount; feature++)
        {
            penalty += weights[feature] * weights[feature];
            gradient[feature] += l2 * weights[feature];
        }
        return loss / count + 0.5 * l2 * penalty;
    }

    /// <summary>p(positive | x).</summary>
    public double PredictProbability(SparseVector example)
    {
        ArgumentNullException.ThrowIfNull(example);
        return Sigmoid(example.Dot(weights) + Bias);
    }

    /// <summary>1 / (1 + exp(-z)), without overflow for large |z|.</summary>
    public static double Sigmoid(double z) => z >= 0 ? 1.0 / (1.0 + Math.Exp(-z)) : Math.Exp(z) / (1.0 + Math.Exp(z));

    /// <summary>log(1 + exp(z)), without overflow for large z.</summary>
    public static double Softplus(double z) => z > 0 ? z + Math.Log(1.0 + Math.Exp(-z)) : Math.Log(1.0 + Math.Exp(z));
}
