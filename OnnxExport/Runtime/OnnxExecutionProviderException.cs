namespace MlNetRnn.OnnxExport.Runtime;

/// <summary>
/// A requested execution provider cannot be used: the message says what is missing and how to get it. When ONNX
/// Runtime reported the failure, its <see cref="OnnxRuntimeException"/> (code and message) is the inner exception.
/// <see cref="OnnxSessionOptions.AllowCpuFallback"/> turns this failure into a reported CPU session.
/// </summary>
public sealed class OnnxExecutionProviderException : Exception
{
    public OnnxExecutionProviderException(OnnxExecutionProvider provider, string message, OnnxRuntimeException? runtimeError = null)
        : base(Compose(provider, message, runtimeError), runtimeError)
    {
        Provider = provider;
    }

    public OnnxExecutionProvider Provider { get; }

    /// <summary>ORT's own failure, when there was one.</summary>
    public OnnxRuntimeException? RuntimeError => InnerException as OnnxRuntimeException;

    private static string Compose(OnnxExecutionProvider provider, string message, OnnxRuntimeException? runtimeError) =>
        $"The {provider.ToString().ToUpperInvariant()} execution provider cannot be used: {message}" +
        (runtimeError is null ? "" : $" ONNX Runtime said: [{runtimeError.ErrorCode}] {runtimeError.NativeMessage}");
}
