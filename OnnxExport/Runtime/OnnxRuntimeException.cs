namespace MlNetRnn.OnnxExport.Runtime;

/// <summary>
/// A failure reported by ONNX Runtime: every non-null <c>OrtStatus</c> becomes this exception, carrying ORT's
/// error code and its message unchanged in <see cref="NativeMessage"/>; <see cref="Exception.Message"/> adds what
/// the binding was doing and, where it can tell, how to fix it.
/// </summary>
public sealed class OnnxRuntimeException : Exception
{
    public OnnxRuntimeException(OnnxRuntimeErrorCode errorCode, string nativeMessage, string context, string? hint = null)
        : base(Compose(errorCode, nativeMessage, context, hint))
    {
        ErrorCode = errorCode;
        NativeMessage = nativeMessage;
        Context = context;
    }

    /// <summary>ORT's <c>OrtErrorCode</c>.</summary>
    public OnnxRuntimeErrorCode ErrorCode { get; }

    /// <summary>ORT's message, verbatim.</summary>
    public string NativeMessage { get; }

    /// <summary>What the binding was doing, e.g. "creating a session from 'model.onnx'".</summary>
    public string Context { get; }

    /// <summary>The same failure with a diagnosis appended (used where the binding knows more than ORT's text).</summary>
    public OnnxRuntimeException WithHint(string hint) => new(ErrorCode, NativeMessage, Context, hint);

    private static string Compose(OnnxRuntimeErrorCode code, string message, string context, string? hint) =>
        $"ONNX Runtime failed {context}: [{code}] {message}" + (string.IsNullOrEmpty(hint) ? "" : " " + hint);
}
