using System.Diagnostics;

namespace MlNetRnn.Cli.Bench;

/// <summary>
/// The untimed steps before a measurement: at least <see cref="Steps"/> of them, and more until <see cref="Seconds"/>
/// have passed. The time rule is for .NET's tiered JIT: a step's managed code starts unoptimised and is recompiled
/// during the first second or so on a background thread, which takes one of the two cores the 2-thread kernel runs
/// on. Timed after 3 steps only, W3 at 2 threads gave a median of 8.1-9.2 ms with a third of its steps above 10 ms;
/// with tiering off (DOTNET_TieredCompilation=0), or after a few hundred steps, 6.3-7.5 ms and q3 within 5% of the
/// median. A training run takes thousands of steps: the steady state is what a user gets.
/// </summary>
internal readonly record struct Warmup(int Steps, double Seconds)
{
    /// <summary>Between two blocks of alternating measurements: the process is warm already.</summary>
    public static readonly Warmup BetweenBlocks = new(3, 0);

    public void Run(Action step)
    {
        var clock = Stopwatch.StartNew();
        for (var i = 0; i < Steps || clock.Elapsed.TotalSeconds < Seconds; i++)
            step();
    }
}
