using MlNetRnn.Network;
using MlNetRnn.OnnxExport.Onnx;
using MlNetRnn.OnnxExport.Proto;
using DataType = MlNetRnn.OnnxExport.Proto.TensorProto.Types.DataType;

namespace MlNetRnn.OnnxExport.Import;

/// <summary>
/// The operators that move data around without computing: on shape arithmetic (Shape, Gather, Concat, ...) they
/// compute; on tensors from the input they track the axes, and where they select (a step, a layer's state, a direction)
/// they say which read-out the graph takes. Whatever selection is not a read-out MlNetRnn has is refused.
/// </summary>
internal sealed partial class RecurrentGraphReader
{
    private const long Unbounded = int.MaxValue;   // ends at or past this mean "to the end" (PyTorch writes INT64_MAX)

    private GraphValue ShapeOf(NodeProto node)
    {
        var value = Evaluate(node, 0);
        List<Dim> dims = value switch
        {
            FlowValue flow => flow.Axes.Select(Dim.Of).ToList(),
            KnownValue known => known.Tensor.Shape.Select(s => new Dim(s, null)).ToList(),
            _ => throw Refuse(node, $"takes the shape of {Describe(value)}, whose shape is not known here."),
        };
        var start = (int)IntAttribute(node, "start", 0);
        var end = (int)IntAttribute(node, "end", dims.Count);
        (start, end) = (Clamp(start, dims.Count), Clamp(end, dims.Count));
        return new DimsValue(dims.GetRange(start, Math.Max(0, end - start)), false);
    }

    private GraphValue Gather(NodeProto node)
    {
        var data = Evaluate(node, 0);
        var indices = Evaluate(node, 1);
        var axis = IntAttribute(node, "axis", 0);
        if (indices is TokensValue tokens)
        {
            if (data is not KnownValue { Tensor: { ElementType: DataType.Float, Shape.Count: 2 } table } || axis != 0)
                throw Refuse(node, $"looks up the token ids in {Describe(data)} along axis {axis}; an embedding is a Gather over a float initializer [V, E] along axis 0.");
            int V = checked((int)table.Shape[0]), E = checked((int)table.Shape[1]);
            UseInput(tokens.InputName, SequenceInputKind.Tokens, V, table.Floats, E, node);
            return new StepsValue([.. tokens.Axes, new GraphAxis(AxisRole.Features, E)], null, StepReduction.None);
        }
        if (data is ZerosValue)
            return data;
        var index = AsDims(node, indices);
        if (index.Dims.Any(d => d.Axis is not null))
            throw Refuse(node, "gathers at positions computed from a dynamic length; constant indices are expected.");
        var picks = index.Dims.Select(d => d.Value).ToArray();
        if (data is FlowValue flow)
            return GatherFlow(node, flow, (int)axis, picks, index.Scalar);
        var dims = AsDims(node, data);
        if (dims.Scalar || axis != 0)
            throw Refuse(node, $"gathers along axis {axis} of a shape vector; only axis 0 of a vector is expected.");
        var picked = picks.Select(i => dims.Dims[(int)Normalize(node, i, dims.Dims.Count)]).ToArray();
        return new DimsValue(picked, index.Scalar);
    }

    private FlowValue GatherFlow(NodeProto node, FlowValue flow, int axis, long[] picks, bool scalar)
    {
        axis = (int)Normalize(node, axis, flow.Axes.Count);
        var target = flow.Axes[axis];
        var rest = flow.Axes.Where((_, i) => i != axis).ToList();
        switch (flow, target.Role)
        {
            case (StatesValue states, AxisRole.States):
            {
                var entries = picks.Select(i => states.Entries[(int)Normalize(node, i, target.Size)]).ToArray();
                var axes = scalar ? rest : flow.Axes.Select(a => a == target ? new GraphAxis(AxisRole.States, entries.Length) : a).ToList();
                return Normalize(new StatesValue(axes, entries));
            }
            case (StepsValue { Layer: not null, Reduction: StepReduction.None } steps, AxisRole.Time) when scalar && picks[0] == -1:
                return steps with { Axes = rest, Reduction = StepReduction.LastStep };
            case (StepsValue, AxisRole.Time):
                throw Refuse(node, $"takes step(s) {string.Join(", ", picks)} of {Describe(flow)}; the only step MlNetRnn reads out is the last (index -1).");
            default:
                throw Refuse(node, $"selects along the {target} axis of {Describe(flow)}; only a stack of final states (h_n) or the last step of a layer's outputs is selected from.");
        }
    }

    private GraphValue Unsqueeze(NodeProto node)
    {
        var value = Evaluate(node, 0);
        var axes = Integers(node, 1, "axes") ?? throw Refuse(node, "has no axes.");
        switch (value)
        {
            case ZerosValue:
                return value;
            case FlowValue flow:
            {
                var rank = flow.Axes.Count + axes.Length;
                var positions = axes.Select(a => (int)Normalize(node, a, rank)).Order().ToArray();
                var result = flow.Axes.ToList();
                foreach (var p in positions)
                    result.Insert(p, new GraphAxis(AxisRole.Unit, 1));
                return flow with { Axes = result };
            }
            case KnownValue { Tensor.ElementType: DataType.Float } known:
            {
                var shape = known.Tensor.Shape.ToList();
                foreach (var p in axes.Select(a => (int)Normalize(node, a, known.Tensor.Shape.Count + axes.Length)).Order())
                    shape.Insert(p, 1);
                return new KnownValue(OnnxTensor.FromFloats(known.Tensor.Name, known.Tensor.Floats, [.. shape]));
            }
            default:
            {
                var dims = AsDims(node, value);
                if (!dims.Scalar || axes is not [0 or -1])
                    throw Refuse(node, "unsqueezes shape arithmetic into more than a vector.");
                return dims with { Scalar = false };
            }
        }
    }

    private GraphValue Squeeze(NodeProto node)
    {
        var value = Evaluate(node, 0);
        var axes = Integers(node, 1, "axes");
        switch (value)
        {
            case ZerosValue:
                return value;
            case FlowValue flow:
            {
                var removed = axes is null
                    ? flow.Axes.Where(a => !a.IsDynamic && a.Size == 1).ToHashSet()
                    : axes.Select(a => flow.Axes[(int)Normalize(node, a, flow.Axes.Count)]).ToHashSet();
                var bad = removed.FirstOrDefault(a => a.IsDynamic || a.Size != 1 || a.Role is AxisRole.Features or AxisRole.Hidden);
                if (bad is not null)
                    throw Refuse(node, $"removes the {bad} axis of {Describe(flow)}; only axes of length 1 (one direction, one state, a kept dimension) are squeezed.");
                return Normalize(flow with { Axes = flow.Axes.Where(a => !removed.Contains(a)).ToList() });
            }
            case KnownValue { Tensor.ElementType: DataType.Float } known:
            {
                var rank = known.Tensor.Shape.Count;
                var drop = axes?.Select(a => (int)Normalize(node, a, rank)).ToHashSet() ?? Enumerable.Range(0, rank).Where(i => known.Tensor.Shape[i] == 1).ToHashSet();
                var shape = known.Tensor.Shape.Where((_, i) => !drop.Contains(i)).ToArray();
                return new KnownValue(OnnxTensor.FromFloats(known.Tensor.Name, known.Tensor.Floats, shape));
            }
            default:
            {
                var dims = AsDims(node, value);
                if (dims.Scalar || dims.Dims.Count != 1)
                    throw Refuse(node, "squeezes shape arithmetic that is not a one-element vector.");
                return dims with { Scalar = true };
            }
        }
    }

    private GraphValue Concat(NodeProto node)
    {
        var parts = node.Input.Where(i => i.Length > 0).Select(Evaluate).ToList();
        var axis = IntAttribute(node, "axis", 0);
        if (parts.All(p => p is ZerosValue))
            return parts[0];
        if (parts.All(p => p is StatesValue))
            return ConcatStates(node, parts.Cast<StatesValue>().ToList(), axis);
        if (parts.All(p => p is DimsValue or KnownValue { Tensor.ElementType: DataType.Int64 or DataType.Int32 }))
            return new DimsValue(parts.SelectMany(p => AsDims(node, p).Dims).ToArray(), false);
        throw Refuse(node, $"concatenates {string.Join(" and ", parts.Select(Describe))}; only final states (h_n of several layers or directions) are concatenated.");
    }

    private StatesValue ConcatStates(NodeProto node, List<StatesValue> parts, long axis)
    {
        var first = parts[0];
        var at = (int)Normalize(node, axis, first.Axes.Count);
        var role = first.Axes[at].Role;
        var shapesAgree = parts.All(p => p.Axes.Count == first.Axes.Count &&
            p.Axes.Select((a, i) => i == at || (a.Role == first.Axes[i].Role && a.Size == first.Axes[i].Size)).All(x => x));
        if (role is not (AxisRole.States or AxisRole.Features) || !shapesAgree || parts.Any(p => p.Axes[at].Role != role))
            throw Refuse(node, $"concatenates {string.Join(" and ", parts.Select(Describe))} along axis {axis}; final states are concatenated along their stack (axis 0 of h_n) or as feature vectors [B, H].");
        var merged = new GraphAxis(role, parts.Sum(p => p.Axes[at].Size));
        return new StatesValue(first.Axes.Select((a, i) => i == at ? merged : a).ToList(), parts.SelectMany(p => p.Entries).ToArray());
    }

    private GraphValue Slice(NodeProto node)
    {
        var value = Evaluate(node, 0);
        if (value is ZerosValue)
            return value;
        // Opset 10 on: inputs; before: attributes.
        var starts = Integers(node, 1, "starts") ?? throw Refuse(node, "has no starts.");
        var ends = Integers(node, 2, "ends") ?? throw Refuse(node, "has no ends.");
        var axes = Integers(node, 3, "axes") ?? Enumerable.Range(0, starts.Length).Select(i => (long)i).ToArray();
        var steps = Integers(node, 4) ?? Enumerable.Repeat(1L, starts.Length).ToArray();
        if (steps.Any(s => s != 1))
            throw Refuse(node, $"slices with steps {string.Join(", ", steps)}; only contiguous slices (step 1) are read.");
        if (value is not FlowValue flow)
        {
            var dims = AsDims(node, value);
            if (dims.Scalar || axes is not [0])
                throw Refuse(node, "slices shape arithmetic along an axis other than 0.");
            var (s, e) = Range(starts[0], ends[0], dims.Dims.Count);
            return new DimsValue(dims.Dims.Skip(s).Take(Math.Max(0, e - s)).ToArray(), false);
        }
        for (var k = 0; k < axes.Length; k++)
        {
            var at = (int)Normalize(node, axes[k], flow.Axes.Count);
            flow = SliceAxis(node, flow, at, starts[k], ends[k]);
        }
        return flow;
    }

    private FlowValue SliceAxis(NodeProto node, FlowValue flow, int at, long start, long end)
    {
        var axis = flow.Axes[at];
        if (axis.IsDynamic)
        {
            if (start == 0 && end >= Unbounded)
                return flow;
            if (axis.Role == AxisRole.Time && start == -1 && end >= Unbounded && flow is StepsValue { Layer: not null, Reduction: StepReduction.None } steps)
                return steps with { Axes = Replace(steps.Axes, axis, new GraphAxis(AxisRole.Unit, 1)), Reduction = StepReduction.LastStep };
            throw Refuse(node, $"slices [{start}:{end}] of the {axis} axis of {Describe(flow)}; a read-out takes the whole sequence, its last step ([-1:]) or a whole batch.");
        }
        var (s, e) = Range(start, end, axis.Size);
        if (s == 0 && e == axis.Size)
            return flow;
        if (flow is StatesValue states && axis.Role == AxisRole.States)
            return new StatesValue(Replace(states.Axes, axis, new GraphAxis(AxisRole.States, e - s)), states.Entries.Skip(s).Take(e - s).ToArray());
        throw Refuse(node, $"slices [{start}:{end}] of the {axis} axis of {Describe(flow)}; only a stack of final states is sliced (a layer's outputs keep every unit and direction).");
    }

    private GraphValue Transpose(NodeProto node)
    {
        var value = Evaluate(node, 0);
        if (value is ZerosValue)
            return value;
        var rank = value switch
        {
            FlowValue flow => flow.Axes.Count,
            KnownValue known => known.Tensor.Shape.Count,
            _ => throw Refuse(node, $"transposes {Describe(value)}."),
        };
        var perm = Attribute(node, "perm")?.Ints.Select(p => (int)p).ToArray() ?? Enumerable.Range(0, rank).Reverse().ToArray();
        if (perm.Length != rank || perm.Order().Where((p, i) => p != i).Any())
            throw Refuse(node, $"has perm [{string.Join(", ", perm)}], not a permutation of {rank} axes.");
        if (value is FlowValue f)
            return f with { Axes = perm.Select(p => f.Axes[p]).ToList() };
        var t = ((KnownValue)value).Tensor;
        if (t.ElementType != DataType.Float || rank != 2)
            throw Refuse(node, $"transposes a constant {t.ElementType} {t.ShapeText}; only float matrices are transposed.");
        var (rows, columns) = (checked((int)t.Shape[0]), checked((int)t.Shape[1]));
        return perm[0] == 0 ? value : new KnownValue(OnnxTensor.FromFloats(t.Name, TransposeMatrix(t.Floats, rows, columns), columns, rows));
    }

    private GraphValue Reshape(NodeProto node)
    {
        var value = Evaluate(node, 0);
        if (value is ZerosValue)
            return value;
        var target = AsDims(node, Evaluate(node, 1)).Dims;
        var allowZero = IntAttribute(node, "allowzero", 0) != 0;
        switch (value)
        {
            case FlowValue flow:
                return ReshapeFlow(node, flow, target, allowZero);
            case KnownValue { Tensor.ElementType: DataType.Float } known:
            {
                var t = known.Tensor;
                if (target.Any(d => d.Axis is { IsDynamic: true }))
                    throw Refuse(node, "reshapes a constant to a dynamic shape.");
                var shape = target.Select((d, i) => d.Value == 0 && !allowZero ? t.Shape[i] : d.Value).ToArray();
                var inferred = Array.IndexOf(shape, -1L);
                if (inferred >= 0)
                    shape[inferred] = t.ElementCount / shape.Where(s => s != -1).Aggregate(1L, (a, b) => a * b);
                return new KnownValue(OnnxTensor.FromFloats(t.Name, t.Floats, shape));
            }
            default:
            {
                var dims = AsDims(node, value);
                if (target.Count != 1 || !(target[0].Value is -1 || target[0].Value == dims.Dims.Count))
                    throw Refuse(node, "reshapes shape arithmetic into more than a vector.");
                return dims with { Scalar = false };
            }
        }
    }

    private FlowValue ReshapeFlow(NodeProto node, FlowValue flow, IReadOnlyList<Dim> target, bool allowZero)
    {
        var axes = flow.Axes;
        // What each target entry asks for: a dynamic axis by reference, a number of elements, or the rest (-1).
        var wants = new List<(GraphAxis? Axis, long Size)>();
        for (var i = 0; i < target.Count; i++)
        {
            var d = target[i];
            if (d.Axis is { IsDynamic: true } dynamic)
                wants.Add((dynamic, 0));
            else if (d.Axis is { } fixedAxis)
                wants.Add((null, fixedAxis.Size));
            else if (d.Value == 0 && !allowZero && i < axes.Count)
                wants.Add(axes[i].IsDynamic ? (axes[i], 0) : (null, axes[i].Size));
            else if (d.Value == -1 || d.Value > 0)
                wants.Add((null, d.Value));
            else
                throw Refuse(node, $"has target dimension {d.Value} at position {i}.");
        }
        var inferAt = wants.FindIndex(w => w is { Axis: null, Size: -1 });
        if (wants.Count(w => w is { Axis: null, Size: -1 }) > 1)
            throw Refuse(node, "infers more than one dimension (-1).");
        var groups = new List<GraphAxis>[wants.Count];
        int left = 0, right = axes.Count;
        var leftEnd = inferAt < 0 ? wants.Count : inferAt;
        for (var i = 0; i < leftEnd; i++)
            groups[i] = Take(node, flow, wants[i], ref left, right, fromLeft: true);
        if (inferAt >= 0)
        {
            for (var i = wants.Count - 1; i > inferAt; i--)
                groups[i] = Take(node, flow, wants[i], ref right, left, fromLeft: false);
            groups[inferAt] = axes.Skip(left).Take(right - left).ToList();
        }
        else
        {
            var rest = axes.Skip(left).ToList();
            if (wants.Count == 0 || rest.Any(a => a.IsDynamic || a.Size != 1))
                throw Refuse(node, $"reshapes {GraphAxis.Describe(axes)} to [{string.Join(", ", target.Select(d => d.Axis?.ToString() ?? d.Value.ToString()))}], which leaves axes over.");
            groups[^1].AddRange(rest);
        }
        return Normalize(flow with { Axes = groups.Select(g => Merge(node, flow, g)).ToList() });
    }

    /// <summary>The input axes one target dimension of a Reshape takes, from the left or from the right.</summary>
    private List<GraphAxis> Take(NodeProto node, FlowValue flow, (GraphAxis? Axis, long Size) want, ref int position, int limit, bool fromLeft)
    {
        var axes = flow.Axes;
        var group = new List<GraphAxis>();
        bool More(int p) => fromLeft ? p < limit : p > limit;
        GraphAxis At(int p) => axes[fromLeft ? p : p - 1];
        void Step(ref int p) => p += fromLeft ? 1 : -1;
        if (want.Axis is { } dynamic)
        {
            while (More(position) && At(position) != dynamic && !At(position).IsDynamic && At(position).Size == 1)
            {
                group.Add(At(position));
                Step(ref position);
            }
            if (!More(position) || At(position) != dynamic)
                throw Refuse(node, $"moves the {dynamic} axis of {Describe(flow)}; a reshape keeps the batch and time axes where they are.");
            group.Add(dynamic);
            Step(ref position);
        }
        else
        {
            long product = 1;
            while (product < want.Size && More(position))
            {
                var axis = At(position);
                if (axis.IsDynamic)
                    throw Refuse(node, $"merges the {axis} axis of {Describe(flow)} into a dimension of {want.Size}; the batch and time axes stay whole (a model exported without dynamic_axes fixes their lengths in such shapes: export with dynamic batch and sequence axes).");
                product *= axis.Size;
                group.Add(axis);
                Step(ref position);
            }
            if (product != want.Size)
                throw Refuse(node, $"asks for a dimension of {want.Size} where {Describe(flow)} has {GraphAxis.Describe(group)}.");
        }
        if (!fromLeft)
            group.Reverse();
        return group;
    }

    /// <summary>
    /// The axis a group of adjacent axes becomes: one axis as it is (length-1 axes beside it dropped), the directions
    /// with their units (Y's [D, H] -> D*H, direction-major like MlNetRnn's features), or stacked states with their
    /// units ([S, H] -> S*H).
    /// </summary>
    private GraphAxis Merge(NodeProto node, FlowValue flow, List<GraphAxis> group)
    {
        if (group.Count == 1)
            return group[0];
        var kept = group.Where(a => a.IsDynamic || a.Size != 1 || a.Role is AxisRole.Features or AxisRole.Hidden).ToList();
        switch (kept)
        {
            case []:
                return new GraphAxis(AxisRole.Unit, 1);
            case [var single]:
                return single;
            case [{ Role: AxisRole.Directions } d, { Role: AxisRole.Hidden } h]:
                return new GraphAxis(AxisRole.Features, d.Size * h.Size);
            case [{ Role: AxisRole.States } s, { Role: AxisRole.Hidden } h] when flow is StatesValue:
                return new GraphAxis(AxisRole.Features, s.Size * h.Size);
            default:
                throw Refuse(node, $"merges the axes {GraphAxis.Describe(kept)} of {Describe(flow)} into one; only a layer's directions with their units (D, H) or stacked states with their units are merged, in that order.");
        }
    }

    private GraphValue Flatten(NodeProto node)
    {
        if (Evaluate(node, 0) is not FlowValue flow)
            throw Refuse(node, "flattens a constant or shape arithmetic.");
        var axis = (int)Normalize(node, IntAttribute(node, "axis", 1), flow.Axes.Count + 1);
        var outer = flow.Axes.Take(axis).ToList();
        var inner = flow.Axes.Skip(axis).ToList();
        return Normalize(flow with { Axes = [Merge(node, flow, outer), Merge(node, flow, inner)] });
    }

    private GraphValue Reduce(NodeProto node)
    {
        var value = Evaluate(node, 0);
        var axes = Integers(node, 1, "axes") ?? [];
        if (value is not StepsValue { Layer: not null, Reduction: StepReduction.None } steps)
            throw Refuse(node, $"reduces {Describe(value)}; pooling reads a recurrent layer's outputs over time.");
        var time = steps.AxisOf(AxisRole.Time);
        if (axes.Length != 1 || Normalize(node, axes[0], steps.Axes.Count) != time)
            throw Refuse(node, $"reduces over axes [{string.Join(", ", axes)}] of {Describe(steps)}; pooling is over the time axis ({time}) alone.");
        var keep = IntAttribute(node, "keepdims", 1) != 0;
        var result = keep ? Replace(steps.Axes, steps.Axes[time], new GraphAxis(AxisRole.Unit, 1)) : steps.Axes.Where((_, i) => i != time).ToList();
        return steps with { Axes = result, Reduction = node.OpType == "ReduceMax" ? StepReduction.Max : StepReduction.Mean };
    }

    /// <summary>
    /// Once the directions axis of a one-direction layer's outputs, or the stack axis of a single state, is gone, its
    /// units are complete feature vectors.
    /// </summary>
    private static FlowValue Normalize(FlowValue flow)
    {
        var hidden = flow.Find(AxisRole.Hidden);
        if (hidden is null)
            return flow;
        var complete = flow switch
        {
            StepsValue steps => steps.Find(AxisRole.Directions) is null,
            StatesValue states => states.Find(AxisRole.States) is null && states.Entries.Count == 1,
            _ => false,
        };
        return complete ? flow with { Axes = Replace(flow.Axes, hidden, new GraphAxis(AxisRole.Features, hidden.Size)) } : flow;
    }

    private static List<GraphAxis> Replace(IReadOnlyList<GraphAxis> axes, GraphAxis old, GraphAxis replacement) =>
        axes.Select(a => a == old ? replacement : a).ToList();

    private long Normalize(NodeProto node, long index, int count)
    {
        var i = index < 0 ? index + count : index;
        if (i < 0 || i >= count)
            throw Refuse(node, $"index {index} is outside an axis of length {count}.");
        return i;
    }

    private static int Clamp(int index, int count) => Math.Clamp(index < 0 ? index + count : index, 0, count);

    /// <summary>Python's slice [start:end] over a length, clamped.</summary>
    private static (int Start, int End) Range(long start, long end, int count)
    {
        static int Bound(long v, int n) => (int)Math.Clamp(v < 0 ? v + n : v, 0, n);
        return (Bound(start, count), Bound(end, count));
    }

    private static float[] TransposeMatrix(float[] values, int rows, int columns)
    {
        var result = new float[values.Length];
        for (var r = 0; r < rows; r++)
            for (var c = 0; c < columns; c++)
                result[c * rows + r] = values[r * columns + c];
        return result;
    }
}
