using System.Globalization;
using MlNetRnn.Network;
using MlNetRnn.Persistence;
using ScottPlot;
using ScottPlot.TickGenerators;
using SkiaSharp;

namespace MlNetRnn.Plotting;

/// <summary>
/// Draws a <see cref="TrainingHistory"/> as a PNG: the loss per epoch for training and validation (markers at every
/// epoch, a log axis when the loss spans a wide range), and below it the validation metrics of the task (accuracy,
/// F1 and AUC in percent; RMSE and MAE in target units; perplexity), with the epoch whose weights were restored marked.
/// </summary>
public static class TrainingCurve
{
    /// <summary>The loss axis turns logarithmic (by default) when the largest loss is this many times the smallest.</summary>
    public const double LogScaleRatio = 8;

    private static readonly Color TrainColor = Color.FromHex("#1f77b4");
    private static readonly Color ValidationColor = Color.FromHex("#ff7f0e");
    private static readonly Color[] MetricColors = [Color.FromHex("#2ca02c"), Color.FromHex("#d62728"), Color.FromHex("#9467bd")];
    private static readonly Color RestoredColor = Color.FromHex("#7f7f7f");

    // A sans-serif family this machine has (ScottPlot's own guess, Fonts.Sans, can land on a serif face where fontconfig
    // is absent); the labels need some font installed, e.g. Debian's fonts-dejavu-core.
    private static readonly Lazy<string> SansFont = new(() =>
        new[] { "DejaVu Sans", "Liberation Sans", "Noto Sans", "Arial", "Helvetica" }.FirstOrDefault(f => SKFontManager.Default.MatchFamily(f) is not null)
        ?? Fonts.Sans);

    /// <summary>Draws the model's history, titled with its network and task, the loss labelled with its unit.</summary>
    public static void Save(SequenceModel model, string path, TrainingCurveOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        Save(model.History, path, WithModelDefaults(model, options));
    }

    /// <summary>Writes the picture to <paramref name="path"/> (PNG), atomically.</summary>
    public static void Save(TrainingHistory history, string path, TrainingCurveOptions? options = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        var png = RenderPng(history, options);
        AtomicFile.Write(path, stream => stream.Write(png));
    }

    /// <summary>The picture as PNG bytes.</summary>
    public static byte[] RenderPng(TrainingHistory history, TrainingCurveOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(history);
        options ??= new TrainingCurveOptions();
        options.Validate();
        if (history.Epochs.Count == 0)
            throw new ArgumentException("The history has no epochs to draw.", nameof(history));

        var loss = LossPanel(history, options);
        var metrics = MetricPanel(history);
        using var surface = SKSurface.Create(new SKImageInfo(options.Width, options.Height)) ??
            throw new InvalidOperationException($"SkiaSharp could not create a {options.Width}x{options.Height} picture.");
        var canvas = surface.Canvas;
        canvas.Clear(SKColors.White);
        var split = metrics is null ? options.Height : (int)(options.Height * 0.56);
        // The panels share the epoch axis; only the lower one is labelled with the run's outcome.
        (metrics ?? loss).XLabel(EpochAxisLabel(history));
        if (metrics is not null)
            loss.XLabel("epoch");
        loss.RenderManager.ClearCanvasBeforeEachRender = false;
        loss.Render(canvas, new PixelRect(0, options.Width, split, 0));
        if (metrics is not null)
        {
            metrics.RenderManager.ClearCanvasBeforeEachRender = false;
            metrics.Render(canvas, new PixelRect(0, options.Width, options.Height, split));
        }
        using var image = surface.Snapshot();
        using var data = image.Encode(SKEncodedImageFormat.Png, 100);
        return data.ToArray();
    }

    /// <summary>The title and loss label <see cref="Save(SequenceModel, string, TrainingCurveOptions?)"/> uses.</summary>
    public static TrainingCurveOptions WithModelDefaults(SequenceModel model, TrainingCurveOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        options ??= new TrainingCurveOptions();
        var spec = model.Spec;
        var network = $"{spec.Cell.ToString().ToUpperInvariant()}, {spec.HiddenSize} units" +
                      (spec.Layers > 1 ? $" x {spec.Layers} layers" : "") + (spec.Bidirectional ? ", bidirectional" : "");
        var task = spec.Task switch
        {
            SequenceTask.BinaryClassification => "binary classification",
            SequenceTask.MulticlassClassification => $"{model.Labels.Count}-class classification",
            SequenceTask.Regression => "regression",
            SequenceTask.Tagging => $"tagging ({model.Labels.Count} tags)",
            _ => "language model",
        };
        var weighted = model.Options.ClassWeights is null ? "" : "weighted ";
        var lossLabel = spec.Task switch
        {
            SequenceTask.BinaryClassification => $"{weighted}binary cross-entropy, nats",
            SequenceTask.MulticlassClassification => $"{weighted}cross-entropy, nats",
            SequenceTask.Tagging => $"{weighted}cross-entropy per step, nats",
            SequenceTask.LanguageModel => "cross-entropy per token, nats",
            _ when model.Options.HuberDelta > 0 => $"Huber loss (delta {model.Options.HuberDelta.ToString(CultureInfo.InvariantCulture)})",
            _ => "mean squared error, target units\u00B2",
        };
        return options with { Title = options.Title ?? $"{network}: {task}", LossLabel = options.LossLabel ?? lossLabel };
    }

    private static Plot LossPanel(TrainingHistory history, TrainingCurveOptions options)
    {
        var epochs = history.Epochs;
        var train = epochs.Select(e => e.TrainLoss).ToArray();
        var validation = epochs.Select(e => e.Validation?.Loss ?? double.NaN).ToArray();
        var all = train.Concat(validation).Where(double.IsFinite).ToArray();
        var log = options.LogLossAxis ?? (all.Length > 0 && all.Min() > 0 && all.Max() / all.Min() >= LogScaleRatio);
        if (log && all.Any(v => v <= 0))
            log = false;   // a zero or negative loss has no logarithm

        var plot = NewPanel(history, top: 50);
        plot.Title(options.Title ?? "Training curve");
        plot.YLabel((options.LossLabel ?? "loss") + (log ? " (log scale)" : ""));
        AddSeries(plot, epochs, log ? train.Select(Math.Log10).ToArray() : train, "training loss", TrainColor, MarkerShape.FilledCircle);
        if (validation.Any(double.IsFinite))
            AddSeries(plot, epochs, log ? validation.Select(Math.Log10).ToArray() : validation, "validation loss", ValidationColor, MarkerShape.FilledSquare);
        AddRestoredEpoch(plot, history, legend: true);
        if (log)
        {
            double low = Math.Log10(all.Min()), high = Math.Log10(all.Max());
            var pad = Math.Max(0.05, (high - low) * 0.08);
            plot.Axes.SetLimitsY(low - pad, high + pad);
            plot.Axes.Left.TickGenerator = LogTicks(all.Min(), all.Max());
        }
        else if (all.Length > 0)
        {
            SetPaddedLimitsY(plot, all.Min(), all.Max());
        }
        PlaceLegend(plot, epochs, log ? [train.Select(Math.Log10).ToArray(), validation.Select(Math.Log10).ToArray()] : [train, validation]);
        return plot;
    }

    // The validation metrics of the task, grouped by unit; null without validation.
    private static Plot? MetricPanel(TrainingHistory history)
    {
        var epochs = history.Epochs;
        bool Has(Func<EvaluationMetrics, double?> metric) => epochs.Any(e => e.Validation is { } m && metric(m) is { } v && double.IsFinite(v));
        (string Name, Func<EvaluationMetrics, double?> Value)[] series;
        string label;
        var percent = false;
        var higherIsBetter = false;
        if (Has(m => m.Perplexity))
        {
            series = [("validation perplexity", m => m.Perplexity)];
            label = "perplexity (lower is better)";
        }
        else if (Has(m => m.Rmse))
        {
            series = [("validation RMSE", m => m.Rmse), ("validation MAE", m => m.Mae)];
            label = "error, target units";
        }
        else if (Has(m => m.Accuracy))
        {
            series = Has(m => m.Auc) || Has(m => m.F1)
                ? [("validation accuracy", m => m.Accuracy), ("validation F1", m => m.F1), ("validation AUC", m => m.Auc)]
                : [("validation accuracy", m => m.Accuracy), ("validation macro-F1", m => m.MacroF1)];
            label = "validation, % (higher is better)";
            percent = true;
            higherIsBetter = true;
        }
        else
        {
            return null;
        }

        var plot = NewPanel(history, top: 20);
        plot.YLabel(label);
        var drawn = new List<double>();
        var lines = new List<double[]>();
        var color = 0;
        foreach (var (name, metric) in series)
        {
            if (!Has(metric))
                continue;
            var values = epochs.Select(e => e.Validation is { } m && metric(m) is { } v ? (percent ? 100 * v : v) : double.NaN).ToArray();
            AddSeries(plot, epochs, values, name, MetricColors[color++ % MetricColors.Length],
                color == 1 ? MarkerShape.FilledCircle : color == 2 ? MarkerShape.FilledTriangleUp : MarkerShape.FilledDiamond);
            drawn.AddRange(values.Where(double.IsFinite));
            lines.Add(values);
        }
        AddRestoredEpoch(plot, history, legend: false);
        SetPaddedLimitsY(plot, drawn.Min(), drawn.Max(), percent ? 100 : double.PositiveInfinity);
        PlaceLegend(plot, epochs, lines, higherIsBetter ? Alignment.LowerRight : Alignment.UpperRight);
        return plot;
    }

    /// <param name="top">Pixels above the data area (the loss panel's title goes there).</param>
    private static Plot NewPanel(TrainingHistory history, float top)
    {
        var plot = new Plot();
        plot.Font.Set(SansFont.Value);
        plot.Axes.Title.Label.FontSize = 20;
        plot.Axes.Bottom.Label.FontSize = 15;
        plot.Axes.Left.Label.FontSize = 15;
        plot.Axes.Bottom.TickLabelStyle.FontSize = 13;
        plot.Axes.Left.TickLabelStyle.FontSize = 13;
        plot.Legend.FontSize = 13;
        plot.ShowLegend();
        // The same margins in both panels, so that their epochs line up.
        plot.Layout.Fixed(new PixelPadding(left: 95, right: 25, bottom: 58, top: top));
        // Whole epochs only; a run of one epoch still gets a readable axis.
        plot.Axes.Bottom.TickGenerator = new NumericAutomatic { IntegerTicksOnly = true };
        var count = history.Epochs[^1].Epoch;
        var first = history.Epochs[0].Epoch;
        plot.Axes.SetLimitsX(first - 0.5, count + 0.5);
        return plot;
    }

    private static void AddSeries(Plot plot, IReadOnlyList<EpochRecord> epochs, double[] values, string name, Color color, MarkerShape marker)
    {
        var finite = Enumerable.Range(0, values.Length).Where(i => double.IsFinite(values[i])).ToArray();
        var scatter = plot.Add.Scatter(finite.Select(i => (double)epochs[i].Epoch).ToArray(), finite.Select(i => values[i]).ToArray());
        scatter.LegendText = name;
        scatter.Color = color;
        scatter.LineWidth = 2;
        scatter.MarkerSize = 8;
        scatter.MarkerShape = marker;
    }

    /// <summary>
    /// Puts the legend in the corner its lines cross least (<paramref name="preferred"/> on a tie): each line is sampled
    /// along its segments and the samples inside a legend-sized box at each corner are counted.
    /// </summary>
    private static void PlaceLegend(Plot plot, IReadOnlyList<EpochRecord> epochs, IReadOnlyList<double[]> lines, Alignment preferred = Alignment.UpperRight)
    {
        var limits = plot.Axes.GetLimits();
        (double X, double Y) Normalized(double epoch, double value) =>
            ((epoch - limits.Left) / (limits.Right - limits.Left), (value - limits.Bottom) / (limits.Top - limits.Bottom));
        var samples = new List<(double X, double Y)>();
        foreach (var line in lines)
        {
            for (var i = 0; i < line.Length; i++)
            {
                if (!double.IsFinite(line[i]))
                    continue;
                samples.Add(Normalized(epochs[i].Epoch, line[i]));
                if (i + 1 < line.Length && double.IsFinite(line[i + 1]))
                {
                    for (var k = 1; k < 10; k++)
                        samples.Add(Normalized(epochs[i].Epoch + (epochs[i + 1].Epoch - epochs[i].Epoch) * k / 10.0, line[i] + (line[i + 1] - line[i]) * k / 10.0));
                }
            }
        }
        const double width = 0.4, height = 0.4;
        int Crossing(Alignment corner) => samples.Count(p => corner switch
        {
            Alignment.UpperRight => p.X > 1 - width && p.Y > 1 - height,
            Alignment.UpperLeft => p.X < width && p.Y > 1 - height,
            Alignment.LowerRight => p.X > 1 - width && p.Y < height,
            _ => p.X < width && p.Y < height,
        });
        Alignment[] corners = [preferred, .. new[] { Alignment.UpperRight, Alignment.LowerRight, Alignment.UpperLeft, Alignment.LowerLeft }.Where(c => c != preferred)];
        plot.Legend.Alignment = corners.MinBy(Crossing);
    }

    private static void AddRestoredEpoch(Plot plot, TrainingHistory history, bool legend)
    {
        if (history.RestoredEpoch is not { } restored)
            return;
        var line = plot.Add.VerticalLine(restored);
        line.Color = RestoredColor;
        line.LineWidth = 1.5f;
        line.LinePattern = LinePattern.Dashed;
        line.LegendText = legend ? $"epoch {restored}: lowest validation loss (weights kept)" : "";
    }

    // A little room above and below the data; a metric at its ceiling (100 %) stays visible, just below the frame.
    private static void SetPaddedLimitsY(Plot plot, double low, double high, double ceiling = double.PositiveInfinity)
    {
        var pad = high > low ? (high - low) * 0.12 : Math.Max(Math.Abs(high) * 0.25, 1e-3);
        plot.Axes.SetLimitsY(low - pad, high + pad > ceiling ? ceiling + pad / 4 : high + pad);
    }

    private static string EpochAxisLabel(TrainingHistory history)
    {
        var count = history.Epochs.Count;
        var outcome = history.StopReason switch
        {
            "early stopping" => $"stopped early after {count} epochs",
            "cancelled" => $"cancelled after {count} epochs",
            _ => $"{count} epoch{(count == 1 ? "" : "s")}",
        };
        if (!history.Epochs.Any(e => e.Validation is not null))
            outcome += ", no validation data";
        return history.RestoredEpoch is { } restored ? $"epoch ({outcome}; the model keeps the weights of epoch {restored})" : $"epoch ({outcome})";
    }

    // Ticks of a log10 axis at round values: 1-2-5 per decade, or every integer mantissa when the range is narrow.
    private static NumericManual LogTicks(double min, double max)
    {
        var ticks = new NumericManual();
        var span = Math.Log10(max) - Math.Log10(min);
        int[] mantissas = span > 3 ? [1] : span > 1.2 ? [1, 2, 5] : [1, 2, 3, 4, 5, 6, 7, 8, 9];
        for (var decade = (int)Math.Floor(Math.Log10(min)) - 1; decade <= (int)Math.Ceiling(Math.Log10(max)); decade++)
        {
            for (var m = 1; m <= 9; m++)
            {
                var value = m * Math.Pow(10, decade);
                if (mantissas.Contains(m))
                    ticks.AddMajor(Math.Log10(value), value.ToString(value is >= 1e-4 and < 1e5 ? "0.#####" : "0E0", CultureInfo.InvariantCulture));
                else
                    ticks.AddMinor(Math.Log10(value));
            }
        }
        return ticks;
    }
}
