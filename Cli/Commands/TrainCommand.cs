using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using MlNetRnn.Cli.Data;
using MlNetRnn.Cli.Progress;
using MlNetRnn.Network;
using MlNetRnn.Plotting;

namespace MlNetRnn.Cli.Commands;

/// <summary>
/// `mlnetrnn train --data FILE --task TASK --model OUT.mlnr [options]`: trains a model on a CSV, TSV, JSON-lines or text
/// file and writes the model, its history (OUT.history.csv) and its training curve (OUT.history.png). With --checkpoint
/// a run that is stopped resumes where it stopped when the same command runs again.
/// </summary>
internal static class TrainCommand
{
    public static Command Create(CliContext context)
    {
        var defaults = new SequenceModelOptions();
        var text = new TextFeaturizerOptions();
        var data = new Option<string>("--data") { Description = "The training rows: a CSV, TSV, JSON-lines or text file (one row per line).", Required = true };
        var validationData = new Option<string?>("--validation-data") { Description = "Validation rows in the same layout (default: --validation-fraction of --data, or none)." };
        var format = CommonOptions.Format();
        var model = new Option<string>("--model")
        {
            Description = "Where to write the trained model (.mlnr). Its history (NAME.history.csv) and training curve (NAME.history.png) are written next to it.",
            Required = true,
        };
        var task = new Option<string>("--task") { Description = "What the model predicts: binary, multiclass, regression, tagging (a label per step) or lm (the next token of a text).", Required = true };
        task.AcceptOnlyFromAmong("binary", "multiclass", "regression", "tagging", "lm");
        var columns = new ColumnOptions();
        var perStep = new Option<bool>("--per-step") { Description = "Regression: the targets are K values per step (T*K in all) rather than K per sequence." };
        var positive = new Option<string?>("--positive-label") { Description = "Binary: the positive class (default: True, true, 1, yes, spam or positive, when the labels are such a pair)." };
        var cell = CommonOptions.OneOf("--cell", "The recurrent cell", "gru", "gru", "lstm", "rnn");
        var hidden = Int("--hidden-size", "Units per direction", defaults.HiddenSize, 1, 1 << 16);
        var layers = Int("--layers", "Stacked recurrent layers", defaults.Layers, 1, 64);
        var bidirectional = new Option<bool>("--bidirectional") { Description = "Read each sequence both ways (not for lm)." };
        var embedding = Int("--embedding-size", "Embedding size for text and token input", defaults.EmbeddingSize, 1, 1 << 16);
        var readOut = CommonOptions.OneOf("--read-out", "How a sequence becomes one vector: the last state, or the max or mean over the steps (tagging and lm read every step)", "last", "last", "max", "mean");
        var epochs = Int("--epochs", "Passes over the training data", defaults.Epochs, 1, 1_000_000);
        var batch = Int("--batch-size", "Sequences per batch (lm: parallel streams)", defaults.BatchSize, 1, 1 << 20);
        var learningRate = Float("--learning-rate", "The step size", defaults.LearningRate, 0f, 10f, includeMin: false);
        var optimizer = CommonOptions.OneOf("--optimizer", "The update rule", "adam", "adam", "sgd");
        var dropout = Float("--dropout", "Dropout between stacked layers and before the head", defaults.Dropout, 0f, 1f);
        var clip = Float("--clip-norm", "Clip the gradient norm to this (0: no clipping)", defaults.GradientClipNorm, 0f, float.PositiveInfinity);
        var maxLength = Int("--max-length", "Text: tokens kept per text, 0 for no limit", text.MaxLength, 0, int.MaxValue);
        var tokenizer = CommonOptions.OneOf("--tokenizer", "Text: words (with punctuation as tokens) or chars", "words", "words", "chars");
        var minCount = Int("--min-count", "Text: a token seen fewer times is unknown (chars: 1 unless given)", text.MinCount, 1, int.MaxValue);
        var maxVocabulary = Int("--max-vocabulary", "Text: the most frequent tokens kept", text.MaxVocabularySize, 3, int.MaxValue);
        var vocabularySize = Int("--vocabulary-size", "Token ids: ids 0 .. N-1 (0: the largest id in the data plus one)", 0, 0, int.MaxValue);
        var bptt = Int("--bptt-length", "lm: steps per truncated-backpropagation window", defaults.BpttLength, 1, 1 << 20);
        var tbptt = Int("--tbptt-steps", "Truncated backpropagation through time for every task but lm: train each batch in windows of this many steps, the state carried across them (0: whole sequences; not with --bidirectional)", 0, 0, 1 << 20);
        var peepholes = new Option<bool>("--peepholes") { Description = "LSTM: peephole connections from the cell state to the gates (exported as the ONNX LSTM's P)." };
        var schedule = CommonOptions.OneOf("--schedule", "The learning rate over the epochs: constant, cosine (decay to 0 over --epochs), restarts (cosine restarting every 10 epochs, cycles doubling) or plateau (x0.1 after 3 epochs without a lower validation loss; needs validation data)", "constant", "constant", "cosine", "restarts", "plateau");
        var warmup = Int("--warmup-epochs", "Raise the learning rate linearly from a tenth over this many epochs before the schedule (0: none)", 0, 0, 1_000_000);
        var validationFraction = Float("--validation-fraction", "Hold this fraction of --data out for validation (stratified by label; lm: the end of the text)", 0f, 0f, 1f);
        var patience = Int("--patience", "Stop after this many epochs without a lower validation loss (0: never)", 0, 0, int.MaxValue);
        var seed = Int("--seed", "Seeds initialisation, shuffling, dropout and the validation split", defaults.Seed, int.MinValue, int.MaxValue);
        var threads = CommonOptions.Threads($"Kernel threads, 1 to {CommonOptions.MaxThreads} (default: the cores); at 1 thread a seed reproduces a run bit for bit.", Environment.ProcessorCount);
        var checkpoint = new Option<string?>("--checkpoint") { Description = "Write a checkpoint here after every epoch; when it exists, the run resumes from it (the same command continues a stopped run)." };
        var quiet = new Option<bool>("--quiet") { Description = "No progress and no epoch lines; only the summary." };

        var command = new Command("train", "Train a model on a data file; writes the model (.mlnr), its history (.history.csv) and its training curve (.history.png).")
        {
            data, validationData, format, model, task, perStep, positive, cell, hidden, layers, bidirectional, embedding, readOut, epochs, batch,
            learningRate, optimizer, schedule, warmup, dropout, clip, maxLength, tokenizer, minCount, maxVocabulary, vocabularySize, bptt, tbptt, peepholes, validationFraction,
            patience, seed, threads, checkpoint, quiet,
        };
        foreach (var option in columns.All(withTarget: true))
            command.Add(option);
        command.SetAction((result, cancellation) => Task.FromResult(Run(context, result, cancellation)));
        return command;

        int Run(CliContext context, ParseResult r, CancellationToken cancellation)
        {
            var taskKind = ParseTask(r.GetValue(task)!);
            var dataPath = CommonOptions.ExistingFile(r.GetValue(data)!, "data file");
            var validationPath = r.GetValue(validationData) is { } v ? CommonOptions.ExistingFile(v, "validation data file") : null;
            var modelPath = r.GetValue(model)!;
            var dataColumns = columns.Read(r, withTarget: true);
            var characters = r.GetValue(tokenizer) == "chars";
            var options = new SequenceModelOptions
            {
                Task = taskKind,
                Text = text with
                {
                    Tokenizer = characters ? TokenizerKind.Characters : TokenizerKind.Words,
                    // Characters keep their case and every character counts (a character LM).
                    Lowercase = !characters,
                    MaxLength = r.GetValue(maxLength),
                    // Every character of a corpus counts unless --min-count says otherwise.
                    MinCount = characters && r.GetResult(minCount) is null or { Implicit: true } ? 1 : r.GetValue(minCount),
                    MaxVocabularySize = r.GetValue(maxVocabulary),
                },
                VocabularySize = r.GetValue(vocabularySize),
                EmbeddingSize = r.GetValue(embedding),
                Cell = r.GetValue(cell) switch { "lstm" => RecurrentCell.Lstm, "rnn" => RecurrentCell.Rnn, _ => RecurrentCell.Gru },
                HiddenSize = r.GetValue(hidden),
                Layers = r.GetValue(layers),
                Bidirectional = r.GetValue(bidirectional),
                Dropout = r.GetValue(dropout),
                ReadOut = r.GetValue(readOut) switch { "max" => ReadOutKind.MaxPool, "mean" => ReadOutKind.MeanPool, _ => ReadOutKind.LastState },
                Optimizer = r.GetValue(optimizer) == "sgd" ? OptimizerKind.Sgd : OptimizerKind.Adam,
                LearningRate = r.GetValue(learningRate),
                GradientClipNorm = r.GetValue(clip),
                BatchSize = r.GetValue(batch),
                Epochs = r.GetValue(epochs),
                BpttLength = r.GetValue(bptt),
                TruncatedBpttSteps = r.GetValue(tbptt),
                Peepholes = r.GetValue(peepholes),
                Schedule = Schedule(r.GetValue(schedule)!, r.GetValue(epochs)).WithWarmup(r.GetValue(warmup)),
                ValidationFraction = validationPath is null ? r.GetValue(validationFraction) : 0f,
                EarlyStoppingPatience = r.GetValue(patience),
                Seed = r.GetValue(seed),
                Threads = r.GetValue(threads),
                CheckpointPath = r.GetValue(checkpoint) is { } c ? Path.GetFullPath(c) : null,
            };
            if (validationPath is not null && r.GetResult(validationFraction) is { Implicit: false })
                throw new ArgumentException("Give --validation-data or --validation-fraction, not both.");
            if (r.GetValue(positive) is not null && taskKind != SequenceTask.BinaryClassification)
                throw new ArgumentException("--positive-label applies to --task binary only.");

            var fileFormat = TableFormats.Of(dataPath, r.GetValue(format));
            var clock = Stopwatch.StartNew();
            var train = Read(dataPath, fileFormat);
            var validation = validationPath is null ? null : Read(validationPath, TableFormats.Of(validationPath, r.GetValue(format)));
            if (taskKind == SequenceTask.BinaryClassification)
                options = options with { PositiveLabel = PositiveLabel(train.Data.Labels!, r.GetValue(positive)) };
            options.Validate();

            var quietRun = r.GetValue(quiet);
            var output = context.Out;
            if (!quietRun)
            {
                output.WriteLine($"data: {dataPath}: {train.Data.Count:N0} rows, {train.DescribeColumns()} (read in {clock.Elapsed.TotalSeconds:F1} s)");
                output.WriteLine(validation is not null ? $"validation: {validationPath}: {validation.Data.Count:N0} rows"
                    : options.ValidationFraction > 0 ? $"validation: {options.ValidationFraction:P0} of the rows held out" : "validation: none (--validation-fraction or --validation-data adds it)");
                if (taskKind is SequenceTask.BinaryClassification or SequenceTask.MulticlassClassification)
                {
                    var classes = train.Data.Labels!.Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToArray();
                    output.WriteLine($"classes: {string.Join(", ", classes.Take(20))}{(classes.Length > 20 ? $", ... ({classes.Length} in all)" : "")}" +
                                     (taskKind == SequenceTask.BinaryClassification ? $" (positive: {options.PositiveLabel})" : ""));
                }
                output.WriteLine($"network: {Network(options)}; {options.Epochs} epochs of batches of {options.BatchSize}, {options.Optimizer} learning rate {options.LearningRate.ToString(CultureInfo.InvariantCulture)}, {options.Threads} thread(s)");
            }
            var historyPath = Path.ChangeExtension(modelPath, null) + ".history.csv";
            var curvePath = Path.ChangeExtension(modelPath, null) + ".history.png";
            var previous = new List<EpochRecord>();
            if (options.CheckpointPath is { } checkpointPath && File.Exists(checkpointPath))
            {
                using var saved = SequenceModel.Load(checkpointPath);
                previous.AddRange(saved.History.Epochs);
                if (!quietRun)
                    output.WriteLine($"resuming from {checkpointPath}: {previous.Count} of {options.Epochs} epochs done");
            }

            // The history so far is written after every epoch (the picture at most every 10 s), so a stopped run leaves its curve.
            var sincePicture = Stopwatch.StartNew();
            void OnEpoch(EpochRecord record)
            {
                previous.Add(record);
                var soFar = new TrainingHistory(previous);
                soFar.SaveCsv(historyPath);
                if (sincePicture.Elapsed.TotalSeconds >= 10)
                {
                    TrainingCurve.Save(soFar, curvePath, new TrainingCurveOptions { Title = $"{Network(options)}: {r.GetValue(task)} (after epoch {record.Epoch})" });
                    sincePicture.Restart();
                }
            }

            SequenceModel trained;
            try
            {
                trained = new TrainingProgressView(context, quietRun).Run(OnEpoch, progress =>
                    new SequenceModelEstimator(options).Fit(train.Data, validation?.Data, progress, cancellation));
            }
            catch (OperationCanceledException)
            {
                context.Error.WriteLine(options.CheckpointPath is null
                    ? $"mlnetrnn: train interrupted after {previous.Count} epoch(s); nothing was saved (--checkpoint FILE makes a run resumable)."
                    : $"mlnetrnn: train interrupted after {previous.Count} epoch(s); {options.CheckpointPath} holds them: run the same command to resume.");
                return ExitCodes.Interrupted;
            }
            using (trained)
            {
                trained.Save(modelPath);
                trained.History.SaveCsv(historyPath);
                TrainingCurve.Save(trained, curvePath);
                var history = trained.History;
                output.WriteLine($"model: {modelPath} ({ModelFiles.Size(modelPath)}, {trained.Parameters.Count:N0} parameters); " +
                                 $"history: {historyPath}; curve: {curvePath}");
                var last = history.Epochs[^1];
                output.WriteLine($"{history.Epochs.Count} epochs ({history.StopReason}) in {clock.Elapsed.TotalSeconds:F1} s; last: train loss {last.TrainLoss.ToString("F4", CultureInfo.InvariantCulture)}" +
                                 (last.Validation is { } m ? $", validation {m}" : ""));
                if (history.RestoredEpoch is { } best)
                    output.WriteLine($"the model keeps the weights of epoch {best} (lowest validation loss: {history.Epochs[best - history.Epochs[0].Epoch].Validation!})");
            }
            return ExitCodes.Success;

            LabelledData Read(string path, TableFormat tableFormat)
            {
                var read = LabelledDataReader.Read(path, tableFormat, taskKind, dataColumns, model: null, r.GetValue(perStep));
                // A language model reads its rows as one text; a character model keeps the line breaks between them.
                return taskKind == SequenceTask.LanguageModel && characters ? LabelledDataReader.AsCharacterCorpus(read) : read;
            }
        }
    }

    public static SequenceTask ParseTask(string name) => name switch
    {
        "binary" => SequenceTask.BinaryClassification,
        "multiclass" => SequenceTask.MulticlassClassification,
        "regression" => SequenceTask.Regression,
        "tagging" => SequenceTask.Tagging,
        _ => SequenceTask.LanguageModel,
    };

    /// <summary>The positive class: the one given, else the obvious one of a pair like True/False or spam/ham.</summary>
    private static string PositiveLabel(IReadOnlyList<string> labels, string? given)
    {
        var distinct = labels.Distinct(StringComparer.Ordinal).ToArray();
        if (given is not null)
            return distinct.Contains(given) ? given : throw new ArgumentException($"--positive-label '{given}' is not one of the labels ({string.Join(", ", distinct.Take(10))}).");
        if (distinct.Length != 2)
            return new SequenceModelOptions().PositiveLabel;   // the library names the problem (one class, or more than two)
        (string Positive, string Negative)[] pairs = [("true", "false"), ("1", "0"), ("yes", "no"), ("spam", "ham"), ("positive", "negative"), ("pos", "neg")];
        foreach (var (p, n) in pairs)
        {
            var positive = distinct.FirstOrDefault(l => l.Equals(p, StringComparison.OrdinalIgnoreCase));
            if (positive is not null && distinct.Any(l => l.Equals(n, StringComparison.OrdinalIgnoreCase)))
                return positive;
        }
        throw new ArgumentException($"Binary classification: name the positive class with --positive-label (the labels are {distinct[0]} and {distinct[1]}).");
    }

    private static string Network(SequenceModelOptions o) =>
        $"{o.Cell.ToString().ToUpperInvariant()} {o.HiddenSize} units" + (o.Layers > 1 ? $" x {o.Layers} layers" : "") + (o.Bidirectional ? ", bidirectional" : "");

    private static LearningRateSchedule Schedule(string name, int epochs) => name switch
    {
        "cosine" => LearningRateSchedule.Cosine(epochs),
        "restarts" => LearningRateSchedule.CosineWithRestarts(10, cycleMultiplier: 2),
        "plateau" => LearningRateSchedule.ReduceOnPlateau(factor: 0.1f, patience: 3),
        _ => LearningRateSchedule.Constant,
    };

    private static Option<int> Int(string name, string description, int defaultValue, int min, int max) =>
        CommonOptions.InRange(new Option<int>(name) { Description = $"{description}.", DefaultValueFactory = _ => defaultValue }, min, max);

    private static Option<float> Float(string name, string description, float defaultValue, float min, float max, bool includeMin = true) =>
        CommonOptions.InRange(new Option<float>(name)
        {
            Description = $"{description}.", DefaultValueFactory = _ => defaultValue,
        }, min, max, includeMin);
}
