using Microsoft.ML.OnnxRuntime;

namespace MlNetRnn;

/// <summary>
/// A requested execution provider cannot be used: the message says which package to add, which libraries are
/// missing, and how to fall back to the CPU. When ONNX Runtime reported the failure, its
/// <see cref="OnnxRuntimeException"/> is the inner exception. <see cref="OnnxSessionOptions.AllowCpuFallback"/> turns
/// this failure into a CPU session that reports why.
/// </summary>
public sealed class OnnxExecutionProviderException : Exception
{
    public OnnxExecutionProviderException(OnnxExecutionProvider provider, string message, Exception? runtimeError = null)
        : base(Compose(provider, message, runtimeError), runtimeError)
    {
        Provider = provider;
    }

    public OnnxExecutionProvider Provider { get; }

    private static string Compose(OnnxExecutionProvider provider, string message, Exception? runtimeError) =>
        $"The {provider.ToString().ToUpperInvariant()} execution provider cannot be used: {message}" +
        (runtimeError is null ? "" : $" (ONNX Runtime: {OneLine(runtimeError.Message)})");

    private static string OneLine(string text) => string.Join(' ', text.Split(['\r', '\n'], StringSplitOptions.RemoveEmptyEntries));
}
