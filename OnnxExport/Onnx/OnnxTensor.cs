using System.Buffers.Binary;
using System.Runtime.InteropServices;
using Google.Protobuf;
using MlNetRnn.OnnxExport.Proto;

namespace MlNetRnn.OnnxExport.Onnx;

/// <summary>
/// A dense tensor read from or written to an ONNX <see cref="TensorProto"/>: its name, element type, shape and values.
/// Values are kept as float, int64 or int32 arrays; raw_data (little-endian) and the typed fields are both read.
/// </summary>
public sealed class OnnxTensor
{
    private OnnxTensor(string name, TensorProto.Types.DataType type, long[] shape, float[]? floats, long[]? int64s, int[]? int32s)
    {
        Name = name;
        ElementType = type;
        Shape = shape;
        _floats = floats;
        _int64s = int64s;
        _int32s = int32s;
    }

    private readonly float[]? _floats;
    private readonly long[]? _int64s;
    private readonly int[]? _int32s;

    public string Name { get; }

    public TensorProto.Types.DataType ElementType { get; }

    public IReadOnlyList<long> Shape { get; }

    public long ElementCount => Shape.Aggregate(1L, (a, b) => a * b);

    public string ShapeText => "[" + string.Join(", ", Shape) + "]";

    public static OnnxTensor FromFloats(string name, float[] values, params long[] shape)
    {
        CheckCount(name, values.Length, shape);
        return new OnnxTensor(name, TensorProto.Types.DataType.Float, shape, values, null, null);
    }

    public static OnnxTensor FromInt64s(string name, long[] values, params long[] shape)
    {
        CheckCount(name, values.Length, shape);
        return new OnnxTensor(name, TensorProto.Types.DataType.Int64, shape, null, values, null);
    }

    public static OnnxTensor FromInt32s(string name, int[] values, params long[] shape)
    {
        CheckCount(name, values.Length, shape);
        return new OnnxTensor(name, TensorProto.Types.DataType.Int32, shape, null, null, values);
    }

    /// <summary>Reads a serialized TensorProto (the .pb files of ONNX's node tests).</summary>
    public static OnnxTensor Load(string path)
    {
        TensorProto proto;
        try
        {
            proto = TensorProto.Parser.ParseFrom(File.ReadAllBytes(path));
        }
        catch (InvalidProtocolBufferException e)
        {
            throw new InvalidDataException($"'{path}' is not a serialized ONNX TensorProto: {e.Message}", e);
        }
        return FromProto(proto, path);
    }

    public static OnnxTensor FromProto(TensorProto proto, string? origin = null)
    {
        var where = origin ?? $"tensor '{proto.Name}'";
        if (proto.DataLocation == TensorProto.Types.DataLocation.External)
            throw new NotSupportedException($"{where} keeps its data in an external file, which is not supported.");
        var shape = proto.Dims.ToArray();
        var count = shape.Aggregate(1L, (a, b) => a * b);
        var raw = proto.RawData.Span;
        var type = (TensorProto.Types.DataType)proto.DataType;
        switch (type)
        {
            case TensorProto.Types.DataType.Float:
                var floats = raw.Length > 0 ? MemoryMarshal.Cast<byte, float>(raw).ToArray() : proto.FloatData.ToArray();
                if (raw.Length > 0 && !BitConverter.IsLittleEndian)
                    throw new PlatformNotSupportedException("Reading raw ONNX tensors needs a little-endian machine.");
                CheckCount(where, floats.Length, shape);
                return new OnnxTensor(proto.Name, type, shape, floats, null, null);
            case TensorProto.Types.DataType.Int64:
                var longs = raw.Length > 0 ? ReadInt64s(raw) : proto.Int64Data.ToArray();
                CheckCount(where, longs.Length, shape);
                return new OnnxTensor(proto.Name, type, shape, null, longs, null);
            case TensorProto.Types.DataType.Int32:
                var ints = raw.Length > 0 ? ReadInt32s(raw) : proto.Int32Data.ToArray();
                CheckCount(where, ints.Length, shape);
                return new OnnxTensor(proto.Name, type, shape, null, null, ints);
            default:
                throw new NotSupportedException($"{where} has element type {type}; only FLOAT, INT32 and INT64 tensors are supported (count {count}).");
        }
    }

    /// <summary>The values as float32; fails for an integer tensor.</summary>
    public float[] Floats => _floats ?? throw new InvalidOperationException($"Tensor '{Name}' holds {ElementType}, not FLOAT.");

    /// <summary>The values as int32, converting from int64 with a range check; fails for a float tensor.</summary>
    public int[] Int32s
    {
        get
        {
            if (_int32s is not null)
                return _int32s;
            if (_int64s is null)
                throw new InvalidOperationException($"Tensor '{Name}' holds {ElementType}, not an integer type.");
            return _int64s.Select(v => v is < int.MinValue or > int.MaxValue
                ? throw new OverflowException($"Tensor '{Name}' holds {v}, outside the int32 range.")
                : (int)v).ToArray();
        }
    }

    /// <summary>The values as int64, widening int32; fails for a float tensor.</summary>
    public long[] Int64s => _int64s ?? _int32s?.Select(v => (long)v).ToArray()
        ?? throw new InvalidOperationException($"Tensor '{Name}' holds {ElementType}, not an integer type.");

    /// <summary>A TensorProto with the values in raw_data (little-endian), as ONNX's exporters write them.</summary>
    public TensorProto ToProto()
    {
        var proto = new TensorProto { Name = Name, DataType = (int)ElementType };
        proto.Dims.AddRange(Shape);
        byte[] bytes = ElementType switch
        {
            TensorProto.Types.DataType.Float => MemoryMarshal.AsBytes(_floats.AsSpan()).ToArray(),
            TensorProto.Types.DataType.Int64 => MemoryMarshal.AsBytes(_int64s.AsSpan()).ToArray(),
            _ => MemoryMarshal.AsBytes(_int32s.AsSpan()).ToArray(),
        };
        if (!BitConverter.IsLittleEndian)
            throw new PlatformNotSupportedException("Writing raw ONNX tensors needs a little-endian machine.");
        proto.RawData = ByteString.CopyFrom(bytes);
        return proto;
    }

    private static long[] ReadInt64s(ReadOnlySpan<byte> raw)
    {
        var values = new long[raw.Length / 8];
        for (var i = 0; i < values.Length; i++)
            values[i] = BinaryPrimitives.ReadInt64LittleEndian(raw.Slice(i * 8, 8));
        return values;
    }

    private static int[] ReadInt32s(ReadOnlySpan<byte> raw)
    {
        var values = new int[raw.Length / 4];
        for (var i = 0; i < values.Length; i++)
            values[i] = BinaryPrimitives.ReadInt32LittleEndian(raw.Slice(i * 4, 4));
        return values;
    }

    private static void CheckCount(string where, long actual, long[] shape)
    {
        var expected = shape.Aggregate(1L, (a, b) => a * b);
        if (actual != expected)
            throw new InvalidDataException($"{where}: shape [{string.Join(", ", shape)}] needs {expected} values, the tensor holds {actual}.");
    }
}
