using MlNetRnn.Kernels;

namespace MlNetRnn.MLNet;

/// <summary>
/// What every MlNetRnn trainer in ML.NET's catalogs shares: the columns, how a sequence is read, the network and the
/// training loop. Each task adds its own settings in its trainer's <c>Options</c>
/// (<see cref="RecurrentBinaryTrainer.Options"/>, <see cref="RecurrentMulticlassTrainer.Options"/>,
/// <see cref="RecurrentRegressionTrainer.Options"/>); the recurrent cell is the catalog method's (Gru, Lstm, Rnn).
/// Every property has the default of <see cref="Defaults"/> or the one it documents.
/// </summary>
public abstract class RecurrentTrainerOptions
{
    /// <summary>The defaults of the options and of the catalog methods' flat arguments.</summary>
    public static class Defaults
    {
        public const string LabelColumnName = "Label";
        public const string FeatureColumnName = "Features";
        public const int FeatureWidth = 0;
        public const int MaxLength = 400;
        public const int EmbeddingSize = 64;
        public const int HiddenSize = 128;
        public const int Layers = 1;
        public const int Epochs = 10;
        public const int BatchSize = 32;
        public const float LearningRate = 1e-3f;
        public const float GradientClipNorm = 5f;
        public const float Momentum = 0.9f;
    }

    private protected RecurrentTrainerOptions()
    {
    }

    // ---- Columns ----

    /// <summary>Default "Label". Binary: Boolean; multiclass: a key of any key type (MapValueToKey); regression:
    /// Single, or a known-size vector of Single for several values.</summary>
    public string LabelColumnName { get; set; } = Defaults.LabelColumnName;

    /// <summary>Default "Features". A vector of keys of any key type (Byte, UInt16, UInt32 or UInt64, e.g.
    /// TokenizeIntoWords + MapValueToKey, or TokenizeIntoCharactersAsKeys): token ids, key 0 (missing) is padding.
    /// Or a vector of Single holding T steps of <see cref="FeatureWidth"/> values each.</summary>
    public string FeatureColumnName { get; set; } = Defaults.FeatureColumnName;

    /// <summary>Vector of Single only: values per step. 0 (default) reads one value per step.</summary>
    public int FeatureWidth { get; set; } = Defaults.FeatureWidth;

    /// <summary>Keys only: tokens per sequence after truncation, in training and in scoring; 0 = no limit. Default 400.</summary>
    public int MaxLength { get; set; } = Defaults.MaxLength;

    /// <summary>Keys only: which end a longer sequence keeps. Default <see cref="TruncationSide.KeepStart"/>.</summary>
    public TruncationSide Truncation { get; set; } = TruncationSide.KeepStart;

    // ---- Network ----

    /// <summary>Keys only: embedding vector size. Default 64.</summary>
    public int EmbeddingSize { get; set; } = Defaults.EmbeddingSize;

    /// <summary>Units per direction. Default 128.</summary>
    public int HiddenSize { get; set; } = Defaults.HiddenSize;

    /// <summary>Stacked recurrent layers. Default 1.</summary>
    public int Layers { get; set; } = Defaults.Layers;

    /// <summary>Read each sequence in both directions. Default false.</summary>
    public bool Bidirectional { get; set; }

    /// <summary>GRU only: true (default) resets after the recurrent matmul (PyTorch, cuDNN, Keras reset_after);
    /// false before it (textbook, TF1 GRUCell).</summary>
    public bool LinearBeforeReset { get; set; } = true;

    /// <summary>LSTM only: peephole connections from the cell state to the gates (ONNX's P input), trained and
    /// exported. Default false.</summary>
    public bool Peepholes { get; set; }

    /// <summary>RNN only: Tanh (default) or Relu.</summary>
    public ActivationKind RnnActivation { get; set; } = ActivationKind.Tanh;

    /// <summary>Truncated backpropagation through time: each batch is cut along time into windows of this many steps,
    /// trained in order with the recurrent state carried across them. 0 (default) trains whole sequences. Not for
    /// bidirectional networks.</summary>
    public int TruncatedBpttSteps { get; set; }

    /// <summary>Dropout between stacked layers and before the head. Default 0.</summary>
    public float Dropout { get; set; }

    /// <summary>What the head reads: the last state (default), or the outputs max- or mean-pooled over the steps.</summary>
    public ReadOutKind ReadOut { get; set; } = ReadOutKind.LastState;

    // ---- Optimisation ----

    /// <summary>Default Adam.</summary>
    public OptimizerKind Optimizer { get; set; } = OptimizerKind.Adam;

    /// <summary>Default 1e-3.</summary>
    public float LearningRate { get; set; } = Defaults.LearningRate;

    /// <summary>Learning rate per epoch. Default constant.</summary>
    public LearningRateSchedule Schedule { get; set; } = LearningRateSchedule.Constant;

    /// <summary>Adam: decoupled weight decay (AdamW). Default 0.</summary>
    public float WeightDecay { get; set; }

    /// <summary>L2 penalty added to the gradients. Default 0.</summary>
    public float L2 { get; set; }

    /// <summary>SGD momentum. Default 0.9.</summary>
    public float Momentum { get; set; } = Defaults.Momentum;

    /// <summary>SGD Nesterov momentum. Default false.</summary>
    public bool Nesterov { get; set; }

    /// <summary>Polyak averaging of the weights with this decay (e.g. 0.99); the model validates with and ends with
    /// the averaged weights. 0 (default) turns it off.</summary>
    public float WeightAverageDecay { get; set; }

    /// <summary>Clip the global gradient norm to this value; 0 turns clipping off. Default 5.</summary>
    public float GradientClipNorm { get; set; } = Defaults.GradientClipNorm;

    // ---- Training loop ----

    /// <summary>Default 10.</summary>
    public int Epochs { get; set; } = Defaults.Epochs;

    /// <summary>Sequences per batch. Default 32.</summary>
    public int BatchSize { get; set; } = Defaults.BatchSize;

    /// <summary>Batch sequences of similar length together so padded work stays small. Default true.</summary>
    public bool BucketByLength { get; set; } = true;

    /// <summary>Fraction of the training rows held out for validation after every epoch (stratified for
    /// classification); its loss and metrics go to the log. Default 0 (none).</summary>
    public float ValidationFraction { get; set; }

    /// <summary>With validation: stop after this many epochs without a lower validation loss. 0 (default) never stops early.</summary>
    public int EarlyStoppingPatience { get; set; }

    /// <summary>With validation: end with the weights of the epoch with the lowest validation loss. Default true.</summary>
    public bool RestoreBestWeights { get; set; } = true;

    /// <summary>
    /// Seeds initialisation, shuffling, dropout and the validation split. Precedence: this value when set; otherwise
    /// (null, the default) a seed drawn from the MLContext's random source when the trainer is created, as ML.NET's
    /// own trainers do, so <c>new MLContext(seed: s)</c> repeats a run and <c>new MLContext()</c> does not. A seed
    /// repeats a run bit for bit at <see cref="Threads"/> = 1.
    /// </summary>
    public int? Seed { get; set; }

    /// <summary>Kernel threads. Default: the processor count.</summary>
    public int Threads { get; set; } = Environment.ProcessorCount;

    /// <summary>Native (default) or the C# reference kernel (slow; the specification).</summary>
    public KernelKind Kernel { get; set; } = KernelKind.Native;

    /// <summary>Write a checkpoint here after every epoch; Fit resumes from it when it exists. Default none.</summary>
    public string? CheckpointPath { get; set; }

    /// <summary>Reports from Fit after every batch and epoch (epoch, batch, loss, time left). It is called on the
    /// training thread; System.Progress&lt;T&gt; posts to the caller's context instead. Default none.</summary>
    public IProgress<TrainingProgress>? Progress { get; set; }

    /// <summary>The core library's options for these settings; the adapter sets the task, cell, seed, vocabulary
    /// and labels. Validated there, with the same property names.</summary>
    internal SequenceModelOptions ToModelOptions(SequenceTask task, RecurrentCell cell, int seed)
    {
        ArgumentException.ThrowIfNullOrEmpty(LabelColumnName, nameof(LabelColumnName));
        ArgumentException.ThrowIfNullOrEmpty(FeatureColumnName, nameof(FeatureColumnName));
        if (FeatureWidth < 0)
            throw new ArgumentOutOfRangeException(nameof(FeatureWidth), FeatureWidth, "FeatureWidth must be >= 0 (0 = one value per step).");
        var options = AddTaskSettings(new SequenceModelOptions
        {
            Task = task,
            Cell = cell,
            Text = new TextFeaturizerOptions { MaxLength = MaxLength, Truncation = Truncation },
            EmbeddingSize = EmbeddingSize,
            HiddenSize = HiddenSize,
            Layers = Layers,
            Bidirectional = Bidirectional,
            LinearBeforeReset = LinearBeforeReset,
            Peepholes = Peepholes,
            TruncatedBpttSteps = TruncatedBpttSteps,
            RnnActivation = RnnActivation,
            Dropout = Dropout,
            ReadOut = ReadOut,
            Optimizer = Optimizer,
            LearningRate = LearningRate,
            Schedule = Schedule ?? throw new ArgumentNullException(nameof(Schedule)),
            WeightDecay = WeightDecay,
            L2 = L2,
            Momentum = Momentum,
            Nesterov = Nesterov,
            WeightAverageDecay = WeightAverageDecay,
            GradientClipNorm = GradientClipNorm,
            Epochs = Epochs,
            BatchSize = BatchSize,
            BucketByLength = BucketByLength,
            ValidationFraction = ValidationFraction,
            EarlyStoppingPatience = EarlyStoppingPatience,
            RestoreBestWeights = RestoreBestWeights,
            Seed = seed,
            Threads = Threads,
            Kernel = Kernel,
            CheckpointPath = CheckpointPath,
        });
        options.Validate();
        return options;
    }

    /// <summary>The task's own settings (class weights, Huber loss).</summary>
    private protected abstract SequenceModelOptions AddTaskSettings(SequenceModelOptions options);
}
