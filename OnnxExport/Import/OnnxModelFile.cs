using System.Buffers.Binary;
using System.Text;
using Google.Protobuf;
using MlNetRnn.OnnxExport.Export;
using MlNetRnn.OnnxExport.Onnx;
using MlNetRnn.OnnxExport.Proto;
using DataType = MlNetRnn.OnnxExport.Proto.TensorProto.Types.DataType;

namespace MlNetRnn.OnnxExport.Import;

/// <summary>
/// The checks every ONNX file gets before anything of it is used, whoever wrote it: the file's size against
/// <see cref="SequenceModelLimits.MaxOnnxFileBytes"/> before it is read; the protobuf parse (fields this library does
/// not know are dropped, so what is checked is all that is used and all that ONNX Runtime is given); the metadata
/// (entries, sizes per value and in total, keys, duplicates) before any value is deserialized; the checksum an export
/// carries; and every tensor of the graph and its subgraphs (initializers and Constant values): no external data, dims
/// that agree with the data the tensor holds, a known element type, finite floats. Every failure is a
/// <see cref="ModelFileException"/> naming the file and the part of it.
/// </summary>
internal static class OnnxModelFile
{
    /// <summary>The longest metadata key accepted.</summary>
    private const int MaxKeyLength = 256;

    /// <summary>Reads a file of at most <see cref="SequenceModelLimits.MaxOnnxFileBytes"/> bytes, checking its size
    /// before allocating.</summary>
    public static byte[] ReadBytes(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        if (!File.Exists(path))
            throw new FileNotFoundException($"No ONNX file at '{path}'.", path);
        using var file = File.OpenRead(path);
        var length = file.Length;
        CheckLength(length, path);
        var bytes = new byte[length];
        file.ReadExactly(bytes);
        if (file.ReadByte() != -1)
            throw new ModelFileException(path, null, $"grew while it was read (it had {length} bytes); read it again once it is written.");
        return bytes;
    }

    /// <summary>Parses the bytes of a model; fields outside ONNX's ModelProto as this library knows it are dropped.</summary>
    public static ModelProto Parse(byte[] bytes, string origin)
    {
        ArgumentNullException.ThrowIfNull(bytes);
        CheckLength(bytes.LongLength, origin);
        ModelProto proto;
        try
        {
            proto = ModelProto.Parser.WithDiscardUnknownFields(true).ParseFrom(bytes);
        }
        catch (Exception e) when (e is InvalidProtocolBufferException or IndexOutOfRangeException or ArgumentOutOfRangeException)
        {
            // Google.Protobuf throws IndexOutOfRangeException itself for some lengths past the end (a varint read in
            // its slow path: found by the fuzz campaign, Tests/Fixtures/Damaged/foreign-length-past-end.onnx).
            throw new ModelFileException(origin, null, $"is not an ONNX model: it does not parse as an ONNX ModelProto ({e.Message}).", e);
        }
        if (proto.Graph is null)
            throw new ModelFileException(origin, null, "is not an ONNX model: it has no graph.");
        return proto;
    }

    private static void CheckLength(long length, string origin)
    {
        if (length > SequenceModelLimits.MaxOnnxFileBytes)
            throw new ModelFileException(origin, null,
                $"is {length} bytes; an ONNX file MlNetRnn reads holds at most {SequenceModelLimits.MaxOnnxFileBytes} (SequenceModelLimits.MaxOnnxFileBytes).");
    }

    /// <summary>
    /// The metadata as a dictionary, after checking it as a whole: at most <see cref="SequenceModelLimits.MaxOnnxMetadataEntries"/>
    /// entries, each key once, no key under "mlnetrnn." that this version does not write, each value within its cap
    /// (the vocabulary, key names, labels and schema <see cref="SequenceModelLimits.MaxModelDocumentBytes"/>, the other
    /// keys of an export <see cref="SequenceModelLimits.MaxStateDocumentBytes"/>) and all of them within
    /// <see cref="SequenceModelLimits.MaxOnnxMetadataBytes"/>: a value is measured before it is deserialized.
    /// </summary>
    public static Dictionary<string, string> Metadata(ModelProto proto, string origin)
    {
        var entries = proto.MetadataProps;
        if (entries.Count > SequenceModelLimits.MaxOnnxMetadataEntries)
            throw new ModelFileException(origin, null, $"has {entries.Count} metadata entries; at most {SequenceModelLimits.MaxOnnxMetadataEntries} are read.");
        var metadata = new Dictionary<string, string>(StringComparer.Ordinal);
        long total = 0;
        foreach (var entry in entries)
        {
            var key = entry.Key;
            if (key.Length > MaxKeyLength)
                throw new ModelFileException(origin, key[..64] + "...", $"is a metadata key of {key.Length} characters; at most {MaxKeyLength} are read.");
            var isOurs = key.StartsWith(OnnxModelContract.MetadataPrefix, StringComparison.Ordinal);
            if (isOurs && !OnnxModelContract.MetadataKeys.Contains(key))
                throw new ModelFileException(origin, key,
                    $"is not a metadata key MlNetRnn writes (it writes {string.Join(", ", OnnxModelContract.MetadataKeys.Order(StringComparer.Ordinal))}); the file was changed after export, or is from a newer MlNetRnn.");
            long bytes = Encoding.UTF8.GetByteCount(entry.Value);
            var cap = !isOurs || IsListKey(key) ? SequenceModelLimits.MaxModelDocumentBytes : SequenceModelLimits.MaxStateDocumentBytes;
            if (bytes > cap)
                throw new ModelFileException(origin, key, $"holds a metadata value of {bytes} bytes; a value under this key holds at most {cap}.");
            total += bytes + Encoding.UTF8.GetByteCount(key);
            if (total > SequenceModelLimits.MaxOnnxMetadataBytes)
                throw new ModelFileException(origin, key, $"brings the metadata past {SequenceModelLimits.MaxOnnxMetadataBytes} bytes (SequenceModelLimits.MaxOnnxMetadataBytes).");
            if (!metadata.TryAdd(key, entry.Value))
                throw new ModelFileException(origin, key, "appears twice in the metadata; each key is written once.");
        }
        return metadata;
    }

    private static bool IsListKey(string key) =>
        key is OnnxModelContract.VocabularyKey or OnnxModelContract.KeyNamesKey or OnnxModelContract.LabelsKey or OnnxModelContract.SchemaKey;

    /// <summary>Verifies the checksum when the metadata has one; returns whether it had one.</summary>
    public static bool VerifyChecksum(ModelProto proto, IReadOnlyDictionary<string, string> metadata, string origin)
    {
        if (!metadata.TryGetValue(OnnxModelContract.ChecksumKey, out var stated))
            return false;
        if (!OnnxChecksum.IsWellFormed(stated))
            throw new ModelFileException(origin, OnnxModelContract.ChecksumKey,
                $"is '{Short(stated)}'; expected '{OnnxChecksum.Prefix}' and 64 lower-case hex digits.");
        var actual = OnnxChecksum.Compute(proto);
        if (actual != stated)
            throw new ModelFileException(origin, OnnxModelContract.ChecksumKey,
                $"says {stated}; the model hashes to {actual}: its weights, graph or metadata were changed after export.");
        return true;
    }

    /// <summary>Every tensor of the graph and its subgraphs (initializers, Constant values) and every float attribute.</summary>
    public static void CheckTensors(GraphProto graph, string origin)
    {
        foreach (var tensor in graph.Initializer)
            CheckTensor(tensor, origin, $"initializer '{tensor.Name}'", tensor.Name);
        foreach (var node in graph.Node)
        {
            foreach (var attribute in node.Attribute)
            {
                var where = $"attribute '{attribute.Name}' of {node.OpType} node '{node.Name}'";
                if (attribute.T is { } t)
                    CheckTensor(t, origin, where, node.Name);
                foreach (var item in attribute.Tensors)
                    CheckTensor(item, origin, where, node.Name);
                if (!float.IsFinite(attribute.F))
                    throw new ModelFileException(origin, node.Name, $"{where} is {attribute.F}; every float attribute must be finite.");
                var bad = attribute.Floats.FirstOrDefault(f => !float.IsFinite(f), 0f);
                if (bad != 0f)
                    throw new ModelFileException(origin, node.Name, $"{where} holds {bad}; every float attribute must be finite.");
                if (attribute.G is { } subgraph)
                    CheckTensors(subgraph, origin);
                foreach (var g in attribute.Graphs)
                    CheckTensors(g, origin);
            }
        }
    }

    /// <summary>
    /// One tensor: data in the file (not external, not segmented), a defined element type, dims that are not negative
    /// and whose product is the number of values stored in the one field its type uses, and finite floating-point values.
    /// </summary>
    public static void CheckTensor(TensorProto tensor, string origin, string where, string entry)
    {
        ModelFileException Bad(string problem) => new(origin, entry, $"{where} {problem}");

        if (tensor.DataLocation == TensorProto.Types.DataLocation.External || tensor.ExternalData.Count > 0)
        {
            var location = tensor.ExternalData.FirstOrDefault(e => e.Key == "location")?.Value ?? "(no location)";
            throw Bad($"keeps its data in an external file ('{Short(location)}'); MlNetRnn reads self-contained ONNX files only, so that no path a file names is ever opened.");
        }
        if (tensor.Segment is not null)
            throw Bad("is one segment of a tensor; MlNetRnn reads whole tensors only.");
        long count = 1;
        foreach (var dim in tensor.Dims)
        {
            if (dim < 0)
                throw Bad($"has shape [{string.Join(", ", tensor.Dims)}]; a dimension cannot be negative.");
            // Bounded by the file's size below; the cap only keeps the product from overflowing.
            count = dim == 0 || count == 0 ? 0 : count > (1L << 40) / dim ? (1L << 40) + 1 : count * dim;
        }
        var type = (DataType)tensor.DataType;
        if (!Enum.IsDefined(type) || type == DataType.Undefined)
            throw Bad($"has element type {tensor.DataType}, which is not an ONNX tensor type.");
        var typeName = TypeName(tensor.DataType);
        var (elementBytes, field) = Storage(type);
        var raw = tensor.RawData.Length;
        var typed = new (string Name, long Count)[]
        {
            ("float_data", tensor.FloatData.Count), ("int32_data", tensor.Int32Data.Count), ("string_data", tensor.StringData.Count),
            ("int64_data", tensor.Int64Data.Count), ("double_data", tensor.DoubleData.Count), ("uint64_data", tensor.Uint64Data.Count),
        };
        var stray = typed.FirstOrDefault(t => t.Count > 0 && t.Name != field);
        if (stray.Name is not null)
            throw Bad($"({typeName}) holds {stray.Count} values in {stray.Name}, a field its type does not use ({field}).");
        var stored = typed.Single(t => t.Name == field).Count;
        var perValue = type is DataType.Complex64 or DataType.Complex128 ? 2 : 1;
        if (raw > 0 && stored > 0)
            throw Bad($"({typeName}) holds both raw_data and {field}; a tensor keeps its values in one of them.");
        if (raw > 0 || type != DataType.String && stored == 0)
        {
            if (type == DataType.String && raw > 0)
                throw Bad("(STRING) holds raw_data; strings are kept in string_data.");
            if (raw != count * elementBytes)
                throw Bad($"({typeName}) has shape [{string.Join(", ", tensor.Dims)}], {count} values of {elementBytes} bytes; its raw_data holds {raw} bytes.");
        }
        else if (stored != count * perValue)
        {
            throw Bad($"({typeName}) has shape [{string.Join(", ", tensor.Dims)}], {count} values; its {field} holds {stored / perValue}.");
        }
        RequireFinite(tensor, type, Bad);
    }

    /// <summary>Bytes per value in raw_data, and the typed field the values are kept in otherwise.</summary>
    private static (int Bytes, string Field) Storage(DataType type) => type switch
    {
        DataType.Float => (4, "float_data"),
        DataType.Complex64 => (8, "float_data"),
        DataType.Double => (8, "double_data"),
        DataType.Complex128 => (16, "double_data"),
        DataType.Int64 => (8, "int64_data"),
        DataType.Uint32 => (4, "uint64_data"),
        DataType.Uint64 => (8, "uint64_data"),
        DataType.String => (0, "string_data"),
        DataType.Int32 => (4, "int32_data"),
        DataType.Int16 or DataType.Uint16 or DataType.Float16 or DataType.Bfloat16 => (2, "int32_data"),
        _ => (1, "int32_data"),   // INT8, UINT8, BOOL
    };

    private static void RequireFinite(TensorProto tensor, DataType type, Func<string, ModelFileException> bad)
    {
        var raw = tensor.RawData.Span;
        long at = -1;
        double value = 0;
        switch (type)
        {
            case DataType.Float or DataType.Complex64:
                if (raw.Length > 0)
                {
                    for (var i = 0; i < raw.Length / 4 && at < 0; i++)
                    {
                        var f = BinaryPrimitives.ReadSingleLittleEndian(raw.Slice(i * 4, 4));
                        if (!float.IsFinite(f))
                            (at, value) = (i, f);
                    }
                }
                else
                {
                    for (var i = 0; i < tensor.FloatData.Count && at < 0; i++)
                    {
                        if (!float.IsFinite(tensor.FloatData[i]))
                            (at, value) = (i, tensor.FloatData[i]);
                    }
                }
                break;
            case DataType.Double or DataType.Complex128:
                if (raw.Length > 0)
                {
                    for (var i = 0; i < raw.Length / 8 && at < 0; i++)
                    {
                        var d = BinaryPrimitives.ReadDoubleLittleEndian(raw.Slice(i * 8, 8));
                        if (!double.IsFinite(d))
                            (at, value) = (i, d);
                    }
                }
                else
                {
                    for (var i = 0; i < tensor.DoubleData.Count && at < 0; i++)
                    {
                        if (!double.IsFinite(tensor.DoubleData[i]))
                            (at, value) = (i, tensor.DoubleData[i]);
                    }
                }
                break;
            case DataType.Float16 or DataType.Bfloat16:
            {
                // Exponent all ones: an infinity or NaN (float16: bits 10-14; bfloat16: bits 7-14).
                var exponent = type == DataType.Float16 ? 0x7C00 : 0x7F80;
                var count = raw.Length > 0 ? raw.Length / 2 : tensor.Int32Data.Count;
                for (var i = 0; i < count && at < 0; i++)
                {
                    var bits = raw.Length > 0 ? BinaryPrimitives.ReadUInt16LittleEndian(raw.Slice(i * 2, 2)) : tensor.Int32Data[i] & 0xFFFF;
                    if ((bits & exponent) == exponent)
                        (at, value) = (i, double.NaN);
                }
                break;
            }
        }
        if (at >= 0)
            throw bad($"[{string.Join(", ", tensor.Dims)}] holds {(double.IsNaN(value) ? "NaN" : value.ToString(System.Globalization.CultureInfo.InvariantCulture))} at element {at}; every weight must be finite.");
    }

    /// <summary>An element type as ONNX spells it (FLOAT, INT64), or its number when it is none.</summary>
    public static string TypeName(int type) =>
        Enum.IsDefined((DataType)type) ? ((DataType)type).ToString().ToUpperInvariant() : type.ToString(System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>A value cut for a message.</summary>
    public static string Short(string text) => text.Length > 80 ? text[..80] + "..." : text;
}
