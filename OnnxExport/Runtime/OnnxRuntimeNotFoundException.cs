namespace MlNetRnn.OnnxExport.Runtime;

/// <summary>ONNX Runtime's native library was not found; <see cref="Tried"/> lists every place looked at, in order.</summary>
public sealed class OnnxRuntimeNotFoundException : DllNotFoundException
{
    public OnnxRuntimeNotFoundException(string message, IReadOnlyList<string> tried)
        : base(message)
    {
        Tried = tried;
    }

    public IReadOnlyList<string> Tried { get; }
}
