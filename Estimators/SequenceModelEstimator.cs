using MlNetRnn.Training;

namespace MlNetRnn;

/// <summary>
/// Trains a <see cref="SequenceModel"/> (the estimator/transformer shape of ML.NET without ML.NET): options in,
/// <c>Fit</c> builds the vocabulary and labels from the training data, trains, and returns the model.
/// </summary>
public sealed class SequenceModelEstimator
{
    public SequenceModelEstimator(SequenceModelOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        Options = options;
    }

    public SequenceModelOptions Options { get; }

    /// <summary>
    /// Trains on <paramref name="train"/>; validates on <paramref name="validation"/> (or on the held-out
    /// ValidationFraction) after every epoch. Resumes from Options.CheckpointPath when that file exists.
    /// </summary>
    /// <exception cref="TrainingDivergedException">The loss became NaN or infinite.</exception>
    /// <exception cref="OperationCanceledException">Cancelled; the last checkpoint (if any) is complete.</exception>
    public SequenceModel Fit(SequenceData train, SequenceData? validation = null,
        IProgress<TrainingProgress>? progress = null, CancellationToken cancellationToken = default) =>
        new SequenceTrainer(Options, progress, cancellationToken).Fit(train, validation);

    /// <summary>
    /// Continues training a model (fine-tuning, or a model imported from ONNX): keeps its vocabulary, labels and
    /// weights and trains them further with these options, which must describe the same network.
    /// The given model is not changed.
    /// </summary>
    public SequenceModel Fit(SequenceModel start, SequenceData train, SequenceData? validation = null,
        IProgress<TrainingProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(start);
        return new SequenceTrainer(Options, progress, cancellationToken).Fit(train, validation, start);
    }
}
