using Microsoft.ML.Runtime;

namespace MlNetRnn.MLNet;

/// <summary>
/// A GRU, LSTM or RNN binary classifier (<c>mlContext.BinaryClassification.Trainers.Gru</c>, <c>Lstm</c>, <c>Rnn</c>).
/// Label: Boolean. Adds ML.NET's binary columns: Score (the logit), Probability and PredictedLabel.
/// </summary>
public sealed class RecurrentBinaryTrainer : RecurrentTrainerBase
{
    /// <summary>Options of <see cref="RecurrentBinaryTrainer"/>.</summary>
    public sealed class Options : RecurrentTrainerOptions
    {
        /// <summary>Loss weight of the positive examples relative to the negative ones, for imbalanced data. Default 1.</summary>
        public float WeightOfPositiveExamples { get; set; } = 1f;

        private protected override SequenceModelOptions AddTaskSettings(SequenceModelOptions options)
        {
            if (!(WeightOfPositiveExamples > 0f) || float.IsInfinity(WeightOfPositiveExamples))
                throw new ArgumentOutOfRangeException(nameof(WeightOfPositiveExamples), WeightOfPositiveExamples, "WeightOfPositiveExamples must be positive and finite.");
            // Class weights are in label order: negative, positive.
            return WeightOfPositiveExamples == 1f ? options : options with { ClassWeights = [1f, WeightOfPositiveExamples] };
        }
    }

    internal RecurrentBinaryTrainer(IHostEnvironment environment, RecurrentCell cell, Options options)
        : base(environment, SequenceTask.BinaryClassification, cell, options)
    {
    }
}
