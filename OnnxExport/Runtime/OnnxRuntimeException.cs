namespace MlNetRnn.OnnxExport.Runtime;

/// <summary>
/// A failure reported by ONNX Runtime: every non-null <c>OrtStatus</c> becomes this exception, carrying ORT's
/// error code and its message unchanged in <see cref="NativeMessage"/>; <see cref="Exception.Message"/> adds what
/// the binding was doing. (Where the binding can say how to fix a failure, as for execution providers, it wraps this
/// exception in one that does.)
/// </summary>
public sealed class OnnxRuntimeException : Exception
{
    public OnnxRuntimeException(OnnxRuntimeErrorCode errorCode, string nativeMessage, string context)
        : base($"ONNX Runtime failed {context}: [{errorCode}] {nativeMessage}")
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
}
