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
    /// parameters untouched, so the caller can stop with the last good weights; so does a batch without any target
    /// (loss weight 0: a truncated-BPTT window that only carries the state on), which takes no optimizer step.
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
        if (!double.IsFinite(value.Sum) || value.Weight == 0)
            return value;
        _network.Backward(batch, doutputs);
        if (L2 > 0f)
            System.Numerics.Tensors.TensorPrimitives.MultiplyAdd(parameters.Values, L2, parameters.Gradients, parameters.Gradients);
        if (ClipNorm > 0f)
            GradientClipping.ClipByGlobalNorm(parameters.Gradients, ClipNorm);
        _optimizer.Step(parameters, learningRate);
        return value;
    }

    /// <summary>
    /// Truncated BPTT over one batch (see <see cref="TruncatedBptt"/>): its windows of <paramref name="windowSteps"/>
    /// steps in order, each a <see cref="Run"/> at the rate <paramref name="learningRate"/> gives just before it, the
    /// recurrent state (and a pooled read-out's pool) carried from window to window. Returns the batch's loss (the
    /// windows' sums and weights added), or the first non-finite window loss. The network starts and ends the batch
    /// without carried state.
    /// </summary>
    public LossValue RunTruncated(SequenceBatch batch, int windowSteps, Func<float> learningRate, SeededRandom? dropoutRandom)
    {
        ArgumentNullException.ThrowIfNull(batch);
        ArgumentNullException.ThrowIfNull(learningRate);
        var pooled = _network.Spec.ReadOut is ReadOutKind.MaxPool or ReadOutKind.MeanPool;
        var total = new LossValue(0, 0);
        _network.InitialStates = null;
        _network.InitialPool = null;
        try
        {
            for (var w = 0; w < TruncatedBptt.Windows(batch.SeqLength, windowSteps); w++)
            {
                var value = Run(TruncatedBptt.Window(batch, windowSteps, w, _network.Spec.PerStep), learningRate(), dropoutRandom);
                if (!double.IsFinite(value.Sum))
                    return value;
                total += value;
                _network.InitialStates = _network.FinalStates();
                if (pooled)
                    _network.InitialPool = _network.FinalPool();
            }
            return total;
        }
        finally
        {
            _network.InitialStates = null;
            _network.InitialPool = null;
        }
    }
}
