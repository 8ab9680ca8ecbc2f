using System.Globalization;
using System.Text;
using MlNetRnn.Persistence;

namespace MlNetRnn;

/// <summary>What happened in each epoch, in order: the numbers a caller plots (<see cref="SaveCsv"/> writes them as a
/// table; the MlNetRnn.Plotting assembly draws them).</summary>
public sealed class TrainingHistory
{
    private readonly List<EpochRecord> _epochs = [];

    public TrainingHistory()
    {
    }

    public TrainingHistory(IEnumerable<EpochRecord> epochs) => _epochs.AddRange(epochs);

    public IReadOnlyList<EpochRecord> Epochs => _epochs;

    /// <summary>The epoch (1-based) whose weights the model ended with, when the best weights were restored.</summary>
    public int? RestoredEpoch { get; internal set; }

    /// <summary>The <see cref="StopReason"/> of a run that early stopping ended.</summary>
    public const string EarlyStoppingReason = "early stopping";

    /// <summary>Why training ended: "completed", "early stopping", or "cancelled".</summary>
    public string StopReason { get; internal set; } = "completed";

    internal void Add(EpochRecord record) => _epochs.Add(record);

    /// <summary>
    /// The columns <see cref="WriteCsv"/> writes, in order: epoch, learning_rate, train_loss, then validation_loss and
    /// each validation metric that some epoch has (validation_accuracy, _precision, _recall, _f1, _auc, _macro_f1,
    /// _rmse, _mae, _perplexity), then seconds.
    /// </summary>
    public IReadOnlyList<string> CsvColumns => Columns().Select(c => c.Name).ToArray();

    /// <summary>
    /// Writes the history as CSV: a header row (<see cref="CsvColumns"/>), then one row per epoch; numbers in the
    /// invariant culture with round-trip precision, an empty field where an epoch has no such value.
    /// </summary>
    public void WriteCsv(TextWriter writer)
    {
        ArgumentNullException.ThrowIfNull(writer);
        var columns = Columns();
        writer.Write(string.Join(',', columns.Select(c => c.Name)));
        writer.Write('\n');
        foreach (var epoch in _epochs)
        {
            writer.Write(string.Join(',', columns.Select(c => c.Value(epoch))));
            writer.Write('\n');
        }
    }

    /// <summary>Writes <see cref="WriteCsv"/>'s table to a file (UTF-8, no byte-order mark), atomically.</summary>
    public void SaveCsv(string path) => AtomicFile.Write(path, stream =>
    {
        using var writer = new StreamWriter(stream, new UTF8Encoding(encoderShouldEmitUTF8Identifier: false), leaveOpen: true);
        WriteCsv(writer);
    });

    // Each column's name and its text for an epoch: the shortest text that reads back as the same number.
    private List<(string Name, Func<EpochRecord, string> Value)> Columns()
    {
        static string Text(double? value) => value?.ToString("R", CultureInfo.InvariantCulture) ?? "";
        var columns = new List<(string Name, Func<EpochRecord, string> Value)>
        {
            ("epoch", e => e.Epoch.ToString(CultureInfo.InvariantCulture)),
            ("learning_rate", e => e.LearningRate.ToString("R", CultureInfo.InvariantCulture)),
            ("train_loss", e => Text(e.TrainLoss)),
        };
        (string Name, Func<EvaluationMetrics, double?> Value)[] validation =
        [
            ("validation_loss", m => m.Loss),
            ("validation_accuracy", m => m.Accuracy),
            ("validation_precision", m => m.Precision),
            ("validation_recall", m => m.Recall),
            ("validation_f1", m => m.F1),
            ("validation_auc", m => m.Auc),
            ("validation_macro_f1", m => m.MacroF1),
            ("validation_rmse", m => m.Rmse),
            ("validation_mae", m => m.Mae),
            ("validation_perplexity", m => m.Perplexity),
        ];
        foreach (var (name, value) in validation)
        {
            if (_epochs.Any(e => e.Validation is { } m && value(m) is not null))
                columns.Add((name, e => Text(e.Validation is { } m ? value(m) : null)));
        }
        columns.Add(("seconds", e => Text(Math.Round(e.Duration.TotalSeconds, 3))));
        return columns;
    }
}

/// <summary>One epoch: its 1-based number, learning rate, mean training loss, validation metrics and duration.</summary>
public sealed record EpochRecord(int Epoch, float LearningRate, double TrainLoss, EvaluationMetrics? Validation, TimeSpan Duration)
{
    public override string ToString() =>
        $"epoch {Epoch}: lr {LearningRate:G3}, train loss {TrainLoss:F4}" +
        (Validation is null ? "" : $", validation {Validation}") + $" ({Duration.TotalSeconds:F1} s)";
}
