using MlNetRnn.Kernels;
using MlNetRnn.Network;

namespace MlNetRnn.Training.Optimizers;

/// <summary>
/// Stochastic gradient descent with optional momentum (PyTorch convention: buf = momentum * buf + g;
/// w -= lr * buf, or w -= lr * (g + momentum * buf) with Nesterov).
/// </summary>
public sealed class SgdOptimizer : IOptimizer
{
    private readonly float[] _velocity;
    private readonly ISequenceKernel _kernel;

    /// <param name="kernel">Runs the update: the training network's kernel, so the step uses its threads; the
    /// reference kernel (one thread) when null.</param>
    public SgdOptimizer(int parameterCount, float momentum = 0f, bool nesterov = false, ISequenceKernel? kernel = null)
    {
        if (momentum is < 0f or >= 1f || float.IsNaN(momentum))
            throw new ArgumentOutOfRangeException(nameof(momentum), momentum, "momentum must be in [0, 1).");
        if (nesterov && momentum == 0f)
            throw new ArgumentException("Nesterov momentum needs momentum > 0.", nameof(nesterov));
        Momentum = momentum;
        Nesterov = nesterov;
        _velocity = momentum > 0f ? new float[parameterCount] : [];
        _kernel = kernel ?? ReferenceKernel.Instance;
        ParameterCount = parameterCount;
    }

    public float Momentum { get; }

    public bool Nesterov { get; }

    public int ParameterCount { get; }

    public long Steps { get; private set; }

    public IReadOnlyDictionary<string, float[]> State => Momentum > 0f
        ? new Dictionary<string, float[]> { ["velocity"] = _velocity }
        : new Dictionary<string, float[]>();

    public void Restore(long steps, IReadOnlyDictionary<string, float[]> state)
    {
        if (Momentum > 0f)
            OptimizerState.Restore("SGD", state, "velocity", _velocity);
        Steps = steps;
    }

    public void Step(ParameterSet parameters, float learningRate)
    {
        if (parameters.Count != ParameterCount)
            throw new ArgumentException($"This optimizer was made for {ParameterCount} parameters, got {parameters.Count}.", nameof(parameters));
        Steps++;
        _kernel.SgdUpdate(learningRate, Momentum, Nesterov, parameters.Values, parameters.Gradients, _velocity);
    }
}
