using MlNetRnn.Plotting;
using MlNetRnn.Tests.CommandLine;
using SkiaSharp;

namespace MlNetRnn.Tests.Plotting;

/// <summary>TrainingCurve: a readable PNG for every kind of history, written atomically; nothing to draw is an error.</summary>
public sealed class TrainingCurveTests
{
    [Theory]
    [InlineData("classification")]
    [InlineData("regression")]
    [InlineData("language model")]
    public void DrawsLossAndTheTaskMetricsForEveryKindOfHistory(string kind)
    {
        var epochs = Enumerable.Range(1, 12).Select(e =>
        {
            var loss = 0.7 * Math.Exp(-0.4 * e) + 0.01;
            var validation = new EvaluationMetrics { Loss = loss * 1.2 + 0.002 * e };
            validation = kind switch
            {
                "classification" => validation with { Accuracy = 1 - loss / 2, F1 = 1 - loss / 1.5, Auc = 1 - loss / 4 },
                "regression" => validation with { Rmse = Math.Sqrt(loss), Mae = Math.Sqrt(loss) * 0.8 },
                _ => validation with { Perplexity = Math.Exp(loss), Accuracy = 0.5 },
            };
            return new EpochRecord(e, 1e-3f, loss, validation, TimeSpan.FromSeconds(1));
        });
        var history = new TrainingHistory(epochs) { RestoredEpoch = 9, StopReason = "early stopping" };
        var directory = Directory.CreateTempSubdirectory("mlnetrnn-curve");
        try
        {
            var path = Path.Combine(directory.FullName, "curve.png");
            TrainingCurve.Save(history, path, new TrainingCurveOptions { Title = kind, LossLabel = "loss, nats" });
            TrainCommandTests.AssertCurve(path);
            Assert.Single(Directory.GetFiles(directory.FullName));
        }
        finally
        {
            directory.Delete(recursive: true);
        }
    }

    [Fact]
    public void AHistoryWithoutValidationIsOnePanelAndSizesAreHonoured()
    {
        var history = new TrainingHistory([new EpochRecord(1, 1e-3f, 2.0, null, TimeSpan.FromSeconds(1))]);
        using var bitmap = SKBitmap.Decode(TrainingCurve.RenderPng(history, new TrainingCurveOptions { Width = 640, Height = 400 }));
        Assert.Equal((640, 400), (bitmap.Width, bitmap.Height));
        Assert.Throws<ArgumentException>(() => TrainingCurve.RenderPng(new TrainingHistory()));
        Assert.Throws<ArgumentException>(() => TrainingCurve.RenderPng(history, new TrainingCurveOptions { Width = 10 }));
    }
}
