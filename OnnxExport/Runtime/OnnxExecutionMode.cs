namespace MlNetRnn.OnnxExport.Runtime;

/// <summary>ONNX Runtime's <c>ExecutionMode</c>: run the graph's nodes one at a time, or independent branches in parallel
/// on the inter-op threads.</summary>
public enum OnnxExecutionMode
{
    Sequential = 0,
    Parallel = 1,
}
