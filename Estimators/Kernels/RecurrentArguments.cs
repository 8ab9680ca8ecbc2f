namespace MlNetRnn.Kernels;

/// <summary>
/// Checks the spans of a recurrent call against its descriptor, so that every kernel rejects a bad call the same way:
/// an <see cref="ArgumentException"/> naming the tensor, its expected shape and the actual length.
/// </summary>
public static class RecurrentArguments
{
    /// <param name="fromTable">The call reads its inputs' projections from a table (NativeKernel.ForwardFromTable): X
    /// and W must then be empty.</param>
    public static void ValidateInputs(RecurrentDescriptor d, in RecurrentInputs x, bool fromTable = false)
    {
        ArgumentNullException.ThrowIfNull(d);
        if (x.SeqLength < 0)
            throw new ArgumentOutOfRangeException("SeqLength", x.SeqLength, "The sequence length T must be >= 0.");
        if (x.Batch < 0)
            throw new ArgumentOutOfRangeException("Batch", x.Batch, "The batch size B must be >= 0.");
        int T = x.SeqLength, B = x.Batch, I = d.InputSize, H = d.HiddenSize, D = d.NumDirections, G = d.GateCount;
        if (fromTable)
        {
            if (!x.X.IsEmpty || !x.W.IsEmpty)
                throw new ArgumentException("A forward from a projection table reads no X and no W: pass both empty.", "X");
        }
        else
        {
            Require("X", x.X.Length, (long)T * B * I, $"[T={T}, B={B}, I={I}]", optional: false);
            Require("W", x.W.Length, d.WeightLength, $"[D={D}, G*H={G * H}, I={I}]", optional: false);
        }
        Require("R", x.R.Length, d.RecurrenceLength, $"[D={D}, G*H={G * H}, H={H}]", optional: false);
        Require("B", x.B.Length, d.BiasLength, $"[D={D}, 2*G*H={2 * G * H}]", optional: true);
        Require("initial_h", x.InitialH.Length, d.StateLength(B), $"[D={D}, B={B}, H={H}]", optional: true);
        if (d.Cell == RecurrentCell.Lstm)
        {
            Require("initial_c", x.InitialC.Length, d.StateLength(B), $"[D={D}, B={B}, H={H}]", optional: true);
            Require("P", x.P.Length, d.PeepholeLength, $"[D={D}, 3*H={3 * H}]", optional: true);
        }
        else
        {
            if (!x.InitialC.IsEmpty)
                throw new ArgumentException($"initial_c is an LSTM input; a {d.Cell} layer has no cell state.", "initial_c");
            if (!x.P.IsEmpty)
                throw new ArgumentException($"P (peepholes) is an LSTM input; a {d.Cell} layer has none.", "P");
        }
        if (!x.SequenceLengths.IsEmpty)
        {
            if (x.SequenceLengths.Length != B)
                throw new ArgumentException($"sequence_lens must have B={B} entries, got {x.SequenceLengths.Length}.", "sequence_lens");
            for (var b = 0; b < B; b++)
            {
                var len = x.SequenceLengths[b];
                if (len < 0 || len > T)
                    throw new ArgumentOutOfRangeException("sequence_lens", len,
                        $"sequence_lens[{b}] = {len} is outside [0, T={T}].");
            }
        }
    }

    public static void ValidateOutputs(RecurrentDescriptor d, in RecurrentInputs x, in RecurrentOutputs y)
    {
        int T = x.SeqLength, B = x.Batch, H = d.HiddenSize, D = d.NumDirections;
        Require("Y", y.Y.Length, d.OutputLength(T, B), $"[T={T}, D={D}, B={B}, H={H}]", optional: true);
        Require("Y_h", y.YH.Length, d.StateLength(B), $"[D={D}, B={B}, H={H}]", optional: true);
        if (d.Cell == RecurrentCell.Lstm)
            Require("Y_c", y.YC.Length, d.StateLength(B), $"[D={D}, B={B}, H={H}]", optional: true);
        else if (!y.YC.IsEmpty)
            throw new ArgumentException($"Y_c is an LSTM output; a {d.Cell} layer has no cell state.", "Y_c");
    }

    public static void ValidateGradients(RecurrentDescriptor d, in RecurrentInputs x, in RecurrentOutputGradients dy,
        in RecurrentGradients g)
    {
        int T = x.SeqLength, B = x.Batch, I = d.InputSize, H = d.HiddenSize, D = d.NumDirections, G = d.GateCount;
        Require("dY", dy.DY.Length, d.OutputLength(T, B), $"[T={T}, D={D}, B={B}, H={H}]", optional: true);
        Require("dY_h", dy.DYH.Length, d.StateLength(B), $"[D={D}, B={B}, H={H}]", optional: true);
        Require("dY_c", dy.DYC.Length, d.Cell == RecurrentCell.Lstm ? d.StateLength(B) : 0, $"[D={D}, B={B}, H={H}]", optional: true);
        Require("dX", g.DX.Length, (long)T * B * I, $"[T={T}, B={B}, I={I}]", optional: true);
        Require("dW", g.DW.Length, d.WeightLength, $"[D={D}, G*H={G * H}, I={I}]", optional: true);
        Require("dR", g.DR.Length, d.RecurrenceLength, $"[D={D}, G*H={G * H}, H={H}]", optional: true);
        Require("dB", g.DB.Length, d.BiasLength, $"[D={D}, 2*G*H={2 * G * H}]", optional: true);
        Require("dP", g.DP.Length, d.PeepholeLength, $"[D={D}, 3*H={3 * H}]", optional: true);
        Require("dinitial_h", g.DInitialH.Length, d.StateLength(B), $"[D={D}, B={B}, H={H}]", optional: true);
        Require("dinitial_c", g.DInitialC.Length, d.Cell == RecurrentCell.Lstm ? d.StateLength(B) : 0, $"[D={D}, B={B}, H={H}]", optional: true);
    }

    public static void ValidateReserve(long expected, int actual, string kernel)
    {
        if (actual != expected)
            throw new ArgumentException($"The reserve buffer must hold {expected} floats for {kernel}, got {actual}. " +
                "Allocate it with ReserveSize for the same descriptor, T and B.", "reserve");
    }

    private static void Require(string name, int actual, long expected, string shape, bool optional)
    {
        if (optional && actual == 0)
            return;
        if (actual != expected)
            throw new ArgumentException($"{name} must have {expected} elements {shape}, got {actual}." +
                (optional ? " Pass an empty span when it is absent." : ""), name);
    }
}
