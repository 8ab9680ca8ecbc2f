using Google.Protobuf;
using MlNetRnn.Kernels;
using MlNetRnn.OnnxExport.Proto;

namespace MlNetRnn.Tests.Runtime;

/// <summary>Small ONNX models built at test time with the generated protobuf classes.</summary>
internal static class TestModels
{
    public const int IrVersion = 8;
    public const int Opset = 14;

    /// <summary>
    /// One RNN/GRU/LSTM node (layout 0) whose every input is a graph input, so a test feeds its own weights:
    /// X [T, B, I], W, R, B, sequence_lens [B] (int32), initial_h [D, B, H] (+ initial_c, P for LSTM);
    /// outputs Y [T, D, B, H], Y_h (+ Y_c). T and B are symbolic ("T", "B").
    /// </summary>
    public static ModelProto Recurrent(RecurrentDescriptor d)
    {
        int D = d.NumDirections, G = d.GateCount, H = d.HiddenSize, I = d.InputSize;
        var lstm = d.Cell == RecurrentCell.Lstm;
        var node = new NodeProto
        {
            Name = "recurrent",
            OpType = d.Cell switch { RecurrentCell.Rnn => "RNN", RecurrentCell.Gru => "GRU", _ => "LSTM" },
        };
        node.Input.AddRange(lstm
            ? ["X", "W", "R", "B", "sequence_lens", "initial_h", "initial_c", "P"]
            : ["X", "W", "R", "B", "sequence_lens", "initial_h"]);
        node.Output.AddRange(lstm ? ["Y", "Y_h", "Y_c"] : ["Y", "Y_h"]);
        node.Attribute.Add(IntAttribute("hidden_size", H));
        node.Attribute.Add(new AttributeProto
        {
            Name = "direction",
            Type = AttributeProto.Types.AttributeType.String,
            S = ByteString.CopyFromUtf8(d.Direction switch
            {
                RecurrentDirection.Forward => "forward",
                RecurrentDirection.Reverse => "reverse",
                _ => "bidirectional",
            }),
        });
        if (d.Cell == RecurrentCell.Gru)
            node.Attribute.Add(IntAttribute("linear_before_reset", d.LinearBeforeReset ? 1 : 0));

        var graph = new GraphProto { Name = $"{node.OpType}_{d.Direction}" };
        graph.Node.Add(node);
        graph.Input.Add(Value("X", TensorProto.Types.DataType.Float, "T", "B", I));
        graph.Input.Add(Value("W", TensorProto.Types.DataType.Float, D, G * H, I));
        graph.Input.Add(Value("R", TensorProto.Types.DataType.Float, D, G * H, H));
        graph.Input.Add(Value("B", TensorProto.Types.DataType.Float, D, 2 * G * H));
        graph.Input.Add(Value("sequence_lens", TensorProto.Types.DataType.Int32, "B"));
        graph.Input.Add(Value("initial_h", TensorProto.Types.DataType.Float, D, "B", H));
        if (lstm)
        {
            graph.Input.Add(Value("initial_c", TensorProto.Types.DataType.Float, D, "B", H));
            graph.Input.Add(Value("P", TensorProto.Types.DataType.Float, D, 3 * H));
        }
        graph.Output.Add(Value("Y", TensorProto.Types.DataType.Float, "T", D, "B", H));
        graph.Output.Add(Value("Y_h", TensorProto.Types.DataType.Float, D, "B", H));
        if (lstm)
            graph.Output.Add(Value("Y_c", TensorProto.Types.DataType.Float, D, "B", H));
        return Model(graph);
    }

    /// <summary>
    /// Y = X + bias (float, [batch, 3]) and Count = Shape(X) (int64, [2]), with model fields and metadata_props set,
    /// for reading names, types, shapes and metadata back.
    /// </summary>
    public static ModelProto Described(IReadOnlyDictionary<string, string> metadata)
    {
        var graph = new GraphProto { Name = "described_graph", DocString = "graph doc" };
        var add = new NodeProto { Name = "add", OpType = "Add" };
        add.Input.AddRange(["X", "bias"]);
        add.Output.Add("Y");
        var shape = new NodeProto { Name = "shape", OpType = "Shape" };
        shape.Input.Add("X");
        shape.Output.Add("Count");
        graph.Node.AddRange([add, shape]);
        var bias = new TensorProto { Name = "bias", DataType = (int)TensorProto.Types.DataType.Float };
        bias.Dims.Add(3);
        bias.FloatData.AddRange([0.5f, -1f, 2f]);
        graph.Initializer.Add(bias);
        graph.Input.Add(Value("X", TensorProto.Types.DataType.Float, "batch", 3));
        graph.Output.Add(Value("Y", TensorProto.Types.DataType.Float, "batch", 3));
        graph.Output.Add(Value("Count", TensorProto.Types.DataType.Int64, 2));

        var model = Model(graph);
        model.ProducerName = "MlNetRnn.Tests";
        model.Domain = "mlnetrnn.test";
        model.ModelVersion = 7;
        model.DocString = "model doc";
        foreach (var (key, value) in metadata)
            model.MetadataProps.Add(new StringStringEntryProto { Key = key, Value = value });
        return model;
    }

    private static ModelProto Model(GraphProto graph)
    {
        var model = new ModelProto { IrVersion = IrVersion, Graph = graph };
        model.OpsetImport.Add(new OperatorSetIdProto { Domain = "", Version = Opset });
        return model;
    }

    private static AttributeProto IntAttribute(string name, long value) =>
        new() { Name = name, Type = AttributeProto.Types.AttributeType.Int, I = value };

    /// <summary>A tensor value with dimensions given as sizes (int) or symbolic names (string).</summary>
    private static ValueInfoProto Value(string name, TensorProto.Types.DataType type, params object[] dimensions)
    {
        var shape = new TensorShapeProto();
        foreach (var dimension in dimensions)
        {
            shape.Dim.Add(dimension is string symbol
                ? new TensorShapeProto.Types.Dimension { DimParam = symbol }
                : new TensorShapeProto.Types.Dimension { DimValue = Convert.ToInt64(dimension, System.Globalization.CultureInfo.InvariantCulture) });
        }
        return new ValueInfoProto
        {
            Name = name,
            Type = new TypeProto { TensorType = new TypeProto.Types.Tensor { ElemType = (int)type, Shape = shape } },
        };
    }
}
