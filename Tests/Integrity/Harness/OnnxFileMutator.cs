using System.Text;
using Google.Protobuf;
using MlNetRnn.OnnxExport.Export;
using MlNetRnn.OnnxExport.Onnx;
using MlNetRnn.OnnxExport.Proto;

namespace MlNetRnn.Tests.Integrity;

/// <summary>
/// Damages an ONNX file, seeded. Byte level (<see cref="ByteMutations"/>), and a length-delimited protobuf field's
/// length rewritten (past the end, short, 0, 2^31-1, 2^32-1). Structure-aware, on the parsed model: a tensor's dims
/// (0, -1, 2^31, 2^31-1, 2^40, one added or removed), its data (cut, emptied, longer), its element type, a float of it
/// (NaN, ±Infinity, 3e38, negated, a bit flipped); an MlNetRnn metadata value's JSON rewritten
/// (<see cref="ModelFileMutator.EditJson"/>: sizes that lie, nulls, wrong types and enum values, elements removed or
/// added), replaced by a huge string or by text that is not JSON; a metadata key removed, repeated, renamed or added;
/// a node removed, repeated, of another operator or reading another value; an attribute of a node (the recurrent
/// nodes' hidden_size among them) set to 0/-1/2^31-1, removed or of another type; a graph input's or output's name,
/// type or dims; the opsets, IR version and producer. Every graph is a target, the raw-text graph's Loop bodies too.
/// <para>Oracle strength: an export with its checksum is strict (only a refusal or an identical result), unless the
/// structure-aware change was re-signed (half of them: the checksum computed again, as a tool that rewrites a file
/// would), which then tests the metadata and graph checks behind the checksum, with another valid model allowed
/// (<see cref="Outcome.LoadedOther"/>). An export without its checksum and a foreign graph cannot tell a weight changed
/// within range from one trained so: relaxed.</para>
/// </summary>
internal static class OnnxFileMutator
{
    public static readonly string[] Categories =
    [
        "bit-flip", "byte-set", "truncate", "insert", "zero-run", "length-lie", "length-lie",
        "tensor-dims", "tensor-data", "tensor-type", "float-value", "float-value",
        "metadata-json", "metadata-json", "metadata-json", "metadata-text", "metadata-huge", "metadata-key",
        "node", "attribute", "attribute", "graph-io", "header",
    ];

    public static Mutation Mutate(byte[] original, bool signed, Random random)
    {
        var category = Categories[random.Next(Categories.Length)];
        if (category is "bit-flip" or "byte-set" or "truncate" or "insert" or "zero-run")
        {
            var (bytes, description) = ByteMutations.Apply(category, original, random);
            return new Mutation(category, description, bytes, signed);
        }
        if (category == "length-lie")
        {
            var (bytes, description) = LengthLie(original, random);
            return new Mutation(category, description, bytes, signed);
        }
        var proto = ModelProto.Parser.ParseFrom(original);
        var what = category switch
        {
            "tensor-dims" => TensorDims(proto, random),
            "tensor-data" => TensorData(proto, random),
            "tensor-type" => TensorType(proto, random),
            "float-value" => FloatValue(proto, random),
            "metadata-json" => MetadataJson(proto, random),
            "metadata-text" => MetadataText(proto, random),
            "metadata-huge" => MetadataHuge(proto, random),
            "metadata-key" => MetadataKey(proto, random),
            "node" => Node(proto, random),
            "attribute" => Attribute(proto, random),
            "graph-io" => GraphIo(proto, random),
            _ => Header(proto, random),
        };
        var resigned = signed && random.Next(2) == 0 && Resign(proto);
        return new Mutation(category, what + (resigned ? " (checksum recomputed)" : ""), proto.ToByteArray(), signed && !resigned);
    }

    /// <summary>Recomputes the checksum entry of a changed export; false when it has none (any more).</summary>
    private static bool Resign(ModelProto proto)
    {
        var entry = proto.MetadataProps.FirstOrDefault(p => p.Key == OnnxModelContract.ChecksumKey);
        if (entry is null)
            return false;
        entry.Value = OnnxChecksum.Compute(proto);
        return true;
    }

    private static T Pick<T>(Random random, IReadOnlyList<T> items) => items[random.Next(items.Count)];

    /// <summary>Every graph of the model: the main graph and, depth first, the graphs in node attributes (Loop bodies).</summary>
    private static List<GraphProto> Graphs(ModelProto proto)
    {
        var graphs = new List<GraphProto>();
        void Visit(GraphProto graph)
        {
            graphs.Add(graph);
            foreach (var attribute in graph.Node.SelectMany(n => n.Attribute))
            {
                if (attribute.G is not null)
                    Visit(attribute.G);
                foreach (var g in attribute.Graphs)
                    Visit(g);
            }
        }
        if (proto.Graph is not null)
            Visit(proto.Graph);
        return graphs;
    }

    private static List<TensorProto> Tensors(ModelProto proto) =>
        [.. Graphs(proto).SelectMany(g => g.Initializer.Concat(g.Node.SelectMany(n => n.Attribute).Where(a => a.T is not null).Select(a => a.T)))];

    private static readonly long[] Dims = [0, -1, 1L << 31, int.MaxValue, 1L << 40, 1, long.MinValue];

    private static string TensorDims(ModelProto proto, Random random)
    {
        var tensor = Pick(random, Tensors(proto));
        switch (random.Next(4))
        {
            case 0 when tensor.Dims.Count > 0:
                var at = random.Next(tensor.Dims.Count);
                tensor.Dims.RemoveAt(at);
                return $"tensor '{tensor.Name}': dim {at} removed";
            case 1:
                var value = Pick(random, Dims);
                tensor.Dims.Add(value);
                return $"tensor '{tensor.Name}': dim {value} appended";
            default:
                if (tensor.Dims.Count == 0)
                {
                    tensor.Dims.Add(2);
                    return $"tensor '{tensor.Name}': a scalar made [2]";
                }
                var i = random.Next(tensor.Dims.Count);
                var dim = random.Next(3) == 0 ? tensor.Dims[i] * 2 + 1 : Pick(random, Dims);
                tensor.Dims[i] = dim;
                return $"tensor '{tensor.Name}': dim {i} -> {dim}";
        }
    }

    private static string TensorData(ModelProto proto, Random random)
    {
        var tensor = Pick(random, Tensors(proto));
        if (tensor.RawData.Length > 0)
        {
            var raw = tensor.RawData.ToByteArray();
            var (bytes, what) = random.Next(3) switch
            {
                0 => (raw[..random.Next(raw.Length)], "raw data cut"),
                1 => ([.. raw, .. new byte[1 + random.Next(9)]], "raw data longer"),
                _ => (Array.Empty<byte>(), "raw data emptied"),
            };
            tensor.RawData = ByteString.CopyFrom(bytes);
            return $"tensor '{tensor.Name}': {what} ({raw.Length} -> {bytes.Length} bytes)";
        }
        switch (random.Next(4))
        {
            case 0:
                tensor.FloatData.Add(1f);
                tensor.Int64Data.Add(1);
                return $"tensor '{tensor.Name}': one more float and int64 element";
            case 1:
                tensor.FloatData.Clear();
                tensor.Int64Data.Clear();
                tensor.Int32Data.Clear();
                tensor.StringData.Clear();
                return $"tensor '{tensor.Name}': typed data cleared";
            case 2:
                tensor.StringData.Add(ByteString.CopyFromUtf8(new string('x', 1 + random.Next(1 << 16))));
                return $"tensor '{tensor.Name}': a string element added";
            default:
                tensor.RawData = ByteString.CopyFrom(new byte[4 * (1 + random.Next(8))]);
                return $"tensor '{tensor.Name}': raw data beside its typed data";
        }
    }

    private static string TensorType(ModelProto proto, Random random)
    {
        var tensor = Pick(random, Tensors(proto));
        var type = random.Next(3) == 0 ? random.Next(-2, 100) : random.Next(0, 17);
        var before = tensor.DataType;
        tensor.DataType = type;
        return $"tensor '{tensor.Name}': data type {before} -> {type}";
    }

    private static string FloatValue(ModelProto proto, Random random)
    {
        var floats = Tensors(proto).Where(t => t.DataType == (int)TensorProto.Types.DataType.Float && (t.RawData.Length >= 4 || t.FloatData.Count > 0)).ToList();
        if (floats.Count == 0)
            return "no float tensor, unchanged";
        var tensor = Pick(random, floats);
        var values = tensor.RawData.Length >= 4
            ? System.Runtime.InteropServices.MemoryMarshal.Cast<byte, float>(tensor.RawData.Span).ToArray()
            : tensor.FloatData.ToArray();
        var at = random.Next(values.Length);
        var kind = random.Next(7);
        var (value, what) = kind == 5
            ? (BitConverter.Int32BitsToSingle(0x7FC00001 | (random.Next() & 0x003FFFFF)), "a NaN payload")
            : ModelFileMutator.DamageFloat(values[at], kind == 6 ? 5 : kind, random);
        values[at] = value;
        if (tensor.RawData.Length >= 4)
            tensor.RawData = ByteString.CopyFrom(System.Runtime.InteropServices.MemoryMarshal.AsBytes(values.AsSpan()));
        else
            tensor.FloatData[at] = value;
        return $"tensor '{tensor.Name}': float {at} {what}";
    }

    private static StringStringEntryProto? PickMetadata(ModelProto proto, Random random, Func<StringStringEntryProto, bool> where)
    {
        var entries = proto.MetadataProps.Where(where).ToList();
        return entries.Count == 0 ? null : Pick(random, entries);
    }

    private static bool IsJson(string value) => value.StartsWith('{') || value.StartsWith('[');

    private static string MetadataJson(ModelProto proto, Random random)
    {
        var entry = PickMetadata(proto, random, p => IsJson(p.Value));
        if (entry is null)
            return MetadataText(proto, random);
        var (bytes, what) = ModelFileMutator.EditJson(Encoding.UTF8.GetBytes(entry.Value), random);
        entry.Value = Encoding.UTF8.GetString(bytes);
        return $"metadata '{entry.Key}' {what}";
    }

    private static string MetadataText(ModelProto proto, Random random)
    {
        var entry = PickMetadata(proto, random, _ => true);
        if (entry is null)
            return "no metadata, unchanged";
        var value = random.Next(12) switch
        {
            0 => "",
            1 => "null",
            2 => "{",
            3 => entry.Value[..(entry.Value.Length / 2)],
            4 => "NaN",
            5 => "2147483648",
            6 => "-1",
            7 => "\u0000",
            8 => "[null]",
            9 => entry.Value.ToUpperInvariant(),
            10 => "{\"Cell\":\"Gru\"}",
            _ => entry.Value + " ",
        };
        entry.Value = value;
        return $"metadata '{entry.Key}' -> '{(value.Length > 40 ? value[..40] + "..." : value)}'";
    }

    private static string MetadataHuge(ModelProto proto, Random random)
    {
        var entry = PickMetadata(proto, random, _ => true);
        if (entry is null)
            return "no metadata, unchanged";
        if (IsJson(entry.Value) && random.Next(2) == 0)
        {
            var (bytes, what) = ModelFileMutator.HugeString(Encoding.UTF8.GetBytes(entry.Value), random);
            entry.Value = Encoding.UTF8.GetString(bytes);
            return $"metadata '{entry.Key}' {what}";
        }
        var length = (1 + random.Next(8)) << 20;
        entry.Value = new string('A', length);
        return $"metadata '{entry.Key}': a string of {length} characters";
    }

    private static string MetadataKey(ModelProto proto, Random random)
    {
        if (proto.MetadataProps.Count == 0 || random.Next(5) == 0)
        {
            var key = Pick(random, new[] { "mlnetrnn.bogus", "mlnetrnn.", "", "MLNETRNN.SPEC", new string('k', 1 << 20) });
            proto.MetadataProps.Add(new StringStringEntryProto { Key = key, Value = "{}" });
            return $"metadata key '{(key.Length > 40 ? key[..40] + "..." : key)}' added";
        }
        var at = random.Next(proto.MetadataProps.Count);
        var entry = proto.MetadataProps[at];
        switch (random.Next(3))
        {
            case 0:
                proto.MetadataProps.RemoveAt(at);
                return $"metadata '{entry.Key}' removed";
            case 1:
                proto.MetadataProps.Add(entry.Clone());
                return $"metadata '{entry.Key}' repeated";
            default:
                var key = entry.Key;
                entry.Key = random.Next(2) == 0 ? key.ToUpperInvariant() : key + "x";
                return $"metadata '{key}' renamed '{entry.Key}'";
        }
    }

    private static string Node(ModelProto proto, Random random)
    {
        var graph = Pick(random, Graphs(proto).Where(g => g.Node.Count > 0).ToList());
        var at = random.Next(graph.Node.Count);
        var node = graph.Node[at];
        switch (random.Next(5))
        {
            case 0:
                graph.Node.RemoveAt(at);
                return $"node {at} ({node.OpType}) removed";
            case 1:
                graph.Node.Insert(at, node.Clone());
                return $"node {at} ({node.OpType}) repeated";
            case 2:
                var op = Pick(random, new[] { "Relu", "Gemm", "MatMul", "Bogus", "", "Loop", "GRU", "LSTM", "RNN", "Softmax" });
                var before = node.OpType;
                node.OpType = op;
                return $"node {at}: {before} -> {op}";
            case 3 when node.Input.Count > 0:
                var names = graph.Node.SelectMany(n => n.Output).Concat(graph.Initializer.Select(t => t.Name)).Append("").Append("missing").ToList();
                var i = random.Next(node.Input.Count);
                var name = Pick(random, names);
                node.Input[i] = name;
                return $"node {at} ({node.OpType}): input {i} -> '{name}'";
            default:
                node.Domain = Pick(random, new[] { "com.microsoft", "ai.onnx.ml", "bogus" });
                return $"node {at} ({node.OpType}): domain '{node.Domain}'";
        }
    }

    private static string Attribute(ModelProto proto, Random random)
    {
        var nodes = Graphs(proto).SelectMany(g => g.Node).Where(n => n.Attribute.Count > 0).ToList();
        if (nodes.Count == 0)
            return "no attribute, unchanged";
        // Half the time a recurrent node's: their sizes and directions are what the graph's shapes follow from.
        var recurrent = nodes.Where(n => n.OpType is "GRU" or "LSTM" or "RNN").ToList();
        var node = recurrent.Count > 0 && random.Next(2) == 0 ? Pick(random, recurrent) : Pick(random, nodes);
        var at = random.Next(node.Attribute.Count);
        var attribute = node.Attribute[at];
        switch (random.Next(6))
        {
            case 0:
                node.Attribute.RemoveAt(at);
                return $"{node.OpType} '{node.Name}': attribute {attribute.Name} removed";
            case 1:
                attribute.Type = (AttributeProto.Types.AttributeType)random.Next(0, 15);
                return $"{node.OpType} '{node.Name}': attribute {attribute.Name} type -> {attribute.Type}";
            case 2:
                attribute.S = ByteString.CopyFromUtf8(Pick(random, new[] { "", "bogus", "forward", "reverse", "bidirectional", "Sigmoid", new string('s', 1 << 18) }));
                return $"{node.OpType} '{node.Name}': attribute {attribute.Name} s -> '{Short(attribute.S.ToStringUtf8())}'";
            case 3:
                attribute.F = Pick(random, new[] { float.NaN, float.PositiveInfinity, -1f, 0f, 1e30f });
                return $"{node.OpType} '{node.Name}': attribute {attribute.Name} f -> {attribute.F}";
            case 4:
                attribute.Ints.Add(Pick(random, Dims));
                return $"{node.OpType} '{node.Name}': attribute {attribute.Name} one more int";
            default:
                var value = Pick(random, Dims);
                attribute.I = value;
                return $"{node.OpType} '{node.Name}': attribute {attribute.Name} i -> {value}";
        }
    }

    private static string GraphIo(ModelProto proto, Random random)
    {
        var graph = proto.Graph;
        var values = graph.Input.Select(v => (v, "input")).Concat(graph.Output.Select(v => (v, "output"))).ToList();
        if (values.Count == 0)
            return "no inputs or outputs, unchanged";
        var (value, kind) = Pick(random, values);
        switch (random.Next(5))
        {
            case 0:
                (kind == "input" ? graph.Input : graph.Output).Remove(value);
                return $"graph {kind} '{value.Name}' removed";
            case 1:
                var name = value.Name;
                value.Name = name + "_renamed";
                return $"graph {kind} '{name}' renamed";
            case 2 when value.Type?.TensorType is not null:
                value.Type.TensorType.ElemType = random.Next(0, 17);
                return $"graph {kind} '{value.Name}': element type -> {value.Type.TensorType.ElemType}";
            case 3 when value.Type?.TensorType?.Shape is { Dim.Count: > 0 } shape:
                var d = random.Next(shape.Dim.Count);
                var dim = Pick(random, Dims);
                shape.Dim[d] = new TensorShapeProto.Types.Dimension { DimValue = dim };
                return $"graph {kind} '{value.Name}': dim {d} -> {dim}";
            default:
                value.Type = null;
                return $"graph {kind} '{value.Name}': type removed";
        }
    }

    private static string Header(ModelProto proto, Random random)
    {
        switch (random.Next(5))
        {
            case 0 when proto.OpsetImport.Count > 0:
                var opset = Pick(random, proto.OpsetImport);
                opset.Version = Pick(random, new long[] { 0, -1, 1, 13, 22, 100, long.MaxValue });
                return $"opset '{opset.Domain}' -> {opset.Version}";
            case 1:
                proto.OpsetImport.Add(new OperatorSetIdProto { Domain = "", Version = 7 });
                return "a second default-domain opset (7)";
            case 2:
                proto.IrVersion = Pick(random, new long[] { 0, -1, 2, 100, long.MaxValue });
                return $"IR version -> {proto.IrVersion}";
            case 3:
                proto.ProducerName = new string('p', (1 + random.Next(4)) << 20);
                return $"producer name of {proto.ProducerName.Length} characters";
            default:
                proto.OpsetImport.Clear();
                return "opsets removed";
        }
    }

    private static string Short(string text) => text.Length > 40 ? text[..40] + "..." : text;

    /// <summary>A length-delimited field of the file (at any depth that parses as messages) with its length rewritten.</summary>
    private static (byte[], string) LengthLie(byte[] bytes, Random random)
    {
        var fields = new List<(int At, int Size, ulong Length, int Depth)>();
        Walk(bytes, 0, bytes.Length, 0, fields);
        if (fields.Count == 0)
            return ByteMutations.Apply("bit-flip", bytes, random);
        var (at, size, length, depth) = Pick(random, fields);
        ulong lie = random.Next(7) switch
        {
            0 => length + 1,
            1 => length + 1 + (ulong)random.Next(1 << 16),
            2 => length == 0 ? 1 : length - 1,
            3 => 0,
            4 => int.MaxValue,
            5 => uint.MaxValue,
            _ => (ulong)bytes.Length,
        };
        var encoded = new List<byte>();
        for (var v = lie; ; v >>= 7)
        {
            if (v < 0x80)
            {
                encoded.Add((byte)v);
                break;
            }
            encoded.Add((byte)(v & 0x7F | 0x80));
        }
        return ([.. bytes[..at], .. encoded, .. bytes[(at + size)..]], $"length of the field at byte {at} (depth {depth}): {length} -> {lie}");
    }

    // Collects every length-delimited field of bytes[start..end]; false when the range does not parse as a message
    // (then its fields are not taken: it is a string or packed data).
    private static bool Walk(byte[] bytes, int start, int end, int depth, List<(int, int, ulong, int)> fields)
    {
        var found = new List<(int, int, ulong, int)>();
        var position = start;
        while (position < end)
        {
            if (!Varint(bytes, ref position, end, out var tag) || tag >> 3 == 0)
                return false;
            switch ((int)(tag & 7))
            {
                case 0:
                    if (!Varint(bytes, ref position, end, out _))
                        return false;
                    break;
                case 1:
                    position += 8;
                    break;
                case 5:
                    position += 4;
                    break;
                case 2:
                    var at = position;
                    if (!Varint(bytes, ref position, end, out var length) || length > (ulong)(end - position))
                        return false;
                    found.Add((at, position - at, length, depth));
                    if (depth < 8 && length > 0)
                        Walk(bytes, position, position + (int)length, depth + 1, found);
                    position += (int)length;
                    break;
                default:
                    return false;
            }
        }
        if (position != end)
            return false;
        fields.AddRange(found);
        return true;
    }

    private static bool Varint(byte[] bytes, ref int position, int end, out ulong value)
    {
        value = 0;
        for (var shift = 0; shift < 64; shift += 7)
        {
            if (position >= end)
                return false;
            var b = bytes[position++];
            value |= (ulong)(b & 0x7F) << shift;
            if (b < 0x80)
                return true;
        }
        return false;
    }
}
