using System.Diagnostics;
using System.Globalization;
using Microsoft.ML;
using Microsoft.ML.Runtime;
using Microsoft.ML.Trainers;

namespace MlNetRnn.MLNet;

/// <summary>
/// An MlNetRnn trainer (GRU, LSTM or RNN) as an ML.NET trainer: reads the feature and label columns, trains a
/// <see cref="SequenceModel"/>, and returns a <see cref="SequenceModelTransformer"/> that adds ML.NET's columns for
/// the task. It works in the caller's MLContext: one line per epoch goes to <c>mlContext.Log</c>, the seed comes
/// from the MLContext unless the options set one (<see cref="RecurrentTrainerOptions.Seed"/>), and a cancelled
/// MLContext stops Fit before the next batch with an <see cref="OperationCanceledException"/>.
/// </summary>
public abstract class RecurrentTrainerBase : ITrainerEstimator<SequenceModelTransformer, SequenceModel>
{
    // ML.NET constructs TrainerInfo only internally (Microsoft.ML 5.0.1 and 6.0.0). This is the instance of its
    // PriorTrainer, which declares what these trainers need: no normalization (keys are embedded, and the network
    // takes Single values as they are), no calibration (the network outputs probabilities), no caching (Fit reads the
    // data once, into memory). A test pins the three values.
    private static readonly TrainerInfo SharedInfo = new MLContext().BinaryClassification.Trainers.Prior().Info;

    private readonly IHostEnvironment _environment;
    private readonly IHost _host;
    private readonly SequenceModelOptions _options;
    private readonly IProgress<TrainingProgress>? _progress;

    // Builds the ML.NET transforms of the key conversion and of the scoring chain: ML.NET offers no public way to
    // create them on the caller's environment; they are deterministic and write nothing the caller needs.
    private readonly MLContext _transforms = new(seed: 0);

    private protected RecurrentTrainerBase(IHostEnvironment environment, SequenceTask task, RecurrentCell cell, RecurrentTrainerOptions options)
    {
        ArgumentNullException.ThrowIfNull(environment);
        ArgumentNullException.ThrowIfNull(options);
        _environment = environment;
        _host = environment.Register("MlNetRnn." + GetType().Name);
        _options = options.ToModelOptions(task, cell, options.Seed ?? _host.Rand.Next());
        _progress = options.Progress;
        LabelColumnName = options.LabelColumnName;
        FeatureColumnName = options.FeatureColumnName;
        FeatureWidth = options.FeatureWidth;
    }

    /// <summary>No normalization, no calibration, no caching.</summary>
    public TrainerInfo Info => SharedInfo;

    public RecurrentCell Cell => _options.Cell;

    /// <summary>The seed the network trains with: the options' Seed, or the one drawn from the MLContext.</summary>
    public int Seed => _options.Seed;

    internal SequenceTask Task => _options.Task;

    internal string LabelColumnName { get; }

    internal string FeatureColumnName { get; }

    internal int FeatureWidth { get; }

    private ScoringChain.Kind ScoringKind => Task switch
    {
        SequenceTask.BinaryClassification => ScoringChain.Kind.Binary,
        SequenceTask.MulticlassClassification => ScoringChain.Kind.Multiclass,
        _ => ScoringChain.Kind.Regression,
    };

    private string Name => $"{_options.Cell.ToString().ToUpperInvariant()} {_options.Task switch
    {
        SequenceTask.BinaryClassification => "binary classifier",
        SequenceTask.MulticlassClassification => "multiclass classifier",
        _ => "regressor",
    }}";

    public SequenceModelTransformer Fit(IDataView input)
    {
        ArgumentNullException.ThrowIfNull(input);
        var (model, skipped) = Train(input);
        return SequenceModelTransformer.Create(_transforms, ScoringKind, model, input, FeatureColumnName, "Score", skipped);
    }

    public SchemaShape GetOutputSchema(SchemaShape inputSchema)
    {
        ArgumentNullException.ThrowIfNull(inputSchema);
        var tokens = CheckInput(inputSchema);
        var vectorTarget = Task == SequenceTask.Regression && ColumnShape.Find(inputSchema, LabelColumnName)!.Value.IsVector;
        return ScoringChain.OutputSchema(_transforms, ScoringKind, tokens, inputSchema, FeatureColumnName, "Score", vectorTarget);
    }

    /// <summary>Checks the feature and label columns; true when the features are keys.</summary>
    internal bool CheckInput(SchemaShape inputSchema)
    {
        var tokens = SchemaCheck.Features(ColumnShape.Find(inputSchema, FeatureColumnName), FeatureColumnName, Task);
        SchemaCheck.Label(ColumnShape.Find(inputSchema, LabelColumnName), LabelColumnName, Task);
        return tokens;
    }

    /// <summary>Reads the columns and trains the network, logging to and cancelled by the MLContext.</summary>
    internal (SequenceModel Model, int SkippedRows) Train(IDataView input)
    {
        using var monitor = new TrainingMonitor(_host.Start("Training"), _progress, CatalogEnvironment.Cancellation(_environment, _host), Name);
        monitor.ThrowIfCanceled();
        var read = ColumnReader.Read(_transforms, input, Task, FeatureColumnName, LabelColumnName, FeatureWidth, _options.Text, monitor.ThrowIfCanceled);
        if (read.Data.Count == 0)
            throw new InvalidOperationException($"No usable training rows in '{FeatureColumnName}'/'{LabelColumnName}' ({read.SkippedRows} skipped: missing labels, empty sequences or non-finite values).");
        var options = _options with
        {
            VocabularySize = read.VocabularySize,
            ClassLabels = Task == SequenceTask.MulticlassClassification ? read.ClassLabels : null,
        };
        var reads = read.VocabularySize > 0 ? $"vocabulary {read.VocabularySize}" : $"{read.FeatureWidth} values per step";
        monitor.Info(string.Create(CultureInfo.InvariantCulture,
            $"{Name}: {read.Data.Count} sequences ({read.SkippedRows} skipped), {reads}, seed {options.Seed}, {options.Epochs} epochs"));
        var clock = Stopwatch.StartNew();
        SequenceModel model;
        try
        {
            model = new SequenceModelEstimator(options).Fit(read.Data, progress: monitor, cancellationToken: monitor.Token);
        }
        catch (OperationCanceledException e) when (monitor.Token.IsCancellationRequested)
        {
            throw monitor.Canceled(e);
        }
        if (monitor.IsCanceled)
        {
            // Cancelled during the last batch, which had no next batch to stop before.
            model.Dispose();
            throw monitor.Canceled();
        }
        if (read.VocabularySize > 0 && ColumnReader.FeatureKeyNames(input.Schema[FeatureColumnName]) is { } keyNames)
            model = model.WithSchema(model.Schema with { KeyNames = keyNames });   // so that its export can take raw text
        var restored = model.History.RestoredEpoch is { } epoch ? $", weights of epoch {epoch}" : "";
        monitor.Info(string.Create(CultureInfo.InvariantCulture, $"{Name}: trained in {clock.Elapsed.TotalSeconds:F1} s{restored}"));
        return (model, read.SkippedRows);
    }
}
