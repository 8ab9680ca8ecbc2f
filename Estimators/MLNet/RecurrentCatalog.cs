using Microsoft.ML;
using MlNetRnn.Kernels;
using MlNetRnn.Network;

namespace MlNetRnn.MLNet;

/// <summary>
/// MlNetRnn in ML.NET's catalogs: GRU, LSTM and RNN trainers for binary classification, multiclass classification and
/// regression, each with flat arguments (documented defaults) or a <see cref="SequenceTrainerOptions"/>; and
/// <c>Transforms.EncodeSequence</c>, which turns a sequence into its read-out vector for any downstream trainer.
/// </summary>
public static class RecurrentCatalog
{
    /// <summary>Default hidden units per direction.</summary>
    public const int DefaultHiddenSize = 128;

    /// <summary>Default epochs.</summary>
    public const int DefaultEpochs = 10;

    /// <summary>Default learning rate (Adam).</summary>
    public const float DefaultLearningRate = 1e-3f;

    // ---- Binary classification (label: Boolean) ----

    public static SequenceTrainerEstimator Gru(this BinaryClassificationCatalog.BinaryClassificationTrainers catalog,
        string labelColumnName = "Label", string featureColumnName = "Features", int hiddenSize = DefaultHiddenSize,
        int epochs = DefaultEpochs, float learningRate = DefaultLearningRate, int featureWidth = 0) =>
        Create(SequenceTask.BinaryClassification, RecurrentCell.Gru, Flat(labelColumnName, featureColumnName, hiddenSize, epochs, learningRate, featureWidth));

    public static SequenceTrainerEstimator Gru(this BinaryClassificationCatalog.BinaryClassificationTrainers catalog, SequenceTrainerOptions options) =>
        Create(SequenceTask.BinaryClassification, RecurrentCell.Gru, options);

    public static SequenceTrainerEstimator Lstm(this BinaryClassificationCatalog.BinaryClassificationTrainers catalog,
        string labelColumnName = "Label", string featureColumnName = "Features", int hiddenSize = DefaultHiddenSize,
        int epochs = DefaultEpochs, float learningRate = DefaultLearningRate, int featureWidth = 0) =>
        Create(SequenceTask.BinaryClassification, RecurrentCell.Lstm, Flat(labelColumnName, featureColumnName, hiddenSize, epochs, learningRate, featureWidth));

    public static SequenceTrainerEstimator Lstm(this BinaryClassificationCatalog.BinaryClassificationTrainers catalog, SequenceTrainerOptions options) =>
        Create(SequenceTask.BinaryClassification, RecurrentCell.Lstm, options);

    public static SequenceTrainerEstimator Rnn(this BinaryClassificationCatalog.BinaryClassificationTrainers catalog,
        string labelColumnName = "Label", string featureColumnName = "Features", int hiddenSize = DefaultHiddenSize,
        int epochs = DefaultEpochs, float learningRate = DefaultLearningRate, int featureWidth = 0) =>
        Create(SequenceTask.BinaryClassification, RecurrentCell.Rnn, Flat(labelColumnName, featureColumnName, hiddenSize, epochs, learningRate, featureWidth));

    public static SequenceTrainerEstimator Rnn(this BinaryClassificationCatalog.BinaryClassificationTrainers catalog, SequenceTrainerOptions options) =>
        Create(SequenceTask.BinaryClassification, RecurrentCell.Rnn, options);

    // ---- Multiclass classification (label: key) ----

    public static SequenceTrainerEstimator Gru(this MulticlassClassificationCatalog.MulticlassClassificationTrainers catalog,
        string labelColumnName = "Label", string featureColumnName = "Features", int hiddenSize = DefaultHiddenSize,
        int epochs = DefaultEpochs, float learningRate = DefaultLearningRate, int featureWidth = 0) =>
        Create(SequenceTask.MulticlassClassification, RecurrentCell.Gru, Flat(labelColumnName, featureColumnName, hiddenSize, epochs, learningRate, featureWidth));

    public static SequenceTrainerEstimator Gru(this MulticlassClassificationCatalog.MulticlassClassificationTrainers catalog, SequenceTrainerOptions options) =>
        Create(SequenceTask.MulticlassClassification, RecurrentCell.Gru, options);

    public static SequenceTrainerEstimator Lstm(this MulticlassClassificationCatalog.MulticlassClassificationTrainers catalog,
        string labelColumnName = "Label", string featureColumnName = "Features", int hiddenSize = DefaultHiddenSize,
        int epochs = DefaultEpochs, float learningRate = DefaultLearningRate, int featureWidth = 0) =>
        Create(SequenceTask.MulticlassClassification, RecurrentCell.Lstm, Flat(labelColumnName, featureColumnName, hiddenSize, epochs, learningRate, featureWidth));

    public static SequenceTrainerEstimator Lstm(this MulticlassClassificationCatalog.MulticlassClassificationTrainers catalog, SequenceTrainerOptions options) =>
        Create(SequenceTask.MulticlassClassification, RecurrentCell.Lstm, options);

    public static SequenceTrainerEstimator Rnn(this MulticlassClassificationCatalog.MulticlassClassificationTrainers catalog,
        string labelColumnName = "Label", string featureColumnName = "Features", int hiddenSize = DefaultHiddenSize,
        int epochs = DefaultEpochs, float learningRate = DefaultLearningRate, int featureWidth = 0) =>
        Create(SequenceTask.MulticlassClassification, RecurrentCell.Rnn, Flat(labelColumnName, featureColumnName, hiddenSize, epochs, learningRate, featureWidth));

    public static SequenceTrainerEstimator Rnn(this MulticlassClassificationCatalog.MulticlassClassificationTrainers catalog, SequenceTrainerOptions options) =>
        Create(SequenceTask.MulticlassClassification, RecurrentCell.Rnn, options);

    // ---- Regression and forecasting (label: Single, or a known-size vector of Single for several values) ----

    public static SequenceTrainerEstimator Gru(this RegressionCatalog.RegressionTrainers catalog,
        string labelColumnName = "Label", string featureColumnName = "Features", int hiddenSize = DefaultHiddenSize,
        int epochs = DefaultEpochs, float learningRate = DefaultLearningRate, int featureWidth = 0) =>
        Create(SequenceTask.Regression, RecurrentCell.Gru, Flat(labelColumnName, featureColumnName, hiddenSize, epochs, learningRate, featureWidth));

    public static SequenceTrainerEstimator Gru(this RegressionCatalog.RegressionTrainers catalog, SequenceTrainerOptions options) =>
        Create(SequenceTask.Regression, RecurrentCell.Gru, options);

    public static SequenceTrainerEstimator Lstm(this RegressionCatalog.RegressionTrainers catalog,
        string labelColumnName = "Label", string featureColumnName = "Features", int hiddenSize = DefaultHiddenSize,
        int epochs = DefaultEpochs, float learningRate = DefaultLearningRate, int featureWidth = 0) =>
        Create(SequenceTask.Regression, RecurrentCell.Lstm, Flat(labelColumnName, featureColumnName, hiddenSize, epochs, learningRate, featureWidth));

    public static SequenceTrainerEstimator Lstm(this RegressionCatalog.RegressionTrainers catalog, SequenceTrainerOptions options) =>
        Create(SequenceTask.Regression, RecurrentCell.Lstm, options);

    public static SequenceTrainerEstimator Rnn(this RegressionCatalog.RegressionTrainers catalog,
        string labelColumnName = "Label", string featureColumnName = "Features", int hiddenSize = DefaultHiddenSize,
        int epochs = DefaultEpochs, float learningRate = DefaultLearningRate, int featureWidth = 0) =>
        Create(SequenceTask.Regression, RecurrentCell.Rnn, Flat(labelColumnName, featureColumnName, hiddenSize, epochs, learningRate, featureWidth));

    public static SequenceTrainerEstimator Rnn(this RegressionCatalog.RegressionTrainers catalog, SequenceTrainerOptions options) =>
        Create(SequenceTask.Regression, RecurrentCell.Rnn, options);

    // ---- Sequence encoder ----

    /// <summary>
    /// Trains a recurrent network on the label column (Boolean: binary, key: multiclass, Single: regression) and
    /// outputs each sequence's read-out vector (last state, or pooled outputs with options.Model.ReadOut) as a
    /// known-size vector of Single in <paramref name="outputColumnName"/>, for any downstream ML.NET trainer.
    /// </summary>
    public static SequenceTrainerEstimator EncodeSequence(this TransformsCatalog catalog, string outputColumnName,
        SequenceTask labelTask, SequenceTrainerOptions options)
    {
        ArgumentException.ThrowIfNullOrEmpty(outputColumnName);
        return new SequenceTrainerEstimator(labelTask, options.Model.Cell, options, outputColumnName);
    }

    /// <summary>Encodes sequences with an already trained model (its read-out vector per sequence); no training.</summary>
    public static SequenceTrainerEstimator EncodeSequence(this TransformsCatalog catalog, string outputColumnName,
        string inputColumnName, SequenceModel model)
    {
        ArgumentException.ThrowIfNullOrEmpty(outputColumnName);
        ArgumentNullException.ThrowIfNull(model);
        var task = model.Task is SequenceTask.BinaryClassification or SequenceTask.MulticlassClassification ? model.Task : SequenceTask.Regression;
        return new SequenceTrainerEstimator(task, model.Spec.Cell, new SequenceTrainerOptions
        {
            FeatureColumnName = inputColumnName,
            FeatureWidth = model.Schema.FeatureWidth,
            Model = model.Options with { Task = task },
        }, outputColumnName) { Pretrained = model };
    }

    private static SequenceTrainerEstimator Create(SequenceTask task, RecurrentCell cell, SequenceTrainerOptions options) =>
        new(task, cell, options ?? throw new ArgumentNullException(nameof(options)));

    private static SequenceTrainerOptions Flat(string label, string feature, int hidden, int epochs, float learningRate, int featureWidth) => new()
    {
        LabelColumnName = label,
        FeatureColumnName = feature,
        FeatureWidth = featureWidth,
        Model = new SequenceModelOptions { HiddenSize = hidden, Epochs = epochs, LearningRate = learningRate },
    };
}
