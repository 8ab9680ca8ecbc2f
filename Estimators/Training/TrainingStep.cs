using MlNetRnn.Network;
using MlNetRnn.Network.Losses;
using MlNetRnn.Training.Optimizers;

namespace MlNetRnn.Training;

/// <summary>
/// One optimisation step on one batch: zero the gradients, forward, loss, backward, L2, global-norm clipping,
/// optimizer update. The training loop and the benchmarks run exactly this.
/// </summary>
public sealed class TrainingStep
{
    private readonly SequenceNetwork _network;
    private readonly ILoss _loss;
    private readonly IOptimizer _optimizer;
    private float[] _doutputs = [];

    public TrainingStep(SequenceNetwork network, ILoss loss, IOptimizer optimizer)
    {
        _network = network ?? throw new ArgumentNullException(nameof(network));
        _loss = loss ?? throw new ArgumentNullException(nameof(loss));
        _optimizer = optimizer ?? throw new ArgumentNullException(nameof(optimizer));
    }

    /// <summary>L2 penalty added to the gradients before clipping.</summary>
    public float L2 { get; init; }

    /// <summary>Global gradient-norm limit; 0 means no clipping.</summary>
    public float ClipNorm { get; init; }

    /// <summary>
    /// Runs the step; returns the batch loss. A non-finite loss returns before the backward pass and leaves the
    /// parameters untouched, so the caller can stop with the last good weights.
    /// </summary>
    public LossValue Run(SequenceBatch batch, float learningRate, SeededRandom? dropoutRandom)
    {
        var parameters = _network.Parameters;
        parameters.ZeroGradients();
        var outputs = _network.Forward(batch, training: true, dropoutRandom);
        if (_doutputs.Length < outputs.Length)
            _doutputs = new float[outputs.Length];
        var doutputs = _doutputs.AsSpan(0, outputs.Length);
        var value = _loss.Compute(outputs, batch, doutputs);
        if (!double.IsFinite(value.Sum))
            return value;
        _network.Backward(batch, doutputs);
        if (L2 > 0f)
            System.Numerics.Tensors.TensorPrimitives.MultiplyAdd(parameters.Values, L2, parameters.Gradients, parameters.Gradients);
        if (ClipNorm > 0f)
            GradientClipping.ClipByGlobalNorm(parameters.Gradients, ClipNorm);
        _optimizer.Step(parameters, learningRate);
        return value;
    }
}
