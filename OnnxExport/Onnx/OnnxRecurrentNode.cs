using MlNetRnn.Kernels;
using MlNetRnn.OnnxExport.Proto;

namespace MlNetRnn.OnnxExport.Onnx;

/// <summary>
/// An ONNX RNN/GRU/LSTM node understood as a kernel call: the <see cref="RecurrentDescriptor"/> its attributes
/// describe, its layout, and the graph names of its inputs and outputs by ONNX position
/// (X, W, R, B, sequence_lens, initial_h, initial_c, P; Y, Y_h, Y_c). Every attribute is either honoured or
/// rejected with a <see cref="NotSupportedException"/> naming it.
/// </summary>
public sealed class OnnxRecurrentNode
{
    public static readonly string[] InputNames = ["X", "W", "R", "B", "sequence_lens", "initial_h", "initial_c", "P"];
    public static readonly string[] OutputNames = ["Y", "Y_h", "Y_c"];

    private OnnxRecurrentNode(RecurrentDescriptor descriptor, int layout, IReadOnlyList<string> inputs, IReadOnlyList<string> outputs)
    {
        Descriptor = descriptor;
        Layout = layout;
        Inputs = inputs;
        Outputs = outputs;
    }

    public RecurrentDescriptor Descriptor { get; }

    /// <summary>0: X [T, B, I], Y [T, D, B, H], states [D, B, H]. 1: X [B, T, I], Y [B, T, D, H], states [B, D, H].</summary>
    public int Layout { get; }

    /// <summary>Graph names by ONNX input position; "" where the optional input is omitted.</summary>
    public IReadOnlyList<string> Inputs { get; }

    /// <summary>Graph names by ONNX output position; "" where the output is not produced.</summary>
    public IReadOnlyList<string> Outputs { get; }

    public static RecurrentCell CellOf(string opType) => opType switch
    {
        "RNN" => RecurrentCell.Rnn,
        "GRU" => RecurrentCell.Gru,
        "LSTM" => RecurrentCell.Lstm,
        _ => throw new NotSupportedException($"Operator '{opType}' is not a recurrent operator; expected RNN, GRU or LSTM."),
    };

    /// <param name="node">The node.</param>
    /// <param name="inputSize">I, read from the shape of W ([D, G*H, I]) since the node does not state it.</param>
    public static OnnxRecurrentNode FromNode(NodeProto node, int inputSize)
    {
        ArgumentNullException.ThrowIfNull(node);
        if (!string.IsNullOrEmpty(node.Domain) && node.Domain != "ai.onnx")
            throw new NotSupportedException($"Node '{node.Name}' is in domain '{node.Domain}'; only the default ONNX domain is supported.");
        var cell = CellOf(node.OpType);
        var hidden = 0;
        var direction = RecurrentDirection.Forward;
        var layout = 0;
        var linearBeforeReset = false;
        var inputForget = false;
        var clip = 0f;
        IList<string>? activationNames = null;
        IList<float>? alphas = null, betas = null;

        foreach (var a in node.Attribute)
        {
            switch (a.Name)
            {
                case "hidden_size":
                    hidden = a.I is > 0 and <= int.MaxValue ? (int)a.I
                        : throw new NotSupportedException($"{node.OpType} node '{node.Name}' has hidden_size={a.I}; it must be a positive 32-bit size.");
                    break;
                case "direction":
                    var text = a.S.ToStringUtf8();
                    direction = text switch
                    {
                        "forward" => RecurrentDirection.Forward,
                        "reverse" => RecurrentDirection.Reverse,
                        "bidirectional" => RecurrentDirection.Bidirectional,
                        _ => throw new NotSupportedException($"Attribute direction='{text}' is not one of forward, reverse, bidirectional."),
                    };
                    break;
                case "layout":
                    layout = a.I is 0 or 1 ? (int)a.I
                        : throw new NotSupportedException($"Attribute layout={a.I} is not supported; expected 0 or 1.");
                    break;
                case "linear_before_reset" when cell == RecurrentCell.Gru:
                    linearBeforeReset = a.I != 0;
                    break;
                case "input_forget" when cell == RecurrentCell.Lstm:
                    inputForget = a.I != 0;
                    break;
                case "clip":
                    clip = a.F;
                    if (!(clip > 0f))
                        throw new NotSupportedException($"Attribute clip={clip} is not supported; ONNX requires a positive threshold.");
                    break;
                case "activations":
                    activationNames = a.Strings.Select(s => s.ToStringUtf8()).ToList();
                    break;
                case "activation_alpha":
                    alphas = a.Floats;
                    break;
                case "activation_beta":
                    betas = a.Floats;
                    break;
                default:
                    throw new NotSupportedException($"Attribute '{a.Name}' of {node.OpType} is not supported.");
            }
        }
        if (hidden <= 0)
            throw new NotSupportedException($"{node.OpType} node '{node.Name}' has no positive hidden_size attribute; it is required here.");

        List<Activation>? activations = null;
        if (activationNames is not null)
        {
            activations = [];
            int alphaIndex = 0, betaIndex = 0;
            foreach (var name in activationNames)
            {
                if (!Activation.TryParseOnnxName(name, out var kind))
                    throw new NotSupportedException($"Activation '{name}' is not supported; expected one of {string.Join(", ", Enum.GetNames<ActivationKind>())}.");
                var act = Activation.WithDefaults(kind);
                // ONNX consumes activation_alpha/beta in order, one per function that takes the parameter.
                if (Activation.UsesAlpha(kind) && alphas is not null && alphaIndex < alphas.Count)
                    act = act with { Alpha = alphas[alphaIndex++] };
                if (Activation.UsesBeta(kind) && betas is not null && betaIndex < betas.Count)
                    act = act with { Beta = betas[betaIndex++] };
                activations.Add(act);
            }
        }
        else if (alphas is { Count: > 0 } || betas is { Count: > 0 })
        {
            throw new NotSupportedException("activation_alpha/activation_beta given without activations; the defaults take no parameters.");
        }

        var descriptor = new RecurrentDescriptor(cell, inputSize, hidden, direction, linearBeforeReset, inputForget, clip, activations);
        var inputs = Enumerable.Range(0, InputNames.Length).Select(i => i < node.Input.Count ? node.Input[i] : "").ToArray();
        var outputs = Enumerable.Range(0, OutputNames.Length).Select(i => i < node.Output.Count ? node.Output[i] : "").ToArray();
        if (node.Input.Count > InputNames.Length)
            throw new NotSupportedException($"{node.OpType} takes at most {InputNames.Length} inputs, the node lists {node.Input.Count}.");
        if (cell != RecurrentCell.Lstm && (inputs[6] != "" || inputs[7] != "" || outputs[2] != ""))
            throw new NotSupportedException($"{node.OpType} has no initial_c, P or Y_c.");
        return new OnnxRecurrentNode(descriptor, layout, inputs, outputs);
    }
}
