using Microsoft.ML.Runtime;

namespace MlNetRnn.MLNet;

/// <summary>
/// A GRU, LSTM or RNN regressor or forecaster (<c>mlContext.Regression.Trainers.Gru</c>, <c>Lstm</c>, <c>Rnn</c>) on
/// dense sequences (a vector of Single). Label: Single, or a known-size vector of Single for several values. Adds
/// ML.NET's Score: a Single, or a vector of as many values as the label.
/// </summary>
public sealed class RecurrentRegressionTrainer : RecurrentTrainerBase
{
    /// <summary>Options of <see cref="RecurrentRegressionTrainer"/>.</summary>
    public sealed class Options : RecurrentTrainerOptions
    {
        /// <summary>0 (default) trains on the mean squared error; a positive value on the Huber loss with this delta.</summary>
        public float HuberDelta { get; set; }

        private protected override SequenceModelOptions AddTaskSettings(SequenceModelOptions options) =>
            options with { HuberDelta = HuberDelta };
    }

    internal RecurrentRegressionTrainer(IHostEnvironment environment, RecurrentCell cell, Options options)
        : base(environment, SequenceTask.Regression, cell, options)
    {
    }
}
