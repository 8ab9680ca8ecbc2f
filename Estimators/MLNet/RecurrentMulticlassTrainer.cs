using Microsoft.ML.Runtime;

namespace MlNetRnn.MLNet;

/// <summary>
/// A GRU, LSTM or RNN multiclass classifier (<c>mlContext.MulticlassClassification.Trainers.Gru</c>, <c>Lstm</c>,
/// <c>Rnn</c>). Label: a key of any key type. Adds ML.NET's multiclass columns: Score (the K class probabilities in
/// the label's key order) and PredictedLabel (a key carrying the label's names).
/// </summary>
public sealed class RecurrentMulticlassTrainer : RecurrentTrainerBase
{
    /// <summary>Options of <see cref="RecurrentMulticlassTrainer"/>.</summary>
    public sealed class Options : RecurrentTrainerOptions
    {
        /// <summary>Loss weight per class, in the label's key order, for imbalanced data. Default none (all 1).</summary>
        public IReadOnlyList<float>? ClassWeights { get; set; }

        private protected override SequenceModelOptions AddTaskSettings(SequenceModelOptions options)
        {
            if (ClassWeights is { } weights && weights.Any(w => !(w > 0f) || float.IsInfinity(w)))
                throw new ArgumentOutOfRangeException(nameof(ClassWeights), string.Join(", ", weights), "Every class weight must be positive and finite.");
            return options with { ClassWeights = ClassWeights?.ToArray() };
        }
    }

    internal RecurrentMulticlassTrainer(IHostEnvironment environment, RecurrentCell cell, Options options)
        : base(environment, SequenceTask.MulticlassClassification, cell, options)
    {
    }
}
