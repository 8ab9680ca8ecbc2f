using MlNetRnn.Network;

namespace MlNetRnn.Training.Optimizers;

/// <summary>
/// Stochastic gradient descent with optional momentum (PyTorch convention: buf = momentum * buf + g;
/// w -= lr * buf, or w -= lr * (g + momentum * buf) with Nesterov).
/// </summary>
public sealed class SgdOptimizer : IOptimizer
{
    private readonly float[] _velocity;
    private readonly int _threads;

    public SgdOptimizer(int parameterCount, float momentum = 0f, bool nesterov = false, int threads = 1)
    {
        if (momentum is < 0f or >= 1f || float.IsNaN(momentum))
            throw new ArgumentOutOfRangeException(nameof(momentum), momentum, "momentum must be in [0, 1).");
        if (nesterov && momentum == 0f)
            throw new ArgumentException("Nesterov momentum needs momentum > 0.", nameof(nesterov));
        Momentum = momentum;
        Nesterov = nesterov;
        _velocity = momentum > 0f ? new float[parameterCount] : [];
        _threads = Math.Max(1, threads);
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
        var w = parameters.Values;
        var g = parameters.Gradients;
        OptimizerState.ForChunks(w.Length, _threads, (start, count) =>
        {
            var ws = w.AsSpan(start, count);
            var gs = g.AsSpan(start, count);
            if (Momentum == 0f)
            {
                System.Numerics.Tensors.TensorPrimitives.MultiplyAdd(gs, -learningRate, ws, ws);
                return;
            }
            var vs = _velocity.AsSpan(start, count);
            for (var i = 0; i < count; i++)
            {
                vs[i] = Momentum * vs[i] + gs[i];
                ws[i] -= learningRate * (Nesterov ? gs[i] + Momentum * vs[i] : vs[i]);
            }
        });
    }
}
