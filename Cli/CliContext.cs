namespace MlNetRnn.Cli;

/// <summary>
/// Where a command writes: <see cref="Out"/> for its results (JSON lines, metrics, descriptions, epoch lines) and
/// <see cref="Error"/> for errors and notes; <see cref="Interactive"/> when the output is a terminal that a progress bar
/// can redraw. Tests pass their own writers, so commands never touch the process's console directly.
/// </summary>
public sealed record CliContext(TextWriter Out, TextWriter Error, bool Interactive)
{
    public static CliContext FromConsole() => new(Console.Out, Console.Error, !Console.IsOutputRedirected);
}
