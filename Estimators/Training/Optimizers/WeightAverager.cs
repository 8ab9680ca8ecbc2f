using MlNetRnn.Network;

namespace MlNetRnn.Training.Optimizers;

/// <summary>
/// Polyak averaging: wraps an optimizer and keeps an exponential moving average of the weights after every step,
/// average = decay * average + (1 - decay) * w. Models evaluated and returned with the average are usually steadier
/// than the last step's weights. Its buffer is part of the optimizer state, so checkpoints resume it exactly.
/// </summary>
public sealed class WeightAverager : IOptimizer
{
    private const string AverageBuffer = "average";
    private readonly IOptimizer _inner;
    private readonly float _decay;
    private readonly float[] _average;

    public WeightAverager(IOptimizer inner, int parameterCount, float decay)
    {
        _inner = inner ?? throw new ArgumentNullException(nameof(inner));
        if (decay is <= 0f or >= 1f || float.IsNaN(decay))
            throw new ArgumentOutOfRangeException(nameof(decay), decay, "The averaging decay must be in (0, 1).");
        _decay = decay;
        _average = new float[parameterCount];
    }

    /// <summary>The averaged weights (the current weights until the first step).</summary>
    public ReadOnlySpan<float> Average => _average;

    public long Steps => _inner.Steps;

    public IReadOnlyDictionary<string, float[]> State =>
        new Dictionary<string, float[]>(_inner.State) { [AverageBuffer] = _average };

    public void Restore(long steps, IReadOnlyDictionary<string, float[]> state)
    {
        _inner.Restore(steps, state);
        OptimizerState.Restore("weight averaging", state, AverageBuffer, _average);
    }

    public void Step(ParameterSet parameters, float learningRate)
    {
        _inner.Step(parameters, learningRate);
        var w = parameters.Values;
        if (_inner.Steps == 1)
        {
            w.CopyTo(_average, 0);
            return;
        }
        // average += (1 - decay) * (w - average)
        var rate = 1f - _decay;
        for (var i = 0; i < w.Length; i++)
            _average[i] += rate * (w[i] - _average[i]);
    }
}
