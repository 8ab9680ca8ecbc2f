using System.Globalization;

namespace MlNetRnn.Tests.Training;

/// <summary>TrainingHistory.WriteCsv / SaveCsv: the columns a task has, numbers that read back exactly, atomic files.</summary>
public sealed class TrainingHistoryCsvTests
{
    [Fact]
    public void WritesTheColumnsThatSomeEpochHasWithRoundTripNumbers()
    {
        var history = new TrainingHistory(
        [
            new EpochRecord(1, 0.001f, 0.6931471805599453, new EvaluationMetrics { Loss = 0.5, Rmse = 0.25, Mae = 1.0 / 3 }, TimeSpan.FromMilliseconds(1234.5678)),
            new EpochRecord(2, 0.0005f, 1e-7, null, TimeSpan.FromSeconds(2)),
        ]);
        var writer = new StringWriter();
        history.WriteCsv(writer);
        var lines = writer.ToString().Split('\n');
        Assert.Equal("epoch,learning_rate,train_loss,validation_loss,validation_rmse,validation_mae,seconds", lines[0]);
        Assert.Equal(history.CsvColumns, lines[0].Split(','));
        Assert.Equal("1,0.001,0.6931471805599453,0.5,0.25,0.3333333333333333,1.235", lines[1]);
        Assert.Equal("2,0.0005,1E-07,,,,2", lines[2]);
        Assert.Equal("", lines[3]);
        Assert.Equal(1.0 / 3, double.Parse(lines[1].Split(',')[5], CultureInfo.InvariantCulture));
    }

    [Fact]
    public void SaveCsvWritesTheFileAtomicallyWithoutAByteOrderMark()
    {
        var directory = Directory.CreateTempSubdirectory("mlnetrnn-history");
        try
        {
            var path = Path.Combine(directory.FullName, "sub", "history.csv");
            var history = new TrainingHistory([new EpochRecord(1, 0.01f, 0.5, new EvaluationMetrics { Loss = 0.4, Accuracy = 0.75 }, TimeSpan.Zero)]);
            history.SaveCsv(path);
            history.SaveCsv(path);
            var bytes = File.ReadAllBytes(path);
            Assert.Equal((byte)'e', bytes[0]);
            Assert.Equal("epoch,learning_rate,train_loss,validation_loss,validation_accuracy,seconds\n1,0.01,0.5,0.4,0.75,0\n", File.ReadAllText(path));
            Assert.Single(Directory.GetFiles(Path.GetDirectoryName(path)!));   // no temporary file left behind
        }
        finally
        {
            directory.Delete(recursive: true);
        }
    }
}
