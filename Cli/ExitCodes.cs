namespace MlNetRnn.Cli;

/// <summary>The exit codes of every command (the table in `mlnetrnn --help` and docs/cli.md).</summary>
public static class ExitCodes
{
    /// <summary>Done.</summary>
    public const int Success = 0;

    /// <summary>The command ran, but a check failed (onnx-node-test) or rows were rejected (predict: their output lines
    /// carry "error").</summary>
    public const int CheckFailed = 1;

    /// <summary>Bad input or environment: a missing file, an unknown column or option value, a bad row where the command
    /// does not go on (train, evaluate, predict --strict), a missing native library. One line on standard error.</summary>
    public const int BadInput = 2;

    /// <summary>A fault in mlnetrnn itself: one line on standard error; MLNETRNN_DEBUG=1 prints the stack trace.</summary>
    public const int InternalError = 3;

    /// <summary>Interrupted (Ctrl+C). A training run with --checkpoint resumes when the same command runs again.</summary>
    public const int Interrupted = 130;

    public const string Table =
        "Exit codes: 0 done; 1 a check failed or rows were rejected (predict); 2 bad input or environment (one line on " +
        "standard error, no stack trace); 3 an internal error (a bug; MLNETRNN_DEBUG=1 shows the stack trace); " +
        "130 interrupted (train resumes from its --checkpoint when run again).";
}
