using MlNetRnn.Network;
using MlNetRnn.OnnxExport.Onnx;
using MlNetRnn.OnnxExport.Proto;
using DataType = MlNetRnn.OnnxExport.Proto.TensorProto.Types.DataType;

namespace MlNetRnn.OnnxExport.Import;

/// <summary>
/// Reads a recurrent ONNX graph from another producer (torch.onnx.export) without running it: starting from the
/// prediction output, each tensor it depends on is worked out once, as a constant, shape arithmetic, zeros, or a tensor
/// computed from the model's input whose axes are tracked (<see cref="GraphValue"/>). Nodes the output does not depend
/// on are never looked at. What the network is follows from the tensors: the Gather over an initializer is the
/// embedding, the GRU/LSTM/RNN nodes the layers, the indexing or pooling between the top layer and the head the
/// read-out, the Gemm or MatMul + Add the head, the last operator the output activation. Anything else is refused
/// with a <see cref="ModelFileException"/> that names the node, its operator and what was expected.
/// </summary>
internal sealed partial class RecurrentGraphReader
{
    private const string Expected =
        "expected Gather (embedding), GRU/LSTM/RNN, Squeeze/Unsqueeze/Slice/Gather/Concat/Transpose/Reshape/Flatten (read-out), " +
        "ReduceMean/ReduceMax over time (pooling), Gemm or MatMul+Add (head), Sigmoid/Softmax/LogSoftmax (output), " +
        "and Constant/Shape/ConstantOfShape/Cast/Identity around them";

    private readonly GraphProto _graph;
    private readonly string _origin;
    private readonly long _opset;
    private readonly Dictionary<string, NodeProto> _producers = new(StringComparer.Ordinal);
    private readonly Dictionary<string, TensorProto> _initializers = new(StringComparer.Ordinal);
    private readonly Dictionary<string, ValueInfoProto> _graphInputs = new(StringComparer.Ordinal);
    private readonly Dictionary<string, GraphValue> _values = new(StringComparer.Ordinal);
    private readonly HashSet<NodeProto> _visiting = [];

    // The network's input, once a node has read it.
    private string? _inputName;
    private SequenceInputKind _inputKind;
    private int _inputWidth;
    private float[]? _embedding;
    private int _embeddingSize;

    private RecurrentGraphReader(ModelProto model, string origin)
    {
        _graph = model.Graph ?? throw new ModelFileException(origin, null, "is not an ONNX model: it has no graph.");
        _origin = origin;
        _opset = model.OpsetImport.Where(o => o.Domain is "" or "ai.onnx").Select(o => o.Version).DefaultIfEmpty(0).Max();
        foreach (var node in _graph.Node)
        {
            foreach (var output in node.Output.Where(o => o.Length > 0))
                _producers[output] = node;
        }
        foreach (var tensor in _graph.Initializer)
            _initializers[tensor.Name] = tensor;
        foreach (var input in _graph.Input.Where(i => !_initializers.ContainsKey(i.Name)))
            _graphInputs[input.Name] = input;
    }

    /// <summary>Reads the network that computes <paramref name="outputName"/> (default: the graph's first output).</summary>
    public static ImportedGraph Read(ModelProto model, string origin, string? outputName)
    {
        var reader = new RecurrentGraphReader(model, origin);
        return reader.ReadOutput(outputName);
    }

    private ImportedGraph ReadOutput(string? outputName)
    {
        if (_graph.Output.Count == 0)
            throw new ModelFileException(_origin, null, "has no graph output.");
        var output = outputName ?? _graph.Output[0].Name;
        if (!_graph.Output.Any(o => o.Name == output))
            throw new ModelFileException(_origin, output, $"is not an output of the graph; its outputs are {string.Join(", ", _graph.Output.Select(o => $"'{o.Name}'"))}.");
        var value = Evaluate(output);
        if (value is not HeadValue head)
            throw new ModelFileException(_origin, output, $"is the graph output to import, and it is {Describe(value)}, not a dense head's output; MlNetRnn's models end with one Linear layer (Gemm, or MatMul + Add) after the recurrent layers, optionally followed by Sigmoid, Softmax or LogSoftmax.");
        return Assemble(head);
    }

    /// <summary>What the graph knows about tensor <paramref name="name"/>, worked out once.</summary>
    private GraphValue Evaluate(string name)
    {
        if (_values.TryGetValue(name, out var known))
            return known;
        if (_initializers.TryGetValue(name, out var tensor))
            return _values[name] = new KnownValue(ReadTensor(tensor, $"initializer '{name}'"));
        if (_graphInputs.TryGetValue(name, out var input))
            return _values[name] = ReadGraphInput(input);
        if (!_producers.TryGetValue(name, out var node))
            throw new ModelFileException(_origin, name, "is read by a node and not produced by any node, initializer or graph input.");
        if (!_visiting.Add(node))
            throw Refuse(node, "its inputs depend on its own output (a cycle).");
        var outputs = EvaluateNode(node);
        _visiting.Remove(node);
        for (var i = 0; i < node.Output.Count && i < outputs.Length; i++)
        {
            if (node.Output[i].Length > 0)
                _values[node.Output[i]] = outputs[i];
        }
        return _values.TryGetValue(name, out var value) ? value
            : throw Refuse(node, $"output '{name}' is not one this importer produces for a {node.OpType} node.");
    }

    private GraphValue Evaluate(NodeProto node, int input) =>
        input < node.Input.Count && node.Input[input].Length > 0
            ? Evaluate(node.Input[input])
            : throw Refuse(node, $"input {input} is missing.");

    private GraphValue[] EvaluateNode(NodeProto node)
    {
        if (node.Domain is not ("" or "ai.onnx"))
            throw Refuse(node, $"operator domain '{node.Domain}' is not the default ONNX domain; {Expected}.");
        return node.OpType switch
        {
            "Constant" => [ConstantOf(node)],
            "Identity" or "Dropout" => [Evaluate(node, 0)],
            "Cast" => [Cast(node)],
            "Shape" => [ShapeOf(node)],
            "ConstantOfShape" => [ConstantOfShape(node)],
            "Gather" => [Gather(node)],
            "Unsqueeze" => [Unsqueeze(node)],
            "Squeeze" => [Squeeze(node)],
            "Concat" => [Concat(node)],
            "Slice" => [Slice(node)],
            "Transpose" => [Transpose(node)],
            "Reshape" => [Reshape(node)],
            "Flatten" => [Flatten(node)],
            "ReduceMean" or "ReduceMax" => [Reduce(node)],
            "GRU" or "LSTM" or "RNN" => Recurrent(node),
            "Gemm" => [Gemm(node)],
            "MatMul" => [MatMul(node)],
            "Add" => [Add(node)],
            "Sigmoid" => [OutputActivationOf(node, OutputActivation.Sigmoid)],
            "Softmax" => [OutputActivationOf(node, OutputActivation.Softmax)],
            "LogSoftmax" => [OutputActivationOf(node, OutputActivation.LogSoftmax)],
            _ => throw Refuse(node, Expected + "."),
        };
    }

    // ---- Inputs and constants ----

    private GraphValue ReadGraphInput(ValueInfoProto input)
    {
        var type = input.Type?.TensorType;
        var dims = type?.Shape?.Dim.ToList() ?? [];
        var element = (DataType)(type?.ElemType ?? 0);
        if (element is DataType.Int64 or DataType.Int32 && dims.Count == 2)
            return new TokensValue([new GraphAxis(AxisRole.Open, 0), new GraphAxis(AxisRole.Open, 0)], input.Name);
        if (element == DataType.Float && dims.Count == 3)
        {
            var width = !dims[2].HasDimValue ? 0
                : dims[2].DimValue is > 0 and <= SequenceModelLimits.MaxInputWidth ? (int)dims[2].DimValue
                : throw new ModelFileException(_origin, input.Name, $"is a graph input of {dims[2].DimValue} features a step; a dense input has 1 to {SequenceModelLimits.MaxInputWidth} (SequenceModelLimits.MaxInputWidth).");
            UseInput(input.Name, SequenceInputKind.Dense, width, null, 0, null);
            return new StepsValue([new GraphAxis(AxisRole.Open, 0), new GraphAxis(AxisRole.Open, 0), new GraphAxis(AxisRole.Features, width)], null, StepReduction.None);
        }
        throw new ModelFileException(_origin, input.Name, $"is a graph input of {element} with {dims.Count} dimensions; " +
            "the network's input is token ids (int64 or int32, 2 dimensions: batch and sequence in either order) or features (float, 3 dimensions, the features last).");
    }

    /// <summary>Records the network's input; a second one is refused.</summary>
    private void UseInput(string name, SequenceInputKind kind, int width, float[]? embedding, int embeddingSize, NodeProto? node)
    {
        if (_inputName is not null && _inputName != name)
        {
            var text = $"the network reads both '{_inputName}' and '{name}'; MlNetRnn's models have one input (token ids or features per step).";
            throw node is null ? new ModelFileException(_origin, name, text) : Refuse(node, text);
        }
        _inputName = name;
        _inputKind = kind;
        _inputWidth = width;
        _embedding = embedding;
        _embeddingSize = embeddingSize;
    }

    private KnownValue ConstantOf(NodeProto node)
    {
        var attribute = node.Attribute.FirstOrDefault() ?? throw Refuse(node, "has no value attribute.");
        var name = node.Output[0];
        return new KnownValue(attribute.Name switch
        {
            "value" => ReadTensor(attribute.T, $"node '{node.Name}' value"),
            "value_float" => OnnxTensor.FromFloats(name, [attribute.F]),
            "value_floats" => OnnxTensor.FromFloats(name, [.. attribute.Floats], attribute.Floats.Count),
            "value_int" => OnnxTensor.FromInt64s(name, [attribute.I]),
            "value_ints" => OnnxTensor.FromInt64s(name, [.. attribute.Ints], attribute.Ints.Count),
            _ => throw Refuse(node, $"attribute '{attribute.Name}' is not a numeric tensor (value, value_float(s), value_int(s))."),
        });
    }

    private OnnxTensor ReadTensor(TensorProto tensor, string what)
    {
        try
        {
            return OnnxTensor.FromProto(tensor, what);
        }
        catch (Exception e) when (e is NotSupportedException or InvalidDataException)
        {
            throw new ModelFileException(_origin, tensor.Name.Length > 0 ? tensor.Name : what, e.Message, e);
        }
    }

    private GraphValue ConstantOfShape(NodeProto node)
    {
        var value = Attribute(node, "value");
        if (value is null || ReadTensor(value.T, $"node '{node.Name}' value") is { ElementType: DataType.Float } t && t.Floats.All(v => v == 0f))
            return new ZerosValue();
        throw Refuse(node, "fills a tensor with a value other than float zero; only zero initial states are imported.");
    }

    private GraphValue Cast(NodeProto node)
    {
        var value = Evaluate(node, 0);
        var to = (DataType)(Attribute(node, "to")?.I ?? 0);
        return value switch
        {
            StepsValue or StatesValue or HeadValue or ZerosValue when to == DataType.Float => value,
            TokensValue when to is DataType.Int64 or DataType.Int32 => value,
            DimsValue or KnownValue { Tensor.ElementType: DataType.Int64 or DataType.Int32 } when to is DataType.Int64 or DataType.Int32 => AsDims(node, value),
            KnownValue { Tensor.ElementType: DataType.Float } when to == DataType.Float => value,
            _ => throw Refuse(node, $"casts {Describe(value)} to {to}; only casts that keep a float tensor float or integers integer are followed."),
        };
    }

    /// <summary>
    /// Whether tensor <paramref name="name"/> is known to hold only zeros: absent, a zero initializer or Constant,
    /// ConstantOfShape of zero, or a slice, reshape, expansion or concatenation of such. Used for initial states,
    /// which PyTorch builds as zeros of the batch's size when the module is called without them.
    /// </summary>
    private bool IsZero(string name)
    {
        if (name.Length == 0)
            return true;
        if (_initializers.TryGetValue(name, out var tensor))
            return ReadTensor(tensor, $"initializer '{name}'") is { ElementType: DataType.Float } t && t.Floats.All(v => v == 0f);
        if (!_producers.TryGetValue(name, out var node))
            return false;
        return node.OpType switch
        {
            "Constant" => ConstantOf(node).Tensor is { ElementType: DataType.Float } c && c.Floats.All(v => v == 0f),
            "ConstantOfShape" => Attribute(node, "value") is not { } v || ReadTensor(v.T, $"node '{node.Name}' value") is { ElementType: DataType.Float } z && z.Floats.All(f => f == 0f),
            "Identity" or "Cast" or "Expand" or "Slice" or "Gather" or "Reshape" or "Squeeze" or "Unsqueeze" or "Transpose" or "Tile" => IsZero(node.Input[0]),
            "Concat" => node.Input.All(IsZero),
            _ => false,
        };
    }

    // ---- Helpers ----

    private static AttributeProto? Attribute(NodeProto node, string name) => node.Attribute.FirstOrDefault(a => a.Name == name);

    private static long IntAttribute(NodeProto node, string name, long fallback) => Attribute(node, name)?.I ?? fallback;

    private static float FloatAttribute(NodeProto node, string name, float fallback) => Attribute(node, name) is { } a ? a.F : fallback;

    /// <summary>Integer constants of input <paramref name="input"/>, or of attribute <paramref name="attribute"/> where
    /// the node has no such input (older opsets keep axes, starts and ends as attributes); null when it has neither.</summary>
    private long[]? Integers(NodeProto node, int input, string? attribute = null)
    {
        if (input < node.Input.Count && node.Input[input].Length > 0)
        {
            var dims = AsDims(node, Evaluate(node.Input[input]));
            if (dims.Dims.Any(d => d.Axis is { IsDynamic: true }))
                throw Refuse(node, $"input {input} ('{node.Input[input]}') depends on a dynamic length; a constant is expected there.");
            return dims.Dims.Select(d => d.Value).ToArray();
        }
        return attribute is not null && Attribute(node, attribute) is { } a ? [.. a.Ints] : null;
    }

    private DimsValue AsDims(NodeProto node, GraphValue value) => value switch
    {
        DimsValue dims => dims,
        KnownValue { Tensor: var t } when t.ElementType is DataType.Int64 or DataType.Int32 && t.Shape.Count <= 1 =>
            new DimsValue(t.Int64s.Select(v => new Dim(v, null)).ToArray(), t.Shape.Count == 0),
        _ => throw Refuse(node, $"expects integer shape values (a constant or Shape arithmetic), got {Describe(value)}."),
    };

    private float[] Floats(NodeProto node, int input, string what, params long[] shape)
    {
        var value = Evaluate(node, input);
        if (value is not KnownValue { Tensor: { ElementType: DataType.Float } t })
            throw Refuse(node, $"{what} ('{node.Input[input]}') is {Describe(value)}; a float initializer or Constant is expected.");
        if (!t.Shape.SequenceEqual(shape))
            throw Refuse(node, $"{what} ('{node.Input[input]}') has shape {t.ShapeText}; [{string.Join(", ", shape)}] is expected.");
        return t.Floats;
    }

    private ModelFileException Refuse(NodeProto node, string problem) =>
        new(_origin, node.Name.Length > 0 ? node.Name : $"({node.OpType} node writing '{node.Output.FirstOrDefault()}')", $"{node.OpType} node: {problem}");

    private static string Describe(GraphValue value) => value switch
    {
        KnownValue k => $"a constant {k.Tensor.ElementType} {k.Tensor.ShapeText}",
        DimsValue => "shape arithmetic",
        ZerosValue => "a tensor of zeros",
        TokensValue t => $"the token ids {GraphAxis.Describe(t.Axes)}",
        StepsValue { Layer: null } s => $"the network's input per step {GraphAxis.Describe(s.Axes)}",
        StepsValue s => (s.Reduction == StepReduction.None ? "the outputs Y" : $"the {s.Reduction} over time of the outputs Y") +
                        $" of {s.Layer!.Describe()} {GraphAxis.Describe(s.Axes)}",
        StatesValue s => $"final states ({string.Join("; ", s.Entries)}) {GraphAxis.Describe(s.Axes)}",
        HeadValue h => $"the head's outputs {GraphAxis.Describe(h.Axes)}",
        _ => value.GetType().Name,
    };
}
