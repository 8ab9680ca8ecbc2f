using System.Diagnostics;
using MlNetRnn.Featurization;
using MlNetRnn.Kernels;
using MlNetRnn.Network;
using MlNetRnn.Network.Losses;
using MlNetRnn.Persistence;
using MlNetRnn.Training.Optimizers;

namespace MlNetRnn.Training;

/// <summary>
/// The training loop behind <c>SequenceModelEstimator.Fit</c>: schema and featurizer from the training data,
/// initialisation, epochs of shuffled length-bucketed batches (each cut into truncated-BPTT windows with
/// TruncatedBpttSteps; a language model's stream always is), the learning-rate schedule, clipping, the optimizer,
/// validation, early stopping with best-weight restore, checkpoints and resume.
/// </summary>
internal sealed class SequenceTrainer
{
    private readonly SequenceModelOptions _options;
    private readonly IProgress<TrainingProgress>? _progress;
    private readonly CancellationToken _cancellation;

    public SequenceTrainer(SequenceModelOptions options, IProgress<TrainingProgress>? progress, CancellationToken cancellation)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        _options = options;
        _progress = progress;
        _cancellation = cancellation;
    }

    /// <param name="start">A trained model to continue from (fine-tuning): its vocabulary, labels and weights are
    /// kept; the options must describe the same network.</param>
    public SequenceModel Fit(SequenceData train, SequenceData? validation, SequenceModel? start = null)
    {
        ArgumentNullException.ThrowIfNull(train);
        if (train.Count == 0)
            throw new ArgumentException("The training set is empty; it needs at least one sequence.", nameof(train));
        var o = _options;
        if (validation is null && o.ValidationFraction > 0f && o.Task != SequenceTask.LanguageModel)
        {
            (train, validation) = train.Split(o.ValidationFraction, o.Seed + 1);
            if (train.Count == 0 || validation.Count == 0)
                throw new ArgumentException($"ValidationFraction {o.ValidationFraction} leaves an empty part of {train.Count + validation.Count} sequences.", nameof(train));
        }
        if (validation is null && o.ValidationFraction > 0f && o.Task == SequenceTask.LanguageModel)
            (train, validation) = SplitText(train, o.ValidationFraction);
        if (validation is null && o.Schedule.Kind == LearningRateScheduleKind.ReduceOnPlateau)
            throw new ArgumentException("The ReduceOnPlateau schedule watches the validation loss: give a validation set or a ValidationFraction > 0.", nameof(validation));

        if (o.CheckpointPath is not null)
            AtomicFile.RemoveLeftovers(o.CheckpointPath);
        var checkpoint = o.CheckpointPath is not null && File.Exists(o.CheckpointPath) ? Checkpoint.Load(o.CheckpointPath) : null;
        SequenceModel model;
        if (checkpoint is not null)
        {
            CheckResumable(checkpoint.Model, o);
            model = new SequenceModel(checkpoint.Model.Schema, checkpoint.Model.Spec, checkpoint.Model.Parameters, o, checkpoint.Model.History);
        }
        else if (start is not null)
        {
            var spec = BuildSpec(start.Schema);
            if (spec != start.Spec)
                throw new ArgumentException($"The options describe a different network than the model to continue from: {spec} against {start.Spec}. Use the model's options (model.Options with the training settings changed).", nameof(start));
            var parameters = new ParameterSet(SequenceNetwork.Layout(spec));
            parameters.CopyValuesFrom(start.Parameters);
            model = new SequenceModel(start.Schema, spec, parameters, o);
        }
        else
        {
            model = CreateModel(train);
        }
        if (o.ClassWeights is { } weights && weights.Count != Math.Max(2, model.Spec.OutputSize) && model.Task != SequenceTask.Regression)
            throw new ArgumentException($"ClassWeights has {weights.Count} entries; the model has {model.Labels.Count} classes ({string.Join(", ", model.Labels)}).", nameof(o.ClassWeights));

        var kernel = KernelFactory.Create(o.Kernel, o.Threads);
        try
        {
            var network = new SequenceNetwork(model.Spec, kernel, model.Parameters);
            return model.Task == SequenceTask.LanguageModel
                ? Run(model, network, checkpoint, new LanguageModelData(model.Encoder.EncodeStream(train), validation is null ? null : model.Encoder.EncodeStream(validation)))
                : Run(model, network, checkpoint, new SequenceSetData(model.Encoder.Encode(train, requireTargets: true), validation is null ? null : model.Encoder.Encode(validation, requireTargets: true)));
        }
        finally
        {
            (kernel as IDisposable)?.Dispose();
        }
    }

    /// <summary>The untrained model the options describe for this training data: vocabulary, labels, network, and
    /// the weights initialised from the seed.</summary>
    internal SequenceModel CreateModel(SequenceData train)
    {
        var schema = BuildSchema(train);
        var spec = BuildSpec(schema);
        var parameters = new ParameterSet(SequenceNetwork.Layout(spec));
        Initializer.Initialize(spec, parameters, new SeededRandom((ulong)_options.Seed));
        return new SequenceModel(schema, spec, parameters, _options);
    }

    private SequenceModel Run(SequenceModel model, SequenceNetwork network, Checkpoint? checkpoint, ITrainingData data)
    {
        var o = _options;
        var parameters = model.Parameters;
        var loss = model.CreateLoss();
        IOptimizer optimizer = o.Optimizer == OptimizerKind.Adam
            ? new AdamOptimizer(parameters.Count, weightDecay: o.WeightDecay, kernel: network.Kernel)
            : new SgdOptimizer(parameters.Count, o.Momentum, o.Nesterov, network.Kernel);
        var averager = o.WeightAverageDecay > 0f ? new WeightAverager(optimizer, parameters.Count, o.WeightAverageDecay) : null;
        if (averager is not null)
            optimizer = averager;
        var scheduler = new LearningRateScheduler(o.Schedule, o.LearningRate);
        var random = new SeededRandom((ulong)o.Seed ^ 0x5DEECE66DUL);
        var history = model.History;
        var startEpoch = 0;
        double? bestLoss = null;
        var bestEpoch = 0;
        var sinceBest = 0;
        float[]? bestValues = null;
        if (checkpoint is not null)
        {
            var s = checkpoint.State;
            if (s.OptimizerKind != o.Optimizer)
                throw new InvalidOperationException($"The checkpoint at '{o.CheckpointPath}' was written by {s.OptimizerKind}; the options ask for {o.Optimizer}.");
            optimizer.Restore(s.OptimizerSteps, checkpoint.OptimizerState);
            scheduler.Plateau = s.Plateau;
            random.State = s.RandomState;
            startEpoch = s.CompletedEpochs;
            bestLoss = s.BestLoss;
            bestEpoch = s.BestEpoch;
            sinceBest = s.EpochsWithoutImprovement;
            bestValues = checkpoint.BestValues;
            if (s.Stopped)
                return Finish(model, bestValues, bestEpoch);
        }

        var clock = Stopwatch.StartNew();
        var batchesDone = 0L;
        var batchesTotal = (long)data.BatchesPerEpoch(o) * (o.Epochs - startEpoch);
        var step = new TrainingStep(network, loss, optimizer) { L2 = o.L2, ClipNorm = o.GradientClipNorm };
        for (var epoch = startEpoch; epoch < o.Epochs; epoch++)
        {
            var epochClock = Stopwatch.StartNew();
            // The epoch's first rate, for the history (a per-step schedule changes it within the epoch).
            var rate = scheduler.Rate(epoch, optimizer.Steps);
            var plan = data.Plan(o, random);
            var dropoutRandom = random.Fork();
            var total = new LossValue(0, 0);
            network.InitialStates = null;
            for (var i = 0; i < plan.Count; i++)
            {
                _cancellation.ThrowIfCancellationRequested();
                var batch = plan[i]();
                var value = o.TruncatedBpttSteps > 0
                    ? step.RunTruncated(batch, o.TruncatedBpttSteps, () => scheduler.Rate(epoch, optimizer.Steps), dropoutRandom)
                    : step.Run(batch, scheduler.Rate(epoch, optimizer.Steps), dropoutRandom);
                if (!double.IsFinite(value.Sum))
                {
                    throw new TrainingDivergedException(
                        $"The training loss became {value.Mean} at epoch {epoch + 1}, batch {i + 1} of {plan.Count}. " +
                        (o.CheckpointPath is null ? "" : $"The last good checkpoint ('{o.CheckpointPath}', after epoch {epoch}) is kept. ") +
                        "Lower the learning rate, clip gradients (GradientClipNorm) or check the inputs for extreme values.", epoch + 1, i + 1);
                }
                total += value;
                if (data.CarriesState)
                    network.InitialStates = network.FinalStates();
                batchesDone++;
                _progress?.Report(new TrainingProgress
                {
                    Epoch = epoch + 1,
                    Epochs = o.Epochs,
                    Batch = i + 1,
                    Batches = plan.Count,
                    Loss = total.Mean,
                    Elapsed = clock.Elapsed,
                    Remaining = TimeSpan.FromTicks((long)(clock.Elapsed.Ticks / (double)batchesDone * (batchesTotal - batchesDone))),
                });
            }
            network.InitialStates = null;

            // With weight averaging, validation (and the best weights) use the averaged weights.
            float[]? trained = null;
            if (averager is not null)
            {
                trained = (float[])parameters.Values.Clone();
                averager.Average.CopyTo(parameters.Values);
            }
            var validationMetrics = data.Evaluate(model, network, loss, o);
            scheduler.EndEpoch(epoch, validationMetrics?.Loss);
            var record = new EpochRecord(epoch + 1, rate, total.Mean, validationMetrics, epochClock.Elapsed);
            history.Add(record);
            var stop = false;
            if (validationMetrics is not null)
            {
                if (bestLoss is null || validationMetrics.Loss < bestLoss)
                {
                    bestLoss = validationMetrics.Loss;
                    bestEpoch = epoch + 1;
                    sinceBest = 0;
                    if (o.RestoreBestWeights)
                        bestValues = averager is not null ? (float[])averager.Average.ToArray() : (float[])parameters.Values.Clone();
                }
                else
                {
                    sinceBest++;
                    stop = o.EarlyStoppingPatience > 0 && sinceBest >= o.EarlyStoppingPatience;
                }
            }
            if (trained is not null)
                trained.CopyTo(parameters.Values, 0);
            if (stop)
                history.StopReason = TrainingHistory.EarlyStoppingReason;
            if (o.CheckpointPath is not null)
            {
                Checkpoint.Save(o.CheckpointPath, model, optimizer, new CheckpointState
                {
                    CompletedEpochs = epoch + 1,
                    RandomState = random.State,
                    OptimizerKind = o.Optimizer,
                    OptimizerSteps = optimizer.Steps,
                    BestLoss = bestLoss,
                    BestEpoch = bestEpoch,
                    EpochsWithoutImprovement = sinceBest,
                    Stopped = stop,
                    Plateau = scheduler.Plateau,
                }, bestValues);
            }
            _progress?.Report(new TrainingProgress
            {
                Epoch = epoch + 1,
                Epochs = o.Epochs,
                Batch = plan.Count,
                Batches = plan.Count,
                Loss = total.Mean,
                Elapsed = clock.Elapsed,
                Remaining = TimeSpan.FromTicks((long)(clock.Elapsed.Ticks / (double)Math.Max(1, batchesDone) * (batchesTotal - batchesDone))),
                Completed = record,
            });
            if (stop)
                break;
        }
        if (averager is not null && !(o.RestoreBestWeights && bestValues is not null))
            averager.Average.CopyTo(parameters.Values);
        return Finish(model, bestValues, bestEpoch);
    }

    private SequenceModel Finish(SequenceModel model, float[]? bestValues, int bestEpoch)
    {
        if (_options.RestoreBestWeights && bestValues is not null)
        {
            bestValues.CopyTo(model.Parameters.Values, 0);
            model.History.RestoredEpoch = bestEpoch;
        }
        return model;
    }

    private SequenceModelSchema BuildSchema(SequenceData train)
    {
        var o = _options;
        TextFeaturizer? featurizer = null;
        var vocabulary = 0;
        switch (train.InputKind)
        {
            case SequenceInputKindOfData.Text:
                // Per-step text tasks read every token: a language model's stream, and targets per word or token.
                var perStep = o.Task is SequenceTask.LanguageModel or SequenceTask.Tagging || (o.Task == SequenceTask.Regression && train.ValuesPerStep);
                var textOptions = perStep ? o.Text with { MaxLength = 0 } : o.Text;
                if (perStep && o.Task != SequenceTask.LanguageModel && o.Text.StepAlignment == StepAlignment.Words && o.Text.Tokenizer != TokenizerKind.Words)
                    throw new ArgumentException($"Text.StepAlignment Words gives a target per white-space word, which needs the Words tokenizer; with the {o.Text.Tokenizer} tokenizer give one per token (StepAlignment.Tokens).", nameof(o.Text));
                featurizer = TextFeaturizer.Fit(train.Texts!, textOptions);
                vocabulary = featurizer.Vocabulary.Count;
                break;
            case SequenceInputKindOfData.TokenIds:
                vocabulary = o.VocabularySize > 0 ? o.VocabularySize : train.TokenIds!.SelectMany(t => t).DefaultIfEmpty(0).Max() + 1;
                break;
        }
        if (o.Task == SequenceTask.LanguageModel && featurizer is null)
            throw new ArgumentException("A language model trains on text (SequenceData.FromTexts).", nameof(train));

        IReadOnlyList<string> labels = [];
        var valueCount = 0;
        switch (o.Task)
        {
            case SequenceTask.BinaryClassification:
            {
                var distinct = RequireLabels(train).Distinct(StringComparer.Ordinal).ToList();
                if (distinct.Count == 1)
                    throw new ArgumentException($"Every training label is '{distinct[0]}'; binary classification needs two classes.", nameof(train));
                if (distinct.Count > 2)
                    throw new ArgumentException($"Binary classification needs two labels; the training data has {distinct.Count} ({string.Join(", ", distinct.Take(10))}). Use MulticlassClassification.", nameof(train));
                if (!distinct.Contains(o.PositiveLabel))
                    throw new ArgumentException($"The positive label '{o.PositiveLabel}' (PositiveLabel) is not one of the training labels ({string.Join(", ", distinct)}).", nameof(train));
                labels = [distinct.Single(l => l != o.PositiveLabel), o.PositiveLabel];
                break;
            }
            case SequenceTask.MulticlassClassification:
            {
                var distinct = RequireLabels(train).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList();
                if (distinct.Count < 2 && o.ClassLabels is null)
                    throw new ArgumentException($"Every training label is '{distinct[0]}'; classification needs at least two classes.", nameof(train));
                labels = WithClassOrder(distinct);
                break;
            }
            case SequenceTask.Tagging:
            {
                var steps = train.StepLabels ?? throw new ArgumentException("Tagging needs a label per step (SequenceData.ForTagging).", nameof(train));
                var distinct = steps.SelectMany(s => s).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList();
                RequireNoReservedLabel(distinct, nameof(train));
                if (distinct.Count < 2 && o.ClassLabels is null)
                    throw new ArgumentException("Tagging needs at least two distinct step labels.", nameof(train));
                labels = WithClassOrder(distinct);
                break;
            }
            case SequenceTask.Regression:
            {
                var values = train.Values ?? throw new ArgumentException("Regression needs target values (SequenceData.ForRegression).", nameof(train));
                valueCount = !train.ValuesPerStep ? values[0].Length
                    : featurizer is null ? values[0].Length / Math.Max(1, train.RawLength(0))
                    : ValuesPerTextStep(featurizer, train.Texts!, values);
                if (valueCount <= 0)
                    throw new ArgumentException("Regression targets must hold at least one value.", nameof(train));
                break;
            }
        }
        return new SequenceModelSchema
        {
            Task = o.Task,
            Input = train.InputKind,
            FeatureWidth = train.FeatureWidth,
            VocabularySize = vocabulary,
            Featurizer = featurizer,
            Labels = labels,
            ValueCount = valueCount,
            ValuesPerStep = train.ValuesPerStep,
        };
    }

    private SequenceNetworkSpec BuildSpec(SequenceModelSchema schema)
    {
        var o = _options;
        var perStep = o.Task is SequenceTask.Tagging or SequenceTask.LanguageModel || (o.Task == SequenceTask.Regression && schema.ValuesPerStep);
        var spec = new SequenceNetworkSpec
        {
            Task = o.Task,
            InputKind = schema.Input == SequenceInputKindOfData.Dense ? SequenceInputKind.Dense : SequenceInputKind.Tokens,
            InputWidth = schema.Input == SequenceInputKindOfData.Dense ? schema.FeatureWidth : schema.VocabularySize,
            EmbeddingSize = o.EmbeddingSize,
            Cell = o.Cell,
            HiddenSize = o.HiddenSize,
            Layers = o.Layers,
            Bidirectional = o.Bidirectional,
            LinearBeforeReset = o.LinearBeforeReset,
            Peepholes = o.Peepholes,
            RnnActivation = o.RnnActivation,
            Dropout = o.Dropout,
            ReadOut = perStep ? ReadOutKind.AllSteps : o.ReadOut,
            OutputSize = o.Task switch
            {
                SequenceTask.BinaryClassification => 1,
                SequenceTask.Regression => schema.ValueCount,
                SequenceTask.LanguageModel => schema.VocabularySize,
                _ => schema.Labels.Count,
            },
        };
        if (o.Task == SequenceTask.LanguageModel && o.Bidirectional)
            throw new ArgumentException("A language model predicts the next token and cannot read ahead: Bidirectional must be false.", nameof(o.Bidirectional));
        spec.Validate();
        return spec;
    }

    // K of per-step regression on text: the first text with a target step has K values per step.
    private static int ValuesPerTextStep(TextFeaturizer featurizer, IReadOnlyList<string> texts, IReadOnlyList<float[]> values)
    {
        for (var i = 0; i < texts.Count; i++)
        {
            var steps = featurizer.Options.StepAlignment == StepAlignment.Words ? featurizer.EncodeWords(texts[i], i).Steps.Length : featurizer.Encode(texts[i]).Length;
            if (steps > 0)
                return values[i].Length / steps;
        }
        throw new ArgumentException($"No text has a {featurizer.Options.StepAlignment switch { StepAlignment.Words => "word", _ => "token" }}, so there are no per-step targets to learn.", "train");
    }

    // The classes in output order: ClassLabels when given (every training label must be among them), else as found.
    private IReadOnlyList<string> WithClassOrder(List<string> found)
    {
        if (_options.ClassLabels is not { } classes)
            return found;
        var unknown = found.FirstOrDefault(l => !classes.Contains(l));
        if (unknown is not null)
            throw new ArgumentException($"Training label '{unknown}' is not among ClassLabels ({string.Join(", ", classes.Take(20))}).", nameof(SequenceModelOptions.ClassLabels));
        return [.. classes];
    }

    private static IReadOnlyList<string> RequireLabels(SequenceData train)
    {
        var labels = train.Labels ?? throw new ArgumentException("Classification needs a label per sequence.", nameof(train));
        RequireNoReservedLabel(labels, nameof(train));
        return labels;
    }

    // A model file refuses a class named like a reserved vocabulary token, so training refuses it too.
    private static void RequireNoReservedLabel(IEnumerable<string> labels, string parameterName)
    {
        var reserved = labels.FirstOrDefault(SequenceModelOptions.IsReservedLabel);
        if (reserved is not null)
            throw new ArgumentException($"The label '{reserved}' is a reserved token of the vocabulary; name the class otherwise.", parameterName);
    }

    private void CheckResumable(SequenceModel saved, SequenceModelOptions o)
    {
        // What shapes the network, the data, the batches or the optimizer state must match. The schedule of the run may
        // change (epochs, learning rate, clipping, decay, early stopping, threads, kernel): a resumed run with the same
        // options continues exactly as if it had not stopped; with changed ones it continues from the same state.
        var s = saved.Options;
        var comparable = o with
        {
            Epochs = s.Epochs, Threads = s.Threads, CheckpointPath = s.CheckpointPath, Kernel = s.Kernel,
            LearningRate = s.LearningRate, Schedule = s.Schedule, GradientClipNorm = s.GradientClipNorm,
            WeightDecay = s.WeightDecay, L2 = s.L2, EarlyStoppingPatience = s.EarlyStoppingPatience,
            RestoreBestWeights = s.RestoreBestWeights,
        };
        if (!OptionsEquivalent(comparable, s))
            throw new InvalidOperationException(
                $"The checkpoint at '{o.CheckpointPath}' was written with different options. Only the epochs, learning rate, schedule, " +
                "clipping, weight decay, L2, early stopping, threads and kernel may change on resume; delete the checkpoint to start over.");
    }

    private static bool OptionsEquivalent(SequenceModelOptions a, SequenceModelOptions b) =>
        Persistence.ModelArchive.Serialize(a) == Persistence.ModelArchive.Serialize(b);

    private static (SequenceData Train, SequenceData Validation) SplitText(SequenceData data, float fraction)
    {
        // A language model validates on the end of the text: a contiguous tail, not shuffled pieces.
        var text = string.Join("\n", data.Texts ?? throw new ArgumentException("A language model trains on text.", nameof(data)));
        var cut = (int)(text.Length * (1 - fraction));
        return (SequenceData.FromTexts([text[..cut]]), SequenceData.FromTexts([text[cut..]]));
    }
}
