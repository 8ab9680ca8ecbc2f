using System.Diagnostics;

namespace MlNetRnn;

/// <summary>
/// Shows training progress on a console: one line per epoch, redrawn in place (at most 4 times a second) with the
/// batch, running loss and the estimated time left, then the epoch's summary with its validation metrics.
/// </summary>
public sealed class ConsoleTrainingProgress : IProgress<TrainingProgress>
{
    private readonly TextWriter _writer;
    private readonly bool _redraw;
    private readonly Stopwatch _sinceDraw = Stopwatch.StartNew();

    /// <param name="writer">Where to write; the console by default.</param>
    public ConsoleTrainingProgress(TextWriter? writer = null)
    {
        _writer = writer ?? Console.Out;
        // Redrawing with '\r' only makes sense on a terminal; redirected output gets the epoch lines only.
        _redraw = writer is null && !Console.IsOutputRedirected;
    }

    public void Report(TrainingProgress value)
    {
        ArgumentNullException.ThrowIfNull(value);
        if (value.Completed is { } epoch)
        {
            if (_redraw)
                _writer.Write("\r" + new string(' ', Math.Max(0, Console.WindowWidth - 1)) + "\r");
            _writer.WriteLine($"  {epoch} | elapsed {Format(value.Elapsed)}, left {Format(value.Remaining)}");
            return;
        }
        if (!_redraw || (_sinceDraw.ElapsedMilliseconds < 250 && value.Batch != value.Batches))
            return;
        _sinceDraw.Restart();
        var width = 24;
        var done = (int)((long)width * value.Batch / Math.Max(1, value.Batches));
        _writer.Write($"\r  epoch {value.Epoch}/{value.Epochs} [{new string('#', done)}{new string('.', width - done)}] " +
                      $"{value.Batch}/{value.Batches} loss {value.Loss:F4} | elapsed {Format(value.Elapsed)}, left {Format(value.Remaining)}   ");
    }

    private static string Format(TimeSpan t) => t.TotalHours >= 1 ? t.ToString(@"h\:mm\:ss") : t.ToString(@"m\:ss");
}
