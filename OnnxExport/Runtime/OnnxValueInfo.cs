namespace MlNetRnn.OnnxExport.Runtime;

/// <summary>
/// A graph input or output as the session sees it: name, kind, element type and shape. A dimension that is not
/// fixed is -1 in <see cref="Shape"/>, with its symbolic name (e.g. "batch") in <see cref="SymbolicDimensions"/>
/// ("" for a fixed or unnamed dimension).
/// </summary>
public sealed class OnnxValueInfo
{
    internal OnnxValueInfo(string name, OnnxValueKind kind, OnnxElementType elementType, long[] shape, string[] symbolicDimensions)
    {
        Name = name;
        Kind = kind;
        ElementType = elementType;
        Shape = shape;
        SymbolicDimensions = symbolicDimensions;
    }

    public string Name { get; }

    public OnnxValueKind Kind { get; }

    /// <summary>The element type of a tensor; <see cref="OnnxElementType.Undefined"/> for other kinds.</summary>
    public OnnxElementType ElementType { get; }

    /// <summary>The dimensions, -1 where not fixed; empty for a scalar or a value that is not a tensor.</summary>
    public IReadOnlyList<long> Shape { get; }

    /// <summary>Per dimension, its symbolic name, or "" where the dimension is fixed or unnamed.</summary>
    public IReadOnlyList<string> SymbolicDimensions { get; }

    /// <summary>The shape with symbolic names where known: "[batch, 3, -1]".</summary>
    public string ShapeText => "[" + string.Join(", ", Shape.Select((d, i) =>
        d >= 0 ? d.ToString(System.Globalization.CultureInfo.InvariantCulture)
        : SymbolicDimensions[i].Length > 0 ? SymbolicDimensions[i] : "-1")) + "]";

    public override string ToString() =>
        Kind == OnnxValueKind.Tensor ? $"{Name}: {ElementType}{ShapeText}" : $"{Name}: {Kind}";
}
