using Google.Protobuf;
using MlNetRnn.OnnxExport.Onnx;
using MlNetRnn.OnnxExport.Proto;

namespace MlNetRnn.OnnxExport.Export;

/// <summary>Small helpers to add nodes, initializers, inputs and outputs to an ONNX graph with readable names.</summary>
internal sealed class OnnxGraphBuilder
{
    // Shared with the builders of subgraphs (Loop bodies), so every name in the model is unique.
    private readonly int[] _counter;

    public OnnxGraphBuilder()
        : this("mlnetrnn", [0])
    {
    }

    private OnnxGraphBuilder(string name, int[] counter)
    {
        Graph = new GraphProto { Name = name };
        _counter = counter;
    }

    public GraphProto Graph { get; }

    /// <summary>A builder for a subgraph (a Loop's body); its nodes may read this graph's values by name.</summary>
    public OnnxGraphBuilder Subgraph(string stem) => new(Fresh(stem), _counter);

    public string Fresh(string stem) => $"{stem}_{_counter[0]++}";

    public string Node(string op, IEnumerable<string> inputs, string output, params AttributeProto[] attributes) =>
        Node(op, inputs, [output], attributes)[0];

    public string[] Node(string op, IEnumerable<string> inputs, string[] outputs, params AttributeProto[] attributes) =>
        DomainNode("", op, inputs, outputs, attributes);

    /// <summary>A node of another operator domain, e.g. "ai.onnx.ml"; the model must import that domain.</summary>
    public string[] DomainNode(string domain, string op, IEnumerable<string> inputs, string[] outputs, params AttributeProto[] attributes)
    {
        var node = new NodeProto { OpType = op, Name = $"{op}_{_counter[0]++}", Domain = domain };
        node.Input.AddRange(inputs);
        node.Output.AddRange(outputs);
        node.Attribute.AddRange(attributes);
        Graph.Node.Add(node);
        return outputs;
    }

    public string Floats(string name, float[] values, params long[] shape)
    {
        Graph.Initializer.Add(OnnxTensor.FromFloats(name, values, shape).ToProto());
        return name;
    }

    public string Int64s(string name, long[] values, params long[] shape)
    {
        Graph.Initializer.Add(OnnxTensor.FromInt64s(name, values, shape).ToProto());
        return name;
    }

    public string Strings(string name, string[] values, params long[] shape)
    {
        var tensor = new TensorProto { Name = name, DataType = (int)TensorProto.Types.DataType.String };
        tensor.Dims.AddRange(shape);
        tensor.StringData.AddRange(values.Select(ByteString.CopyFromUtf8));
        Graph.Initializer.Add(tensor);
        return name;
    }

    public static AttributeProto GraphAttribute(string name, GraphProto graph) =>
        new() { Name = name, Type = AttributeProto.Types.AttributeType.Graph, G = graph };

    /// <summary>A one-element tensor attribute (ConstantOfShape's value).</summary>
    public static AttributeProto Tensor(string name, TensorProto value) =>
        new() { Name = name, Type = AttributeProto.Types.AttributeType.Tensor, T = value };

    public void Input(string name, TensorProto.Types.DataType type, params object[] dims) => Graph.Input.Add(Value(name, type, dims));

    /// <summary>An input or output of a subgraph: its element type, its shape left open.</summary>
    public void TypedInput(string name, TensorProto.Types.DataType type) => Graph.Input.Add(Typed(name, type));

    public void TypedOutput(string name, TensorProto.Types.DataType type) => Graph.Output.Add(Typed(name, type));

    private static ValueInfoProto Typed(string name, TensorProto.Types.DataType type) =>
        new() { Name = name, Type = new TypeProto { TensorType = new TypeProto.Types.Tensor { ElemType = (int)type } } };

    public void Output(string name, TensorProto.Types.DataType type, params object[] dims) => Graph.Output.Add(Value(name, type, dims));

    public static AttributeProto Int(string name, long value) =>
        new() { Name = name, Type = AttributeProto.Types.AttributeType.Int, I = value };

    public static AttributeProto Float(string name, float value) =>
        new() { Name = name, Type = AttributeProto.Types.AttributeType.Float, F = value };

    public static AttributeProto String(string name, string value) =>
        new() { Name = name, Type = AttributeProto.Types.AttributeType.String, S = ByteString.CopyFromUtf8(value) };

    public static AttributeProto Ints(string name, params long[] values)
    {
        var a = new AttributeProto { Name = name, Type = AttributeProto.Types.AttributeType.Ints };
        a.Ints.AddRange(values);
        return a;
    }

    public static AttributeProto Floats(string name, params float[] values)
    {
        var a = new AttributeProto { Name = name, Type = AttributeProto.Types.AttributeType.Floats };
        a.Floats.AddRange(values);
        return a;
    }

    public static AttributeProto Strings(string name, params string[] values)
    {
        var a = new AttributeProto { Name = name, Type = AttributeProto.Types.AttributeType.Strings };
        a.Strings.AddRange(values.Select(ByteString.CopyFromUtf8));
        return a;
    }

    /// <summary>A tensor value info; each dim is a long (fixed) or a string (symbolic).</summary>
    private static ValueInfoProto Value(string name, TensorProto.Types.DataType type, object[] dims)
    {
        var shape = new TensorShapeProto();
        foreach (var d in dims)
        {
            shape.Dim.Add(d switch
            {
                string symbol => new TensorShapeProto.Types.Dimension { DimParam = symbol },
                int value => new TensorShapeProto.Types.Dimension { DimValue = value },
                long value => new TensorShapeProto.Types.Dimension { DimValue = value },
                _ => throw new ArgumentException($"A dimension is a number or a name, got {d}."),
            });
        }
        return new ValueInfoProto
        {
            Name = name,
            Type = new TypeProto { TensorType = new TypeProto.Types.Tensor { ElemType = (int)type, Shape = shape } },
        };
    }
}
