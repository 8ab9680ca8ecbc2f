namespace MlNetRnn.OnnxExport.Import;

/// <summary>What one axis of a tensor computed from the model's input indexes.</summary>
internal enum AxisRole
{
    /// <summary>An axis of the graph's input not yet known to be the batch or the time axis: the first recurrent
    /// node decides (its X is [T, B, I]).</summary>
    Open,
    Batch,
    Time,

    /// <summary>Complete feature vectors: the embedding, the input features, or all directions of a layer's outputs
    /// (d*H + j), or the states of a read-out.</summary>
    Features,

    /// <summary>The D axis of a recurrent node's Y [T, D, B, H].</summary>
    Directions,

    /// <summary>H, one direction's units.</summary>
    Hidden,

    /// <summary>A stack of final states (Y_h, Y_c and their concatenations), one entry per index.</summary>
    States,

    /// <summary>A size-1 axis added by Unsqueeze, a kept dimension or a one-step slice.</summary>
    Unit,

    /// <summary>The head's K outputs.</summary>
    Outputs,
}

/// <summary>
/// One axis of a tensor flowing from the model's input. Axes are shared by reference: a transposed tensor keeps the
/// same axis objects, so binding an open input axis to batch or time (done once, by the first recurrent node) holds
/// for every tensor that carries it, and Shape of a tensor can name an axis rather than a number.
/// </summary>
internal sealed class GraphAxis
{
    public GraphAxis(AxisRole role, int size)
    {
        Role = role;
        Size = size;
    }

    public AxisRole Role { get; private set; }

    /// <summary>The length of the axis; 0 where it is dynamic (batch, time, an open input axis).</summary>
    public int Size { get; }

    public bool IsDynamic => Role is AxisRole.Open or AxisRole.Batch or AxisRole.Time;

    /// <summary>An open input axis becomes the batch or the time axis; false if it is already another one.</summary>
    public bool Bind(AxisRole role)
    {
        if (Role == AxisRole.Open)
            Role = role;
        return Role == role;
    }

    public override string ToString() => IsDynamic ? Role.ToString().ToLowerInvariant() : $"{Role.ToString().ToLowerInvariant()}({Size})";

    public static string Describe(IEnumerable<GraphAxis> axes) => "[" + string.Join(", ", axes) + "]";
}
