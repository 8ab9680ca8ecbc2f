using MlNetRnn.Network;
using MlNetRnn.Network.Losses;

namespace MlNetRnn.Training;

/// <summary>How the loop gets its batches and validates: a set of sequences, or one token stream for language models.</summary>
internal interface ITrainingData
{
    /// <summary>Whether each batch continues the previous one's sequences (state carried across batches).</summary>
    bool CarriesState { get; }

    int BatchesPerEpoch(SequenceModelOptions options);

    /// <summary>One epoch's batches, in order, built lazily.</summary>
    IReadOnlyList<Func<SequenceBatch>> Plan(SequenceModelOptions options, SeededRandom random);

    /// <summary>Validation metrics after an epoch, or null without validation data.</summary>
    EvaluationMetrics? Evaluate(SequenceModel model, SequenceNetwork network, ILoss loss, SequenceModelOptions options);
}

/// <summary>Sequences with targets, shuffled and bucketed by length each epoch.</summary>
internal sealed class SequenceSetData(EncodedData train, EncodedData? validation) : ITrainingData
{
    public bool CarriesState => false;

    public int BatchesPerEpoch(SequenceModelOptions options) =>
        SequenceBatcher.Plan(Enumerable.Range(0, train.Count).ToArray(), train.Lengths, options.BatchSize, options.BucketByLength, null).Count;

    public IReadOnlyList<Func<SequenceBatch>> Plan(SequenceModelOptions options, SeededRandom random)
    {
        var plan = SequenceBatcher.Plan(Enumerable.Range(0, train.Count).ToArray(), train.Lengths, options.BatchSize, options.BucketByLength, random);
        return plan.Select(indices => (Func<SequenceBatch>)(() => SequenceBatcher.Gather(train, indices))).ToArray();
    }

    public EvaluationMetrics? Evaluate(SequenceModel model, SequenceNetwork network, ILoss loss, SequenceModelOptions options) =>
        validation is null ? null : model.Evaluate(validation);
}

/// <summary>A token stream cut into truncated-BPTT windows, in order, state carried.</summary>
internal sealed class LanguageModelData(int[] train, int[]? validation) : ITrainingData
{
    public bool CarriesState => true;

    public int BatchesPerEpoch(SequenceModelOptions options) => LanguageModelStream.Windows(train.Length, options.BatchSize, options.BpttLength);

    public IReadOnlyList<Func<SequenceBatch>> Plan(SequenceModelOptions options, SeededRandom random) =>
        Enumerable.Range(0, BatchesPerEpoch(options))
            .Select(w => (Func<SequenceBatch>)(() => LanguageModelStream.Window(train, options.BatchSize, options.BpttLength, w)))
            .ToArray();

    public EvaluationMetrics? Evaluate(SequenceModel model, SequenceNetwork network, ILoss loss, SequenceModelOptions options) =>
        validation is null ? null : LanguageModelStream.Evaluate(network, loss, validation, options.BatchSize, options.BpttLength);
}
