using MlNetRnn.OnnxExport.Onnx;
using MlNetRnn.OnnxExport.Proto;
using DataType = MlNetRnn.OnnxExport.Proto.TensorProto.Types.DataType;

namespace MlNetRnn.OnnxExport.Import;

/// <summary>
/// The head (Gemm, or MatMul then Add), the output activation, and the network put together from the output back to
/// the input. The head fixes the read-out: what it multiplies must be the top layer's complete outputs (every step,
/// the last step, a pool over time) or its final state h of every direction in order.
/// </summary>
internal sealed partial class RecurrentGraphReader
{
    private HeadValue Gemm(NodeProto node)
    {
        var a = Evaluate(node, 0);
        if (IntAttribute(node, "transA", 0) != 0)
            throw Refuse(node, "transA=1 is not supported; the read-out is A [B, F].");
        var source = ReadOutSource(node, a, perStep: false);
        if (source.Axes is not [{ Role: AxisRole.Batch } batch, { Role: AxisRole.Features } features])
            throw Refuse(node, $"A is {Describe(a)}; Gemm's A is the read-out [batch, features].");
        var b = Evaluate(node, 1);
        if (b is not KnownValue { Tensor: { ElementType: DataType.Float, Shape.Count: 2 } weight })
            throw Refuse(node, $"B ('{node.Input[1]}') is {Describe(b)}; the head's weight is a float initializer.");
        var transposed = IntAttribute(node, "transB", 0) != 0;
        var F = features.Size;
        var K = checked((int)(transposed ? weight.Shape[0] : weight.Shape[1]));
        if ((transposed ? weight.Shape[1] : weight.Shape[0]) != F)
            throw Refuse(node, $"B has shape {weight.ShapeText} (transB={(transposed ? 1 : 0)}) for a read-out of {F} features.");
        var alpha = FloatAttribute(node, "alpha", 1f);
        var beta = FloatAttribute(node, "beta", 1f);
        var w = transposed ? (float[])weight.Floats.Clone() : TransposeMatrix(weight.Floats, F, K);   // [K, F]
        for (var i = 0; i < w.Length; i++)
            w[i] *= alpha;
        float[]? bias = null;
        if (node.Input.Count > 2 && node.Input[2].Length > 0)
        {
            bias = Bias(node, 2, K);
            for (var k = 0; k < K; k++)
                bias[k] *= beta;
        }
        return new HeadValue([batch, new GraphAxis(AxisRole.Outputs, K)], source, w, bias, K, OutputActivation.None, "");
    }

    private HeadValue MatMul(NodeProto node)
    {
        var a = Evaluate(node, 0);
        var source = ReadOutSource(node, a, perStep: true);
        var b = Evaluate(node, 1);
        var F = source.Axes[^1].Size;
        if (b is not KnownValue { Tensor: { ElementType: DataType.Float, Shape: [var rows, var columns] } weight } || rows != F)
            throw Refuse(node, $"B ('{node.Input[1]}') is {Describe(b)}; the head's weight is a float initializer [{F}, K].");
        var K = checked((int)columns);
        var axes = source.Axes.Take(source.Axes.Count - 1).Append(new GraphAxis(AxisRole.Outputs, K)).ToList();
        return new HeadValue(axes, source, TransposeMatrix(weight.Floats, F, K), null, K, OutputActivation.None, "");
    }

    private HeadValue Add(NodeProto node)
    {
        var (x, y) = (Evaluate(node, 0), Evaluate(node, 1));
        var (head, other) = x is HeadValue hx ? (hx, 1) : y is HeadValue hy ? (hy, 0) : throw Refuse(node,
            $"adds {Describe(x)} and {Describe(y)}; the only addition is the head's bias after its MatMul.");
        if (head.Activation != OutputActivation.None)
            throw Refuse(node, $"adds to the head's outputs after {head.Activation} (node '{head.ActivationNode}'); the bias comes before the output activation.");
        var bias = Bias(node, other, head.OutputSize);
        if (head.Bias is { } previous)
        {
            for (var k = 0; k < bias.Length; k++)
                bias[k] += previous[k];
        }
        return head with { Bias = bias };
    }

    /// <summary>A bias of K floats (any shape of K elements that broadcasts along the last axis), copied.</summary>
    private float[] Bias(NodeProto node, int input, int K)
    {
        var value = Evaluate(node, input);
        if (value is not KnownValue { Tensor: { ElementType: DataType.Float } t } || t.ElementCount != K || (t.Shape.Count > 0 && t.Shape[^1] != K))
            throw Refuse(node, $"the bias ('{node.Input[input]}') is {Describe(value)}; {K} floats (one per output) are expected.");
        return (float[])t.Floats.Clone();
    }

    private HeadValue OutputActivationOf(NodeProto node, OutputActivation kind)
    {
        var value = Evaluate(node, 0);
        if (value is not HeadValue { Activation: OutputActivation.None } head)
            throw Refuse(node, value is HeadValue done
                ? $"follows {done.Activation} (node '{done.ActivationNode}'); a model has one output activation."
                : $"applies {node.OpType} to {Describe(value)}; the output activation follows the head (Gemm, or MatMul + Add).");
        if (kind is OutputActivation.Softmax or OutputActivation.LogSoftmax)
        {
            // Opset 13 on: along one axis (default -1). Before: over the flattened axes from `axis` (default 1) on.
            var rank = head.Axes.Count;
            var axis = (int)Normalize(node, IntAttribute(node, "axis", _opset >= 13 ? -1 : 1), rank);
            var over = _opset >= 13 ? [head.Axes[axis]] : head.Axes.Skip(axis).ToList();
            if (over.Count(a => a.Role == AxisRole.Outputs) != 1 || over.Any(a => a.Role != AxisRole.Outputs && a.Size != 1))
                throw Refuse(node, $"normalizes over axis {axis} of {GraphAxis.Describe(head.Axes)}; a softmax is over the head's outputs.");
        }
        return head with { Activation = kind, ActivationNode = node.Name };
    }

    /// <summary>
    /// What a head may read: the top layer's complete outputs at every step (per-step heads only), at the last step,
    /// pooled over time, or its final h of every direction in order; with batch (and time) axes and the features last.
    /// </summary>
    private FlowValue ReadOutSource(NodeProto node, GraphValue value, bool perStep)
    {
        if (value is HeadValue)
            throw Refuse(node, "is a second dense layer after the head; MlNetRnn's head is one Linear layer over the read-out.");
        if (value is not FlowValue flow || flow.Axes.Count == 0 || flow.Axes[^1].Role != AxisRole.Features)
            throw Refuse(node, $"reads {Describe(value)}; the head reads the read-out of the top recurrent layer with its features last.");
        switch (flow)
        {
            case StepsValue { Layer: null }:
                throw Refuse(node, $"reads {Describe(flow)} directly; the head reads a recurrent layer's outputs.");
            case StepsValue steps:
            {
                var d = steps.Layer!.Descriptor;
                if (steps.Axes[^1].Size != d.NumDirections * d.HiddenSize)
                    throw Refuse(node, $"reads {Describe(flow)}, not the {d.NumDirections * d.HiddenSize} features of every direction.");
                if (steps.Reduction == StepReduction.LastStep && d.NumDirections == 2)
                    throw Refuse(node, $"reads the last step of the outputs of bidirectional {steps.Layer.Describe()}: there its reverse direction has seen one step only. " +
                        "MlNetRnn's LastState read-out takes each direction's state after the whole sequence (h_n: torch.cat([h_n[-2], h_n[-1]], 1)), which is another model.");
                var allowed = steps.Reduction == StepReduction.None && perStep
                    ? new[] { AxisRole.Batch, AxisRole.Time, AxisRole.Unit } : [AxisRole.Batch, AxisRole.Unit];
                if (steps.Reduction == StepReduction.None && !perStep)
                    throw Refuse(node, $"reads every step of {Describe(flow)}; a Gemm head reads one vector per sequence (per-step heads are MatMul + Add).");
                CheckHeadAxes(node, flow, allowed);
                return flow;
            }
            case StatesValue states:
            {
                var top = states.Entries[0].Layer;
                var cell = states.Entries.FirstOrDefault(e => e.Cell);
                if (cell.Layer is not null)
                    throw Refuse(node, $"reads the LSTM cell state ({cell}); MlNetRnn's read-out is the hidden state h.");
                var expected = Enumerable.Range(0, top.Descriptor.NumDirections).Select(dir => new StateEntry(top, dir, false));
                if (!states.Entries.SequenceEqual(expected))
                    throw Refuse(node, $"reads the final states {string.Join("; ", states.Entries)}; the read-out is the final h of one layer, every direction in order (h_n[-1], or torch.cat([h_n[-2], h_n[-1]], 1) when bidirectional).");
                CheckHeadAxes(node, flow, [AxisRole.Batch, AxisRole.Unit]);
                return flow;
            }
            default:
                throw Refuse(node, $"reads {Describe(flow)}; the head reads the read-out of the top recurrent layer.");
        }
    }

    private void CheckHeadAxes(NodeProto node, FlowValue flow, AxisRole[] allowed)
    {
        var others = flow.Axes.Take(flow.Axes.Count - 1).ToList();
        if (others.Any(a => !allowed.Contains(a.Role)) || others.Count(a => a.Role == AxisRole.Batch) != 1 || others.Count(a => a.Role == AxisRole.Time) > 1)
            throw Refuse(node, $"reads {Describe(flow)}; the read-out has a batch axis{(allowed.Contains(AxisRole.Time) ? ", a time axis" : "")} and the features.");
    }

    /// <summary>The network from the input to the head, bottom layer first.</summary>
    private ImportedGraph Assemble(HeadValue head)
    {
        var (top, readOut) = head.Source switch
        {
            StepsValue { Reduction: StepReduction.None } steps => (steps.Layer!, ReadOutKind.AllSteps),
            StepsValue { Reduction: StepReduction.LastStep } steps => (steps.Layer!, ReadOutKind.LastState),
            StepsValue { Reduction: StepReduction.Max } steps => (steps.Layer!, ReadOutKind.MaxPool),
            StepsValue steps => (steps.Layer!, ReadOutKind.MeanPool),
            var states => (((StatesValue)states).Entries[0].Layer, ReadOutKind.LastState),
        };
        var layers = new List<ImportedLayer>();
        for (var layer = top; layer is not null; layer = layer.Below)
            layers.Insert(0, layer);
        return new ImportedGraph(_inputKind, _inputWidth, _embedding, _embeddingSize, layers, readOut,
            head.Weight, head.Bias ?? new float[head.OutputSize], head.OutputSize, head.Activation, head.ActivationNode);
    }
}
