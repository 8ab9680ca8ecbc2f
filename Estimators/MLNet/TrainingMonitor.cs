using System.Globalization;
using Microsoft.ML.Runtime;

namespace MlNetRnn.MLNet;

/// <summary>
/// Watches a Fit from the training thread: forwards every report to the caller's progress, writes one line per
/// epoch to the MLContext's log (through an ML.NET channel, so <c>mlContext.Log</c> sees it), and turns the
/// MLContext's cancellation into the trainer's cancellation token, checked before every batch.
/// </summary>
internal sealed class TrainingMonitor : IProgress<TrainingProgress>, IDisposable
{
    private readonly IChannel _channel;
    private readonly IProgress<TrainingProgress>? _progress;
    private readonly Func<bool> _isCanceled;
    private readonly string _model;
    private readonly CancellationTokenSource _cancellation = new();

    public TrainingMonitor(IChannel channel, IProgress<TrainingProgress>? progress, Func<bool> isCanceled, string model)
    {
        _channel = channel;
        _progress = progress;
        _isCanceled = isCanceled;
        _model = model;
    }

    public CancellationToken Token => _cancellation.Token;

    public void Info(string message) => _channel.Info(MessageSensitivity.None, message);

    public void Report(TrainingProgress value)
    {
        _progress?.Report(value);
        if (value.Completed is { } epoch)
        {
            var validation = epoch.Validation is null ? "" : $", validation {epoch.Validation}";
            Info(string.Create(CultureInfo.InvariantCulture,
                $"{_model} epoch {epoch.Epoch}/{value.Epochs}: train loss {epoch.TrainLoss:F4}{validation}, {epoch.Duration.TotalSeconds:F2} s"));
        }
        _ = IsCanceled;   // cancels the token, which the training loop checks before the next batch
    }

    /// <summary>Whether the MLContext was cancelled; the first time it is, the token is cancelled too.</summary>
    public bool IsCanceled
    {
        get
        {
            if (!_cancellation.IsCancellationRequested && _isCanceled())
                _cancellation.Cancel();
            return _cancellation.IsCancellationRequested;
        }
    }

    public void ThrowIfCanceled()
    {
        if (IsCanceled)
            throw Canceled();
    }

    public OperationCanceledException Canceled(Exception? inner = null) =>
        new($"{_model}: training was cancelled through the MLContext (CancelExecution).", inner, _cancellation.Token);

    public void Dispose()
    {
        _cancellation.Dispose();
        _channel.Dispose();
    }
}
