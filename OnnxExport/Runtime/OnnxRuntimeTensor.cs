using System.Buffers;
using System.Globalization;
using System.Runtime.InteropServices;

namespace MlNetRnn.OnnxExport.Runtime;

/// <summary>
/// A named dense tensor going into or coming out of <see cref="OnnxSession.Run"/>: float32, int32 or int64 values in
/// row-major order with a shape. An input's memory is pinned and handed to ORT without a copy for the duration of
/// the run (ORT only reads it); an output owns fresh arrays copied out of ORT.
/// </summary>
public sealed class OnnxRuntimeTensor
{
    private readonly ReadOnlyMemory<float> _floats;
    private readonly ReadOnlyMemory<int> _int32s;
    private readonly ReadOnlyMemory<long> _int64s;
    private readonly long[] _shape;

    private OnnxRuntimeTensor(string name, OnnxElementType elementType, long[] shape, int length,
        ReadOnlyMemory<float> floats, ReadOnlyMemory<int> int32s, ReadOnlyMemory<long> int64s)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        ArgumentNullException.ThrowIfNull(shape);
        long count = 1;
        foreach (var dimension in shape)
        {
            if (dimension < 0)
                throw new ArgumentException($"Tensor '{name}': every dimension must be >= 0, the shape is {Format(shape)}.", nameof(shape));
            count = checked(count * dimension);
        }
        if (count != length)
            throw new ArgumentException($"Tensor '{name}': shape {Format(shape)} needs {count} values, the data holds {length}.", nameof(shape));
        Name = name;
        ElementType = elementType;
        _shape = (long[])shape.Clone();
        _floats = floats;
        _int32s = int32s;
        _int64s = int64s;
    }

    public string Name { get; }

    /// <summary><see cref="OnnxElementType.Float"/>, <see cref="OnnxElementType.Int32"/> or <see cref="OnnxElementType.Int64"/>.</summary>
    public OnnxElementType ElementType { get; }

    public IReadOnlyList<long> Shape => _shape;

    public int ElementCount => ElementType switch
    {
        OnnxElementType.Float => _floats.Length,
        OnnxElementType.Int32 => _int32s.Length,
        _ => _int64s.Length,
    };

    public string ShapeText => Format(_shape);

    public static OnnxRuntimeTensor FromFloats(string name, ReadOnlyMemory<float> values, params long[] shape) =>
        new(name, OnnxElementType.Float, shape, values.Length, values, default, default);

    public static OnnxRuntimeTensor FromInt32s(string name, ReadOnlyMemory<int> values, params long[] shape) =>
        new(name, OnnxElementType.Int32, shape, values.Length, default, values, default);

    public static OnnxRuntimeTensor FromInt64s(string name, ReadOnlyMemory<long> values, params long[] shape) =>
        new(name, OnnxElementType.Int64, shape, values.Length, default, default, values);

    /// <summary>The values of a float tensor.</summary>
    public ReadOnlyMemory<float> Floats => ElementType == OnnxElementType.Float ? _floats
        : throw new InvalidOperationException($"Tensor '{Name}' holds {ElementType}, not Float.");

    /// <summary>The values of an int32 tensor.</summary>
    public ReadOnlyMemory<int> Int32s => ElementType == OnnxElementType.Int32 ? _int32s
        : throw new InvalidOperationException($"Tensor '{Name}' holds {ElementType}, not Int32.");

    /// <summary>The values of an int64 tensor.</summary>
    public ReadOnlyMemory<long> Int64s => ElementType == OnnxElementType.Int64 ? _int64s
        : throw new InvalidOperationException($"Tensor '{Name}' holds {ElementType}, not Int64.");

    /// <summary>Bytes of the values.</summary>
    internal nuint ByteLength => (nuint)ElementCount * (nuint)(ElementType == OnnxElementType.Int64 ? sizeof(long) : sizeof(float));

    /// <summary>Pins the values for a native call; ORT reads them through the returned handle's pointer.</summary>
    internal MemoryHandle Pin() => ElementType switch
    {
        OnnxElementType.Float => MemoryMarshal.AsMemory(_floats).Pin(),
        OnnxElementType.Int32 => MemoryMarshal.AsMemory(_int32s).Pin(),
        _ => MemoryMarshal.AsMemory(_int64s).Pin(),
    };

    internal long[] ShapeArray => _shape;

    public override string ToString() => $"{Name}: {ElementType}{ShapeText}";

    internal static string Format(IReadOnlyList<long> shape) =>
        "[" + string.Join(", ", shape.Select(d => d.ToString(CultureInfo.InvariantCulture))) + "]";
}
