using MlNetRnn.Kernels;
using MlNetRnn.OnnxExport.Onnx;
using MlNetRnn.OnnxExport.Proto;
using DataType = MlNetRnn.OnnxExport.Proto.TensorProto.Types.DataType;

namespace MlNetRnn.OnnxExport.Import;

/// <summary>
/// GRU, LSTM and RNN nodes: each becomes one layer if what it computes is what an MlNetRnn layer computes (zero
/// initial states, no clip or input_forget (peepholes are read), the default activations or tanh/relu for RNN, forward or
/// bidirectional, layout 0). Its X fixes which axes of the input are time and batch.
/// </summary>
internal sealed partial class RecurrentGraphReader
{
    private GraphValue[] Recurrent(NodeProto node)
    {
        if (Evaluate(node, 1) is not KnownValue { Tensor: { ElementType: DataType.Float, Shape.Count: 3 } w })
            throw Refuse(node, $"W ('{node.Input[1]}') is not a float initializer [D, G*H, I].");
        OnnxRecurrentNode parsed;
        try
        {
            parsed = OnnxRecurrentNode.FromNode(node, checked((int)w.Shape[2]));
        }
        catch (NotSupportedException e)
        {
            throw Refuse(node, e.Message);
        }
        var d = parsed.Descriptor;
        CheckSupported(node, parsed);
        int D = d.NumDirections, G = d.GateCount, H = d.HiddenSize, I = d.InputSize;
        if (w.Shape[0] != D || w.Shape[1] != G * H)
            throw Refuse(node, $"W has shape {w.ShapeText}; hidden_size {H} and {D} direction(s) need [{D}, {G * H}, I].");
        var r = Floats(node, 2, "R", D, G * H, H);
        var b = node.Input.Count > 3 && node.Input[3].Length > 0 ? Floats(node, 3, "B", D, 2 * G * H) : new float[D * 2 * G * H];

        var lengths = parsed.Inputs[4];
        if (lengths.Length > 0 && !_graphInputs.ContainsKey(lengths))
            throw Refuse(node, $"sequence_lens ('{lengths}') is computed in the graph; MlNetRnn takes each sequence's length from its data (absent, or a graph input, is expected).");
        foreach (var (position, state) in new[] { (5, "initial_h"), (6, "initial_c") })
        {
            var name = parsed.Inputs[position];
            if (IsZero(name))
                continue;
            if (_graphInputs.ContainsKey(name))
                throw Refuse(node, $"{state} ('{name}', from a graph input) is not known to be zero; MlNetRnn starts every sequence from zero states " +
                    "(a stream's state is set through SequenceStream.State): export the module called without initial states.");
            var source = _producers.TryGetValue(name, out var producer) ? $"node '{producer.Name}' ({producer.OpType})" : "an initializer";
            throw Refuse(node, $"{state} ('{name}', from {source}) is not known to be zero; MlNetRnn starts every sequence from zero states, so a learned initial state is not imported.");
        }
        // LSTM peepholes [D, 3*H] (ONNX order i, o, f), as MlNetRnn's rnn.l.P (OnnxRecurrentNode refuses P on other cells).
        var p = parsed.Inputs[7].Length > 0 ? Floats(node, 7, "P", D, 3 * H) : null;

        var x = Evaluate(node, 0);
        if (x is not StepsValue { Reduction: StepReduction.None, Axes: [var time, var batch, { Role: AxisRole.Features } features] } steps)
            throw Refuse(node, $"X is {Describe(x)}; a layer reads the network's input or the layer below it, every direction and unit, as [T, B, I] (layout 0).");
        if (!time.Bind(AxisRole.Time) || !batch.Bind(AxisRole.Batch))
            throw Refuse(node, $"X has axes {GraphAxis.Describe(steps.Axes)}; layout 0 needs [time, batch, features] (a batch_first input is transposed before the node).");
        if (features.Size != I && !(features.Size == 0 && steps.Layer is null))
            throw Refuse(node, $"X has {features.Size} features per step; W expects I = {I}.");
        if (steps.Layer is null && _inputWidth == 0)
            _inputWidth = I;

        var layer = new ImportedLayer(node, d, w.Floats, r, b, steps.Layer, p);
        var y = new StepsValue([time, new GraphAxis(AxisRole.Directions, D), batch, new GraphAxis(AxisRole.Hidden, H)], layer, StepReduction.None);
        StatesValue States(bool cell) => new([new GraphAxis(AxisRole.States, D), batch, new GraphAxis(AxisRole.Hidden, H)],
            Enumerable.Range(0, D).Select(direction => new StateEntry(layer, direction, cell)).ToArray());
        return d.Cell == RecurrentCell.Lstm ? [y, States(false), States(true)] : [y, States(false)];
    }

    /// <summary>Refuses what the node computes that an MlNetRnn layer cannot.</summary>
    private void CheckSupported(NodeProto node, OnnxRecurrentNode parsed)
    {
        var d = parsed.Descriptor;
        if (parsed.Layout != 0)
            throw Refuse(node, $"layout={parsed.Layout} is not supported; layout 0 (time-major X, as torch.onnx.export writes) is expected.");
        if (d.Direction == RecurrentDirection.Reverse)
            throw Refuse(node, "direction=reverse is not supported; MlNetRnn's layers run forward or bidirectional.");
        if (d.InputForget)
            throw Refuse(node, "input_forget=1 is not supported; MlNetRnn's LSTM has separate input and forget gates.");
        if (d.Clip > 0f)
            throw Refuse(node, $"clip={d.Clip} is not supported; MlNetRnn's layers do not clip their gates.");
        if (d.Cell == RecurrentCell.Rnn)
        {
            var kinds = d.Activations.Distinct().ToArray();
            if (kinds is not [var only] || !(only == Activation.Tanh || only == Activation.Relu))
                throw Refuse(node, $"activations {string.Join(", ", d.Activations.Select(a => a.OnnxName))} are not supported; an RNN layer uses Tanh or Relu in every direction.");
        }
        else if (!d.HasDefaultActivations)
        {
            throw Refuse(node, $"activations {string.Join(", ", d.Activations.Select(a => a.OnnxName))} are not supported; {node.OpType} layers use the default ones.");
        }
    }
}
