using MlNetRnn.Kernels;
using MlNetRnn.Network;

namespace MlNetRnn.Training.Optimizers;

/// <summary>
/// Adam (Kingma and Ba) with PyTorch's update w -= lr * m_hat / (sqrt(v_hat) + eps), and optional decoupled weight
/// decay (AdamW: w -= lr * weightDecay * w before the update).
/// </summary>
public sealed class AdamOptimizer : IOptimizer
{
    private readonly float[] _m;
    private readonly float[] _v;
    private readonly ISequenceKernel _kernel;

    /// <param name="kernel">Runs the update: the training network's kernel, so the step uses its threads; the
    /// reference kernel (one thread) when null.</param>
    public AdamOptimizer(int parameterCount, float beta1 = 0.9f, float beta2 = 0.999f, float epsilon = 1e-8f,
        float weightDecay = 0f, ISequenceKernel? kernel = null)
    {
        if (beta1 is < 0f or >= 1f)
            throw new ArgumentOutOfRangeException(nameof(beta1), beta1, "beta1 must be in [0, 1).");
        if (beta2 is < 0f or >= 1f)
            throw new ArgumentOutOfRangeException(nameof(beta2), beta2, "beta2 must be in [0, 1).");
        if (!(epsilon > 0f))
            throw new ArgumentOutOfRangeException(nameof(epsilon), epsilon, "epsilon must be positive.");
        if (!(weightDecay >= 0f))
            throw new ArgumentOutOfRangeException(nameof(weightDecay), weightDecay, "weightDecay must be >= 0.");
        Beta1 = beta1;
        Beta2 = beta2;
        Epsilon = epsilon;
        WeightDecay = weightDecay;
        _m = new float[parameterCount];
        _v = new float[parameterCount];
        _kernel = kernel ?? ReferenceKernel.Instance;
    }

    public float Beta1 { get; }

    public float Beta2 { get; }

    public float Epsilon { get; }

    public float WeightDecay { get; }

    public long Steps { get; private set; }

    public IReadOnlyDictionary<string, float[]> State => new Dictionary<string, float[]> { ["m"] = _m, ["v"] = _v };

    public void Restore(long steps, IReadOnlyDictionary<string, float[]> state)
    {
        OptimizerState.Restore("Adam", state, "m", _m);
        OptimizerState.Restore("Adam", state, "v", _v);
        Steps = steps;
    }

    public void Step(ParameterSet parameters, float learningRate)
    {
        if (parameters.Count != _m.Length)
            throw new ArgumentException($"This optimizer was made for {_m.Length} parameters, got {parameters.Count}.", nameof(parameters));
        Steps++;
        var step = new AdamStep(Beta1, Beta2, Epsilon,
            StepSize: (float)(learningRate / (1 - Math.Pow(Beta1, Steps))),
            Correction2: (float)(1 / Math.Sqrt(1 - Math.Pow(Beta2, Steps))),
            Decay: 1f - learningRate * WeightDecay);
        _kernel.AdamUpdate(step, parameters.Values, parameters.Gradients, _m, _v);
    }
}
