using Spectre.Console;

namespace MlNetRnn.Cli.Progress;

/// <summary>
/// Shows a training run: on a terminal, a progress bar with the epoch, running loss, elapsed time and the time left
/// (Spectre.Console), with each finished epoch's line above it; otherwise one plain line per epoch, so that a log or a
/// pipe gets no escape codes. <see cref="Quiet"/> shows nothing.
/// </summary>
internal sealed class TrainingProgressView(CliContext context, bool quiet)
{
    public bool Quiet { get; } = quiet;

    /// <summary>Runs <paramref name="body"/> (the training) with a progress sink that draws, and calls
    /// <paramref name="onEpoch"/> after each epoch.</summary>
    public T Run<T>(Action<EpochRecord> onEpoch, Func<IProgress<TrainingProgress>, T> body)
    {
        if (Quiet)
            return body(new Sink(null, onEpoch));
        if (!context.Interactive)
        {
            var lines = new ConsoleTrainingProgress(context.Out);
            return body(new Sink(lines.Report, onEpoch));
        }
        var console = AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(context.Out) });
        return console.Progress()
            .AutoClear(true)
            .Columns(new TaskDescriptionColumn { Alignment = Justify.Left }, new ProgressBarColumn(), new PercentageColumn(),
                new ElapsedTimeColumn(), new RemainingTimeColumn(), new SpinnerColumn())
            .Start(progress =>
            {
                var task = progress.AddTask("starting", autoStart: true);
                var done = 0L;
                long? total = null;
                void Draw(TrainingProgress p)
                {
                    // The batches of this run (a resumed run starts at its first remaining epoch).
                    total ??= (long)p.Batches * (p.Epochs - p.Epoch + 1);
                    task.MaxValue = total.Value;
                    if (p.Completed is { } epoch)
                    {
                        console.MarkupLine(Markup.Escape($"  {epoch}"));
                        return;
                    }
                    done++;
                    task.Value = Math.Min(done, total.Value);
                    task.Description = Markup.Escape($"epoch {p.Epoch}/{p.Epochs}  batch {p.Batch}/{p.Batches}  loss {p.Loss:F4}");
                }
                var result = body(new Sink(Draw, onEpoch));
                task.Value = task.MaxValue;
                return result;
            });
    }

    private sealed class Sink(Action<TrainingProgress>? draw, Action<EpochRecord> onEpoch) : IProgress<TrainingProgress>
    {
        public void Report(TrainingProgress value)
        {
            draw?.Invoke(value);
            if (value.Completed is { } epoch)
                onEpoch(epoch);
        }
    }
}
