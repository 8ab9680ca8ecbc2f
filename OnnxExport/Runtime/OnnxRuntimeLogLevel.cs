namespace MlNetRnn.OnnxExport.Runtime;

/// <summary>ONNX Runtime's <c>OrtLoggingLevel</c>: the least severe message that is written (to stderr).</summary>
public enum OnnxRuntimeLogLevel
{
    Verbose = 0,
    Info = 1,
    Warning = 2,
    Error = 3,
    Fatal = 4,
}
