using MlNetRnn.OnnxExport.Onnx;

namespace MlNetRnn.OnnxExport.Import;

/// <summary>
/// What the importer knows about one tensor of the graph without running it: a constant, shape arithmetic, a tensor
/// known to be zero, or a tensor computed from the model's input whose axes and meaning are tracked
/// (<see cref="FlowValue"/>).
/// </summary>
internal abstract record GraphValue;

/// <summary>An initializer, a Constant node, or an operator folded over them.</summary>
internal sealed record KnownValue(OnnxTensor Tensor) : GraphValue;

/// <summary>
/// An integer vector (or scalar) of shape arithmetic: numbers and dynamic axis lengths taken by Shape, as in the
/// target shape of a Reshape that keeps the batch.
/// </summary>
internal sealed record DimsValue(IReadOnlyList<Dim> Dims, bool Scalar) : GraphValue;

/// <summary>
/// One entry of a <see cref="DimsValue"/>: a number, or the length of an axis (Shape's output), whose
/// <see cref="Value"/> is its size where that is fixed and 0 where it is dynamic (batch, time).
/// </summary>
internal readonly record struct Dim(long Value, GraphAxis? Axis)
{
    public static Dim Of(GraphAxis axis) => new(axis.Size, axis);
}

/// <summary>A float tensor of zeros (ConstantOfShape and what slices or reshapes it): a zero initial state.</summary>
internal sealed record ZerosValue : GraphValue;

/// <summary>A tensor computed from the model's input; its axes say what each dimension indexes.</summary>
internal abstract record FlowValue(IReadOnlyList<GraphAxis> Axes) : GraphValue
{
    public int AxisOf(AxisRole role) => Axes.ToList().FindIndex(a => a.Role == role);

    public GraphAxis? Find(AxisRole role) => Axes.FirstOrDefault(a => a.Role == role);
}

/// <summary>The token ids [., .] the embedding reads (its axes open until a recurrent node binds them).</summary>
internal sealed record TokensValue(IReadOnlyList<GraphAxis> Axes, string InputName) : FlowValue(Axes);

/// <summary>How a read-out reduced the time axis of a layer's outputs.</summary>
internal enum StepReduction
{
    None,
    LastStep,
    Max,
    Mean,
}

/// <summary>
/// Per-step vectors: the network's input (embedded tokens or features, <paramref name="Layer"/> null) or a recurrent
/// layer's outputs Y, possibly reduced over time by a read-out.
/// </summary>
internal sealed record StepsValue(IReadOnlyList<GraphAxis> Axes, ImportedLayer? Layer, StepReduction Reduction)
    : FlowValue(Axes);

/// <summary>One final state: layer, direction, and whether it is the LSTM cell state c rather than h.</summary>
internal readonly record struct StateEntry(ImportedLayer Layer, int Direction, bool Cell)
{
    public override string ToString() => $"{(Cell ? "Y_c" : "Y_h")} of node '{Layer.Node.Name}' direction {Direction}";
}

/// <summary>
/// Final states: either stacked ([States, B, H], one entry per index of the States axis) or concatenated into
/// feature vectors ([B, Features] with the entries H wide each, in order).
/// </summary>
internal sealed record StatesValue(IReadOnlyList<GraphAxis> Axes, IReadOnlyList<StateEntry> Entries) : FlowValue(Axes);

/// <summary>The output activation a graph ends with.</summary>
internal enum OutputActivation
{
    None,
    Sigmoid,
    Softmax,
    LogSoftmax,
}

/// <summary>
/// The dense head over a read-out: y = x W^T + b, [.., K], then optionally the output activation.
/// </summary>
/// <param name="Source">The read-out it reads: a reduced or per-step <see cref="StepsValue"/> or a <see cref="StatesValue"/>.</param>
/// <param name="Weight">[K, F]</param>
/// <param name="Bias">[K]; null until an Add supplies it (MatMul alone has none).</param>
internal sealed record HeadValue(IReadOnlyList<GraphAxis> Axes, FlowValue Source, float[] Weight, float[]? Bias, int OutputSize,
    OutputActivation Activation, string ActivationNode) : FlowValue(Axes);
