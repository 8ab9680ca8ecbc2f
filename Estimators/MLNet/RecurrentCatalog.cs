using Microsoft.ML;
using static MlNetRnn.MLNet.RecurrentTrainerOptions;

namespace MlNetRnn.MLNet;

/// <summary>
/// MlNetRnn in ML.NET's catalogs, in the shape of ML.NET's own trainers: GRU, LSTM and RNN trainers for binary
/// classification, multiclass classification and regression, each with flat arguments (their defaults are
/// <see cref="RecurrentTrainerOptions.Defaults"/>) or the trainer's <c>Options</c>; and <c>Transforms.EncodeSequence</c>,
/// which turns a sequence into its read-out vector for any downstream trainer. A trainer works in the catalog's
/// MLContext: its log, its seed and its cancellation.
/// </summary>
public static class RecurrentCatalog
{
    // ---- Binary classification (label: Boolean) ----

    /// <summary>Creates a GRU binary classifier (<see cref="RecurrentBinaryTrainer"/>).</summary>
    /// <param name="catalog">The binary classification trainers of the MLContext whose log, seed and cancellation the trainer uses.</param>
    /// <param name="labelColumnName">The label column: Boolean.</param>
    /// <param name="featureColumnName">The feature column: a vector of keys (token ids; Byte, UInt16, UInt32 or UInt64 keys) or a vector of Single.</param>
    /// <param name="hiddenSize">Units per direction.</param>
    /// <param name="epochs">Passes over the training data.</param>
    /// <param name="learningRate">Adam's learning rate.</param>
    /// <param name="featureWidth">A vector of Single: values per step; 0 reads one value per step.</param>
    public static RecurrentBinaryTrainer Gru(this BinaryClassificationCatalog.BinaryClassificationTrainers catalog,
        string labelColumnName = Defaults.LabelColumnName, string featureColumnName = Defaults.FeatureColumnName,
        int hiddenSize = Defaults.HiddenSize, int epochs = Defaults.Epochs, float learningRate = Defaults.LearningRate,
        int featureWidth = Defaults.FeatureWidth) =>
        Binary(catalog, RecurrentCell.Gru, Flat(new RecurrentBinaryTrainer.Options(), labelColumnName, featureColumnName, hiddenSize, epochs, learningRate, featureWidth));

    /// <summary>Creates a GRU binary classifier (<see cref="RecurrentBinaryTrainer"/>) with every option.</summary>
    /// <param name="catalog">The binary classification trainers of the MLContext whose log, seed and cancellation the trainer uses.</param>
    /// <param name="options">The columns, the network and the training settings.</param>
    public static RecurrentBinaryTrainer Gru(this BinaryClassificationCatalog.BinaryClassificationTrainers catalog, RecurrentBinaryTrainer.Options options) =>
        Binary(catalog, RecurrentCell.Gru, options);

    /// <summary>Creates an LSTM binary classifier (<see cref="RecurrentBinaryTrainer"/>).</summary>
    /// <inheritdoc cref="Gru(BinaryClassificationCatalog.BinaryClassificationTrainers, string, string, int, int, float, int)" path="/param"/>
    public static RecurrentBinaryTrainer Lstm(this BinaryClassificationCatalog.BinaryClassificationTrainers catalog,
        string labelColumnName = Defaults.LabelColumnName, string featureColumnName = Defaults.FeatureColumnName,
        int hiddenSize = Defaults.HiddenSize, int epochs = Defaults.Epochs, float learningRate = Defaults.LearningRate,
        int featureWidth = Defaults.FeatureWidth) =>
        Binary(catalog, RecurrentCell.Lstm, Flat(new RecurrentBinaryTrainer.Options(), labelColumnName, featureColumnName, hiddenSize, epochs, learningRate, featureWidth));

    /// <summary>Creates an LSTM binary classifier (<see cref="RecurrentBinaryTrainer"/>) with every option.</summary>
    /// <param name="catalog">The binary classification trainers of the MLContext whose log, seed and cancellation the trainer uses.</param>
    /// <param name="options">The columns, the network and the training settings.</param>
    public static RecurrentBinaryTrainer Lstm(this BinaryClassificationCatalog.BinaryClassificationTrainers catalog, RecurrentBinaryTrainer.Options options) =>
        Binary(catalog, RecurrentCell.Lstm, options);

    /// <summary>Creates a vanilla RNN binary classifier (<see cref="RecurrentBinaryTrainer"/>).</summary>
    /// <inheritdoc cref="Gru(BinaryClassificationCatalog.BinaryClassificationTrainers, string, string, int, int, float, int)" path="/param"/>
    public static RecurrentBinaryTrainer Rnn(this BinaryClassificationCatalog.BinaryClassificationTrainers catalog,
        string labelColumnName = Defaults.LabelColumnName, string featureColumnName = Defaults.FeatureColumnName,
        int hiddenSize = Defaults.HiddenSize, int epochs = Defaults.Epochs, float learningRate = Defaults.LearningRate,
        int featureWidth = Defaults.FeatureWidth) =>
        Binary(catalog, RecurrentCell.Rnn, Flat(new RecurrentBinaryTrainer.Options(), labelColumnName, featureColumnName, hiddenSize, epochs, learningRate, featureWidth));

    /// <summary>Creates a vanilla RNN binary classifier (<see cref="RecurrentBinaryTrainer"/>) with every option.</summary>
    /// <param name="catalog">The binary classification trainers of the MLContext whose log, seed and cancellation the trainer uses.</param>
    /// <param name="options">The columns, the network and the training settings.</param>
    public static RecurrentBinaryTrainer Rnn(this BinaryClassificationCatalog.BinaryClassificationTrainers catalog, RecurrentBinaryTrainer.Options options) =>
        Binary(catalog, RecurrentCell.Rnn, options);

    // ---- Multiclass classification (label: a key) ----

    /// <summary>Creates a GRU multiclass classifier (<see cref="RecurrentMulticlassTrainer"/>).</summary>
    /// <param name="catalog">The multiclass classification trainers of the MLContext whose log, seed and cancellation the trainer uses.</param>
    /// <param name="labelColumnName">The label column: a key (Byte, UInt16, UInt32 or UInt64 keys; MapValueToKey).</param>
    /// <param name="featureColumnName">The feature column: a vector of keys (token ids; Byte, UInt16, UInt32 or UInt64 keys) or a vector of Single.</param>
    /// <param name="hiddenSize">Units per direction.</param>
    /// <param name="epochs">Passes over the training data.</param>
    /// <param name="learningRate">Adam's learning rate.</param>
    /// <param name="featureWidth">A vector of Single: values per step; 0 reads one value per step.</param>
    public static RecurrentMulticlassTrainer Gru(this MulticlassClassificationCatalog.MulticlassClassificationTrainers catalog,
        string labelColumnName = Defaults.LabelColumnName, string featureColumnName = Defaults.FeatureColumnName,
        int hiddenSize = Defaults.HiddenSize, int epochs = Defaults.Epochs, float learningRate = Defaults.LearningRate,
        int featureWidth = Defaults.FeatureWidth) =>
        Multiclass(catalog, RecurrentCell.Gru, Flat(new RecurrentMulticlassTrainer.Options(), labelColumnName, featureColumnName, hiddenSize, epochs, learningRate, featureWidth));

    /// <summary>Creates a GRU multiclass classifier (<see cref="RecurrentMulticlassTrainer"/>) with every option.</summary>
    /// <param name="catalog">The multiclass classification trainers of the MLContext whose log, seed and cancellation the trainer uses.</param>
    /// <param name="options">The columns, the network and the training settings.</param>
    public static RecurrentMulticlassTrainer Gru(this MulticlassClassificationCatalog.MulticlassClassificationTrainers catalog, RecurrentMulticlassTrainer.Options options) =>
        Multiclass(catalog, RecurrentCell.Gru, options);

    /// <summary>Creates an LSTM multiclass classifier (<see cref="RecurrentMulticlassTrainer"/>).</summary>
    /// <inheritdoc cref="Gru(MulticlassClassificationCatalog.MulticlassClassificationTrainers, string, string, int, int, float, int)" path="/param"/>
    public static RecurrentMulticlassTrainer Lstm(this MulticlassClassificationCatalog.MulticlassClassificationTrainers catalog,
        string labelColumnName = Defaults.LabelColumnName, string featureColumnName = Defaults.FeatureColumnName,
        int hiddenSize = Defaults.HiddenSize, int epochs = Defaults.Epochs, float learningRate = Defaults.LearningRate,
        int featureWidth = Defaults.FeatureWidth) =>
        Multiclass(catalog, RecurrentCell.Lstm, Flat(new RecurrentMulticlassTrainer.Options(), labelColumnName, featureColumnName, hiddenSize, epochs, learningRate, featureWidth));

    /// <summary>Creates an LSTM multiclass classifier (<see cref="RecurrentMulticlassTrainer"/>) with every option.</summary>
    /// <param name="catalog">The multiclass classification trainers of the MLContext whose log, seed and cancellation the trainer uses.</param>
    /// <param name="options">The columns, the network and the training settings.</param>
    public static RecurrentMulticlassTrainer Lstm(this MulticlassClassificationCatalog.MulticlassClassificationTrainers catalog, RecurrentMulticlassTrainer.Options options) =>
        Multiclass(catalog, RecurrentCell.Lstm, options);

    /// <summary>Creates a vanilla RNN multiclass classifier (<see cref="RecurrentMulticlassTrainer"/>).</summary>
    /// <inheritdoc cref="Gru(MulticlassClassificationCatalog.MulticlassClassificationTrainers, string, string, int, int, float, int)" path="/param"/>
    public static RecurrentMulticlassTrainer Rnn(this MulticlassClassificationCatalog.MulticlassClassificationTrainers catalog,
        string labelColumnName = Defaults.LabelColumnName, string featureColumnName = Defaults.FeatureColumnName,
        int hiddenSize = Defaults.HiddenSize, int epochs = Defaults.Epochs, float learningRate = Defaults.LearningRate,
        int featureWidth = Defaults.FeatureWidth) =>
        Multiclass(catalog, RecurrentCell.Rnn, Flat(new RecurrentMulticlassTrainer.Options(), labelColumnName, featureColumnName, hiddenSize, epochs, learningRate, featureWidth));

    /// <summary>Creates a vanilla RNN multiclass classifier (<see cref="RecurrentMulticlassTrainer"/>) with every option.</summary>
    /// <param name="catalog">The multiclass classification trainers of the MLContext whose log, seed and cancellation the trainer uses.</param>
    /// <param name="options">The columns, the network and the training settings.</param>
    public static RecurrentMulticlassTrainer Rnn(this MulticlassClassificationCatalog.MulticlassClassificationTrainers catalog, RecurrentMulticlassTrainer.Options options) =>
        Multiclass(catalog, RecurrentCell.Rnn, options);

    // ---- Regression and forecasting (label: Single, or a known-size vector of Single for several values) ----

    /// <summary>Creates a GRU regressor (<see cref="RecurrentRegressionTrainer"/>).</summary>
    /// <param name="catalog">The regression trainers of the MLContext whose log, seed and cancellation the trainer uses.</param>
    /// <param name="labelColumnName">The label column: Single, or a known-size vector of Single.</param>
    /// <param name="featureColumnName">The feature column: a vector of Single, T steps of featureWidth values.</param>
    /// <param name="hiddenSize">Units per direction.</param>
    /// <param name="epochs">Passes over the training data.</param>
    /// <param name="learningRate">Adam's learning rate.</param>
    /// <param name="featureWidth">A vector of Single: values per step; 0 reads one value per step.</param>
    public static RecurrentRegressionTrainer Gru(this RegressionCatalog.RegressionTrainers catalog,
        string labelColumnName = Defaults.LabelColumnName, string featureColumnName = Defaults.FeatureColumnName,
        int hiddenSize = Defaults.HiddenSize, int epochs = Defaults.Epochs, float learningRate = Defaults.LearningRate,
        int featureWidth = Defaults.FeatureWidth) =>
        Regression(catalog, RecurrentCell.Gru, Flat(new RecurrentRegressionTrainer.Options(), labelColumnName, featureColumnName, hiddenSize, epochs, learningRate, featureWidth));

    /// <summary>Creates a GRU regressor (<see cref="RecurrentRegressionTrainer"/>) with every option.</summary>
    /// <param name="catalog">The regression trainers of the MLContext whose log, seed and cancellation the trainer uses.</param>
    /// <param name="options">The columns, the network and the training settings.</param>
    public static RecurrentRegressionTrainer Gru(this RegressionCatalog.RegressionTrainers catalog, RecurrentRegressionTrainer.Options options) =>
        Regression(catalog, RecurrentCell.Gru, options);

    /// <summary>Creates an LSTM regressor (<see cref="RecurrentRegressionTrainer"/>).</summary>
    /// <inheritdoc cref="Gru(RegressionCatalog.RegressionTrainers, string, string, int, int, float, int)" path="/param"/>
    public static RecurrentRegressionTrainer Lstm(this RegressionCatalog.RegressionTrainers catalog,
        string labelColumnName = Defaults.LabelColumnName, string featureColumnName = Defaults.FeatureColumnName,
        int hiddenSize = Defaults.HiddenSize, int epochs = Defaults.Epochs, float learningRate = Defaults.LearningRate,
        int featureWidth = Defaults.FeatureWidth) =>
        Regression(catalog, RecurrentCell.Lstm, Flat(new RecurrentRegressionTrainer.Options(), labelColumnName, featureColumnName, hiddenSize, epochs, learningRate, featureWidth));

    /// <summary>Creates an LSTM regressor (<see cref="RecurrentRegressionTrainer"/>) with every option.</summary>
    /// <param name="catalog">The regression trainers of the MLContext whose log, seed and cancellation the trainer uses.</param>
    /// <param name="options">The columns, the network and the training settings.</param>
    public static RecurrentRegressionTrainer Lstm(this RegressionCatalog.RegressionTrainers catalog, RecurrentRegressionTrainer.Options options) =>
        Regression(catalog, RecurrentCell.Lstm, options);

    /// <summary>Creates a vanilla RNN regressor (<see cref="RecurrentRegressionTrainer"/>).</summary>
    /// <inheritdoc cref="Gru(RegressionCatalog.RegressionTrainers, string, string, int, int, float, int)" path="/param"/>
    public static RecurrentRegressionTrainer Rnn(this RegressionCatalog.RegressionTrainers catalog,
        string labelColumnName = Defaults.LabelColumnName, string featureColumnName = Defaults.FeatureColumnName,
        int hiddenSize = Defaults.HiddenSize, int epochs = Defaults.Epochs, float learningRate = Defaults.LearningRate,
        int featureWidth = Defaults.FeatureWidth) =>
        Regression(catalog, RecurrentCell.Rnn, Flat(new RecurrentRegressionTrainer.Options(), labelColumnName, featureColumnName, hiddenSize, epochs, learningRate, featureWidth));

    /// <summary>Creates a vanilla RNN regressor (<see cref="RecurrentRegressionTrainer"/>) with every option.</summary>
    /// <param name="catalog">The regression trainers of the MLContext whose log, seed and cancellation the trainer uses.</param>
    /// <param name="options">The columns, the network and the training settings.</param>
    public static RecurrentRegressionTrainer Rnn(this RegressionCatalog.RegressionTrainers catalog, RecurrentRegressionTrainer.Options options) =>
        Regression(catalog, RecurrentCell.Rnn, options);

    // ---- Sequence encoder ----

    /// <summary>
    /// Trains <paramref name="trainer"/>'s network on its label column at Fit and outputs each sequence's read-out
    /// vector (last state, or pooled outputs with ReadOut) as a known-size vector of Single in
    /// <paramref name="outputColumnName"/>, for any downstream ML.NET trainer.
    /// </summary>
    /// <param name="catalog">The transforms catalog.</param>
    /// <param name="outputColumnName">The encoding column.</param>
    /// <param name="trainer">A trainer from this catalog's MLContext, e.g. <c>mlContext.BinaryClassification.Trainers.Gru(options)</c>;
    /// its feature column is the encoder's input.</param>
    public static SequenceEncoderEstimator EncodeSequence(this TransformsCatalog catalog, string outputColumnName, RecurrentTrainerBase trainer)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        ArgumentException.ThrowIfNullOrEmpty(outputColumnName);
        ArgumentNullException.ThrowIfNull(trainer);
        return new SequenceEncoderEstimator(outputColumnName, trainer);
    }

    /// <summary>Encodes sequences with an already trained model (its read-out vector per sequence); no training.</summary>
    /// <param name="catalog">The transforms catalog.</param>
    /// <param name="outputColumnName">The encoding column.</param>
    /// <param name="inputColumnName">Keys for a model on token ids, a vector of Single for a model on values.</param>
    /// <param name="model">The trained network.</param>
    public static SequenceEncoderEstimator EncodeSequence(this TransformsCatalog catalog, string outputColumnName,
        string inputColumnName, SequenceModel model)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        ArgumentException.ThrowIfNullOrEmpty(outputColumnName);
        ArgumentException.ThrowIfNullOrEmpty(inputColumnName);
        ArgumentNullException.ThrowIfNull(model);
        return new SequenceEncoderEstimator(outputColumnName, inputColumnName, model);
    }

    private static RecurrentBinaryTrainer Binary(BinaryClassificationCatalog.BinaryClassificationTrainers catalog, RecurrentCell cell, RecurrentBinaryTrainer.Options options) =>
        new(CatalogEnvironment.Of(catalog), cell, options ?? throw new ArgumentNullException(nameof(options)));

    private static RecurrentMulticlassTrainer Multiclass(MulticlassClassificationCatalog.MulticlassClassificationTrainers catalog, RecurrentCell cell, RecurrentMulticlassTrainer.Options options) =>
        new(CatalogEnvironment.Of(catalog), cell, options ?? throw new ArgumentNullException(nameof(options)));

    private static RecurrentRegressionTrainer Regression(RegressionCatalog.RegressionTrainers catalog, RecurrentCell cell, RecurrentRegressionTrainer.Options options) =>
        new(CatalogEnvironment.Of(catalog), cell, options ?? throw new ArgumentNullException(nameof(options)));

    private static TOptions Flat<TOptions>(TOptions options, string label, string feature, int hiddenSize, int epochs, float learningRate, int featureWidth)
        where TOptions : RecurrentTrainerOptions
    {
        options.LabelColumnName = label;
        options.FeatureColumnName = feature;
        options.HiddenSize = hiddenSize;
        options.Epochs = epochs;
        options.LearningRate = learningRate;
        options.FeatureWidth = featureWidth;
        return options;
    }

    /// <summary>
    /// After <c>ApplyOnnxModel</c> on an MlNetRnn export (binary or single-value regression): its vector outputs become
    /// ML.NET's scalar PredictedLabel, Score and Probability (or Score), so that Evaluate reads them:
    /// <code>
    /// var scored = ml.Transforms.ApplyOnnxModel(["PredictedLabel", "Score", "Probability"], ["Text"], "spam.onnx")
    ///     .Append(ml.Transforms.SequenceOnnxScores(SequenceTask.BinaryClassification)).Fit(test).Transform(test);
    /// var metrics = ml.BinaryClassification.Evaluate(scored);
    /// </code>
    /// Multiclass exports need no conversion for Score (a vector of class probabilities, as ML.NET's); their
    /// PredictedLabel is the class name.
    /// </summary>
    public static IEstimator<ITransformer> SequenceOnnxScores(this TransformsCatalog catalog, SequenceTask task)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        return task switch
        {
            SequenceTask.BinaryClassification => catalog.CustomMapping(new BinaryOnnxScores().GetMapping(), BinaryOnnxScores.ContractName),
            SequenceTask.Regression => catalog.CustomMapping(new RegressionOnnxScores().GetMapping(), RegressionOnnxScores.ContractName),
            _ => throw new ArgumentOutOfRangeException(nameof(task), task, "Expected BinaryClassification or Regression: other exports' outputs need no conversion."),
        };
    }
}
