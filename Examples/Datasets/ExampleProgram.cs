using System.Globalization;

namespace MlNetRnn.Examples.Datasets;

/// <summary>
/// What every example's Main does with its arguments and its errors, as the `mlnetrnn` command does: an option's value
/// that is not a number, a thread count below 1, a missing data set or file, a bad setting is one line on standard
/// error and exit code 2; a bug is one line and exit code 3 (MLNETRNN_DEBUG=1 adds the stack trace); Ctrl+C is 130.
/// Never a stack trace by default. The codes: 0 done (and the target met), 1 done but the target missed, 2, 3, 130.
/// </summary>
public static class ExampleProgram
{
    public const int BadInput = 2;
    public const int InternalError = 3;
    public const int Interrupted = 130;

    /// <summary>Runs an example's body; errors become one line on standard error, prefixed with <paramref name="name"/>.</summary>
    public static int Run(string name, Func<int> body)
    {
        ArgumentNullException.ThrowIfNull(body);
        try
        {
            return body();
        }
        catch (OperationCanceledException)
        {
            Console.Error.WriteLine($"{name}: interrupted.");
            return Interrupted;
        }
        catch (Exception e) when (IsBadInput(e))
        {
            Console.Error.WriteLine($"{name}: {OneLine(e.Message)}");
            return BadInput;
        }
        catch (Exception e)
        {
            Console.Error.WriteLine($"{name}: internal error ({e.GetType().Name}): {OneLine(e.Message)}" +
                                    (Environment.GetEnvironmentVariable("MLNETRNN_DEBUG") == "1" ? $"\n{e}" : " (MLNETRNN_DEBUG=1 shows where)"));
            return InternalError;
        }
    }

    /// <summary>Bad input or environment: the exceptions the CLI treats so (a missing data set is an IOException; a
    /// damaged model file is MlNetRnn's ModelFileException, an IOException too), and the library's own by name (this
    /// assembly does not reference it).</summary>
    public static bool IsBadInput(Exception e) =>
        e is ArgumentException or IOException or InvalidDataException or FormatException or NotSupportedException
            or UnauthorizedAccessException or DllNotFoundException or InvalidOperationException
        || e.GetType().FullName is "MlNetRnn.Kernels.NativeKernelException" or "MlNetRnn.Training.TrainingDivergedException"
            or "Microsoft.ML.OnnxRuntime.OnnxRuntimeException";

    /// <summary>An integer option's value (invariant culture).</summary>
    public static int Int(string option, string value) =>
        int.TryParse(value, NumberStyles.Integer, CultureInfo.InvariantCulture, out var parsed)
            ? parsed : throw new FormatException($"{option} expects an integer; got '{value}'.");

    /// <summary>A count that must be at least 1 (--threads, --epochs, sizes).</summary>
    public static int Positive(string option, string value) =>
        Int(option, value) is var parsed and >= 1 ? parsed : throw new ArgumentException($"{option} must be at least 1; got {value}.");

    /// <summary>A finite number option's value (invariant culture).</summary>
    public static double Number(string option, string value) =>
        double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out var parsed) && double.IsFinite(parsed)
            ? parsed : throw new FormatException($"{option} expects a number; got '{value}'.");

    /// <summary>An enum option's value by name, ignoring case; the error lists the names.</summary>
    public static T Choice<T>(string option, string value) where T : struct, Enum =>
        Enum.TryParse<T>(value, ignoreCase: true, out var parsed) && Enum.IsDefined(parsed) && !int.TryParse(value, out _)
            ? parsed : throw new ArgumentException($"{option} expects one of {string.Join(", ", Enum.GetNames<T>().Select(n => n.ToLowerInvariant()))}; got '{value}'.");

    private static string OneLine(string message) =>
        string.Join(' ', message.Split(['\r', '\n'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
}
