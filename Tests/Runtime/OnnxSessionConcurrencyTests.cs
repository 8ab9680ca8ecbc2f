using MlNetRnn.Kernels;

namespace MlNetRnn.Tests.Runtime;

/// <summary>One session run from many threads at once gives, per input, exactly what a lone run gives.</summary>
public class OnnxSessionConcurrencyTests
{
    [Fact]
    public void ConcurrentRunsMatchSequentialRunsExactly()
    {
        const int Threads = 8;
        const int RunsPerThread = 25;
        var descriptor = new RecurrentDescriptor(RecurrentCell.Lstm, inputSize: 6, hiddenSize: 5, RecurrentDirection.Bidirectional);
        // A different input per thread (different batch size and lengths too), so a shared buffer would show.
        var cases = Enumerable.Range(0, Threads)
            .Select(k => new RecurrentCase(descriptor, seqLength: 7, lengths: Enumerable.Range(0, 1 + k % 4).Select(b => 7 - (b + k) % 7).ToArray(), seed: 100 + k))
            .ToArray();
        using var session = cases[0].CreateSession();
        var expected = cases.Select(c => c.RunOnnxRuntime(session)).ToArray();

        var failures = new System.Collections.Concurrent.ConcurrentQueue<string>();
        using var start = new Barrier(Threads);
        var threads = Enumerable.Range(0, Threads).Select(k => new Thread(() =>
        {
            start.SignalAndWait();
            for (var run = 0; run < RunsPerThread; run++)
            {
                var (y, yH, yC) = cases[k].RunOnnxRuntime(session);
                if (!y.AsSpan().SequenceEqual(expected[k].Y) || !yH.AsSpan().SequenceEqual(expected[k].YH) || !yC.AsSpan().SequenceEqual(expected[k].YC))
                    failures.Enqueue($"thread {k} run {run}: {cases[k]} differs from its sequential run");
            }
        })).ToList();
        threads.ForEach(t => t.Start());
        threads.ForEach(t => t.Join());
        Assert.True(failures.IsEmpty, string.Join("\n", failures.Take(5)));
    }
}
