using System.Numerics;
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
    private readonly int _threads;

    public AdamOptimizer(int parameterCount, float beta1 = 0.9f, float beta2 = 0.999f, float epsilon = 1e-8f,
        float weightDecay = 0f, int threads = 1)
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
        _threads = Math.Max(1, threads);
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
        var stepSize = (float)(learningRate / (1 - Math.Pow(Beta1, Steps)));
        var correction2 = (float)(1 / Math.Sqrt(1 - Math.Pow(Beta2, Steps)));
        var decay = 1f - learningRate * WeightDecay;
        var w = parameters.Values;
        var g = parameters.Gradients;
        OptimizerState.ForChunks(w.Length, _threads, (start, count) =>
            Update(w.AsSpan(start, count), g.AsSpan(start, count), _m.AsSpan(start, count), _v.AsSpan(start, count),
                stepSize, correction2, decay));
    }

    private void Update(Span<float> w, ReadOnlySpan<float> g, Span<float> m, Span<float> v, float stepSize,
        float correction2, float decay)
    {
        float b1 = Beta1, b2 = Beta2, eps = Epsilon;
        var i = 0;
        if (Vector.IsHardwareAccelerated)
        {
            var width = Vector<float>.Count;
            var vb1 = new Vector<float>(b1);
            var vb2 = new Vector<float>(b2);
            var v1b1 = new Vector<float>(1 - b1);
            var v1b2 = new Vector<float>(1 - b2);
            var vStep = new Vector<float>(stepSize);
            var vCorr = new Vector<float>(correction2);
            var vEps = new Vector<float>(eps);
            var vDecay = new Vector<float>(decay);
            for (; i <= w.Length - width; i += width)
            {
                var gi = new Vector<float>(g.Slice(i));
                var mi = vb1 * new Vector<float>(m.Slice(i)) + v1b1 * gi;
                var vi = vb2 * new Vector<float>(v.Slice(i)) + v1b2 * gi * gi;
                var wi = new Vector<float>(w.Slice(i)) * vDecay - vStep * mi / (Vector.SquareRoot(vi) * vCorr + vEps);
                mi.CopyTo(m.Slice(i));
                vi.CopyTo(v.Slice(i));
                wi.CopyTo(w.Slice(i));
            }
        }
        for (; i < w.Length; i++)
        {
            var gi = g[i];
            m[i] = b1 * m[i] + (1 - b1) * gi;
            v[i] = b2 * v[i] + (1 - b2) * gi * gi;
            w[i] = w[i] * decay - stepSize * m[i] / (MathF.Sqrt(v[i]) * correction2 + eps);
        }
    }
}
