namespace MlNetRnn;

/// <summary>Where a session runs its nodes.</summary>
public enum OnnxExecutionProvider
{
    /// <summary>ONNX Runtime's CPU provider.</summary>
    Cpu,

    /// <summary>The CUDA provider (nodes it cannot run stay on the CPU, as ONNX Runtime assigns them).</summary>
    Cuda,
}
