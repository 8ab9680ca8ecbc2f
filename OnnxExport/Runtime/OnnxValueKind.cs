namespace MlNetRnn.OnnxExport.Runtime;

/// <summary>ORT's <c>ONNXType</c>: what kind of value a graph input or output is.</summary>
public enum OnnxValueKind
{
    Unknown = 0,
    Tensor = 1,
    Sequence = 2,
    Map = 3,
    Opaque = 4,
    SparseTensor = 5,
    Optional = 6,
}
