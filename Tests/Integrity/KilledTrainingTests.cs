using System.Collections.Concurrent;
using System.Diagnostics;
using MlNetRnn.Persistence;
using Xunit.Abstractions;

namespace MlNetRnn.Tests.Integrity;

/// <summary>
/// Training with a checkpoint after every epoch, in a child process (Tests/IntegrityTool: a GRU on the marker task,
/// 14 epochs of 20 batches, dropout, validation, weight averaging), SIGKILLed at seeded moments and resumed each time,
/// ends with the weights and optimizer state of an uninterrupted run, bit for bit. Half of the kills land inside the
/// run's first checkpoint write: the child slows its checkpoint writes (~1 ms per KiB) and says when one starts, and
/// the parent kills it 0-30 ms later, leaving a partial temporary file that the next start of training removes. The
/// other half land 1 to 30 batches into the run (the child reports each batch). A run saves at most one epoch before
/// its kill, so the twelve kills cannot reach the end of training on a machine of any speed.
/// </summary>
public sealed class KilledTrainingTests(ITestOutputHelper output) : IDisposable
{
    private const int Kills = 12;
    private readonly DirectoryInfo _directory = Directory.CreateTempSubdirectory("mlnetrnn-killed");

    public void Dispose() => _directory.Delete(recursive: true);

    [Fact]
    public void KilledAndResumedTrainingEndsWithTheUninterruptedWeights()
    {
        var uninterrupted = Path.Combine(_directory.FullName, "uninterrupted");
        var killed = Path.Combine(_directory.FullName, "killed");
        RunToEnd(uninterrupted);

        var random = new Random(20261206);
        var (inWrite, leftovers, finishedEarly) = (0, 0, false);
        for (var kill = 0; kill < Kills && !finishedEarly; kill++)
        {
            using var child = Start(killed, slowCheckpointWrites: true);
            var lines = Lines(child);
            if (kill % 2 == 0)
            {
                // Into this run's first checkpoint write, 0-30 ms after it starts.
                var delay = random.Next(31);
                finishedEarly = !WaitFor(lines, "writing", 1);
                Thread.Sleep(delay);
                inWrite += finishedEarly ? 0 : 1;
            }
            else
            {
                // 1 to 30 batches in (an epoch is 20), then 0-5 ms into the next batch.
                var (batches, delay) = (1 + random.Next(30), random.Next(6));
                finishedEarly = !WaitFor(lines, "batch", batches);
                Thread.Sleep(delay);
            }
            finishedEarly |= child.HasExited;
            child.Kill();
            child.WaitForExit();
            var temporary = Directory.GetFiles(killed, ".*.tmp");
            leftovers += temporary.Length > 0 ? 1 : 0;
            output.WriteLine($"kill {kill}: {(kill % 2 == 0 ? "in a checkpoint write" : "batches into the run")}, leftover temporary files: {temporary.Length}, checkpoint: {File.Exists(Path.Combine(killed, "run.ckpt"))}");
        }
        RunToEnd(killed);

        Assert.False(finishedEarly, "a run finished before it was killed; the kills should all land inside training");
        Assert.True(inWrite >= Kills / 2, $"only {inWrite} kills landed in a checkpoint write");
        Assert.True(leftovers > 0, "no kill left a temporary file, so their removal was not exercised");
        Assert.Empty(Directory.GetFiles(killed, ".*.tmp"));
        // The weights, the optimizer's buffers and the best weights: bit for bit (the history's durations differ).
        var expected = ZipContents.Read(File.ReadAllBytes(Path.Combine(uninterrupted, "run.ckpt")));
        var actual = ZipContents.Read(File.ReadAllBytes(Path.Combine(killed, "run.ckpt")));
        foreach (var part in expected.Items.Where(p => p.Name.EndsWith(".bin", StringComparison.Ordinal)))
            Assert.True(part.Content.AsSpan().SequenceEqual(actual[part.Name]), $"{part.Name} differs from the uninterrupted run's");
        Assert.Equal(expected["checkpoint.json"], actual["checkpoint.json"]);
        Assert.Equal(
            ZipContents.Read(File.ReadAllBytes(Path.Combine(uninterrupted, "final.mlnr")))[SequenceModel.ParametersEntry],
            ZipContents.Read(File.ReadAllBytes(Path.Combine(killed, "final.mlnr")))[SequenceModel.ParametersEntry]);
    }

    [Fact]
    public void LeftoverTemporaryFilesOfTheTargetAreRemovedAndNothingElse()
    {
        var target = Path.Combine(_directory.FullName, "run.ckpt");
        var old = DateTime.UtcNow.AddHours(-1);
        string Make(string name, DateTime written)
        {
            var path = Path.Combine(_directory.FullName, name);
            File.WriteAllText(path, "partial");
            File.SetLastWriteTimeUtc(path, written);
            return path;
        }
        var leftover = Make($".run.ckpt.{Guid.NewGuid():N}.tmp", old);
        var current = Make($".run.ckpt.{Guid.NewGuid():N}.tmp", DateTime.UtcNow.AddMinutes(1));   // written since this process started
        var otherTarget = Make($".other.ckpt.{Guid.NewGuid():N}.tmp", old);
        var notOurs = Make(".run.ckpt.notahexguid00000000000000000000.tmp", old);
        var user = Make("run.ckpt.tmp", old);

        Assert.Equal(1, AtomicFile.RemoveLeftovers(target));
        Assert.False(File.Exists(leftover));
        Assert.True(File.Exists(current) && File.Exists(otherTarget) && File.Exists(notOurs) && File.Exists(user));
        Assert.Equal(0, AtomicFile.RemoveLeftovers(Path.Combine(_directory.FullName, "missing", "run.ckpt")));
    }

    private string ToolPath()
    {
        var configuration = AppContext.BaseDirectory.Contains($"{Path.DirectorySeparatorChar}Debug{Path.DirectorySeparatorChar}", StringComparison.Ordinal) ? "Debug" : "Release";
        var dll = Path.Combine(RepositoryPaths.Tests, "IntegrityTool", "bin", configuration, "net10.0", "MlNetRnn.IntegrityTool.dll");
        Assert.True(File.Exists(dll), $"{dll} is missing: build the solution (dotnet build MlNetRnn.sln -c {configuration}).");
        return dll;
    }

    private Process Start(string folder, bool slowCheckpointWrites)
    {
        Directory.CreateDirectory(folder);
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = folder };
        foreach (var argument in new[] { ToolPath(), "train", "--checkpoint", Path.Combine(folder, "run.ckpt"), "--model", Path.Combine(folder, "final.mlnr") })
            start.ArgumentList.Add(argument);
        if (slowCheckpointWrites)
            start.ArgumentList.Add("--slow-checkpoint-writes");
        return Process.Start(start)!;
    }

    private void RunToEnd(string folder)
    {
        using var child = Start(folder, slowCheckpointWrites: false);
        var error = child.StandardError.ReadToEndAsync();
        var text = child.StandardOutput.ReadToEnd();
        Assert.True(child.WaitForExit(TimeSpan.FromMinutes(2)), "training did not finish in 2 minutes");
        Assert.True(child.ExitCode == 0, $"training exited with {child.ExitCode}: {text}{error.Result}");
    }

    /// <summary>The child's output lines as they come; the collection completes when the child closes its output.</summary>
    private static BlockingCollection<string> Lines(Process child)
    {
        var lines = new BlockingCollection<string>();
        child.OutputDataReceived += (_, e) =>
        {
            if (e.Data is null)
                lines.CompleteAdding();
            else
                lines.Add(e.Data);
        };
        child.BeginOutputReadLine();
        child.ErrorDataReceived += (_, _) => { };
        child.BeginErrorReadLine();
        return lines;
    }

    /// <summary>Waits for the <paramref name="count"/>-th line equal to <paramref name="line"/>; false when the child ended first.</summary>
    private static bool WaitFor(BlockingCollection<string> lines, string line, int count)
    {
        foreach (var next in lines.GetConsumingEnumerable())
        {
            if (next == line && --count == 0)
                return true;
        }
        return false;
    }
}
