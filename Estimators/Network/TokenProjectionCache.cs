using System.Runtime.InteropServices;
using MlNetRnn.Kernels;

namespace MlNetRnn.Network;

/// <summary>
/// Inference of a token network's first recurrent layer from its tokens' input projections, memoised. With an embedding
/// E [V, I], the first layer's X W^T for token id is row id of E W^T: this keeps the rows of the tokens seen so far in a
/// table [D, V, G*H], so that a step copies G*H floats where it would multiply I by G*H
/// (<see cref="NativeKernel.ForwardFromTable"/>). A row is projected by the kernel's own GEMM the first time its token
/// appears, and has the bits the forward's projection would give it, so predictions do not change by a bit.
/// <para>
/// Never stale: the cache keeps its own copy of W and of every embedding row it has projected, and before each call
/// compares W and the rows that call reads with them (a few hundred bytes a token, against the 2 I G H FLOPs the row
/// saves). A row that differs is projected again; a W that differs empties the cache. So weights changed in place (a
/// training step, an averaged or restored set, a user's edit) are seen on the next call, whoever changed them.
/// </para>
/// <para>
/// One cache may serve several networks on several threads (a SequenceModel's pool shares one): <see cref="Prepare"/>
/// runs under the cache's lock, and the forwards read the rows it made valid outside it. While the weights stay as they
/// are, a row once written is never written again, so a forward never reads a row another thread is writing. Weights
/// changed while other threads score with them are a race on the weights themselves, with or without the cache.
/// </para>
/// </summary>
internal sealed class TokenProjectionCache
{
    private readonly object _gate = new();
    private string _instructionSet = "";  // the code path whose GEMM projected the rows (each path has its own bits)
    private readonly int _vocabulary;
    private readonly int _size;         // I = E, the embedding's width
    private readonly int _width;        // G*H
    private readonly int _directions;
    // Allocated on the first Prepare, so that a cache no network uses costs nothing.
    private float[] _table = [];        // [D, V, G*H]; rows of tokens not yet seen are undefined
    private float[] _rows = [];         // [V, I]: the embedding rows the table's rows were projected from
    private float[] _weights = [];      // [D, G*H, I]: the W they were projected with
    private bool[] _known = [];         // [V]: whether row id of _table is projected
    private int[] _seen = [];           // [V]: the call that last checked token id
    private int[] _pending = [];        // [V]: the tokens of this call to project
    private int _call;
    private float[] _gathered = [];     // [n, I] of a block of pending tokens
    private float[] _projected = [];    // [n, G*H]

    // Pending tokens projected per GEMM: bounds the scratch (W4: 2048 x 384 floats, 3 MiB) and keeps each GEMM large.
    private const int ProjectionBlock = 2048;

    public TokenProjectionCache(RecurrentDescriptor layer, int vocabulary)
    {
        _vocabulary = vocabulary;
        _size = layer.InputSize;
        _width = layer.GateCount * layer.HiddenSize;
        _directions = layer.NumDirections;
    }

    /// <summary>Whether a cache for this layer and vocabulary fits in .NET arrays (its table has D * V * G*H floats).</summary>
    public static bool Fits(RecurrentDescriptor layer, int vocabulary) =>
        (long)layer.NumDirections * vocabulary * layer.GateCount * layer.HiddenSize <= Array.MaxLength;

    /// <summary>Bytes a cache for this layer and vocabulary holds.</summary>
    public static long Bytes(RecurrentDescriptor layer, int vocabulary)
    {
        long width = (long)layer.GateCount * layer.HiddenSize;
        return 4 * (layer.NumDirections * vocabulary * width + (long)vocabulary * layer.InputSize
            + layer.NumDirections * width * layer.InputSize + (long)ProjectionBlock * (layer.InputSize + width)) + 9L * vocabulary;
    }

    /// <summary>The projections [D, V, G*H]; valid for the tokens of the last <see cref="Prepare"/>.</summary>
    public ReadOnlySpan<float> Table => _table;

    /// <summary>
    /// Makes the rows of every token a batch reads (ids [T, B] at t &lt; lengths[b]) those of <paramref name="embedding"/>
    /// [V, I] and <paramref name="weights"/> [D, G*H, I] as they are now, projected by <paramref name="kernel"/>'s GEMM.
    /// False where an id is outside the vocabulary (the caller's ordinary path then reports it); the rows stay valid or
    /// marked to be projected again.
    /// </summary>
    public bool Prepare(NativeKernel kernel, ReadOnlySpan<float> embedding, ReadOnlySpan<float> weights, ReadOnlySpan<int> ids,
        ReadOnlySpan<int> lengths, int seqLength, int batch)
    {
        lock (_gate)
            return PrepareLocked(kernel, embedding, weights, ids, lengths, seqLength, batch);
    }

    private bool PrepareLocked(NativeKernel kernel, ReadOnlySpan<float> embedding, ReadOnlySpan<float> weights,
        ReadOnlySpan<int> ids, ReadOnlySpan<int> lengths, int seqLength, int batch)
    {
        if (_known.Length == 0)
        {
            _table = GC.AllocateUninitializedArray<float>(checked(_directions * _vocabulary * _width));
            _rows = GC.AllocateUninitializedArray<float>(checked(_vocabulary * _size));
            _weights = new float[checked(_directions * _width * _size)];
            _known = new bool[_vocabulary];
            _seen = new int[_vocabulary];
            _pending = new int[_vocabulary];
            _instructionSet = "";
        }
        if (!SameBits(weights, _weights) || kernel.InstructionSet != _instructionSet)
        {
            weights.CopyTo(_weights);
            _instructionSet = kernel.InstructionSet;
            Array.Clear(_known);
        }
        if (++_call == int.MaxValue)
        {
            Array.Clear(_seen);
            _call = 1;
        }
        var pending = 0;
        for (var t = 0; t < seqLength; t++)
        {
            for (var b = 0; b < batch; b++)
            {
                if (t >= lengths[b])
                    continue;
                var id = ids[t * batch + b];
                if ((uint)id >= (uint)_vocabulary)
                    return false;
                if (_seen[id] == _call)
                    continue;
                _seen[id] = _call;
                if (_known[id] && SameBits(embedding.Slice(id * _size, _size), _rows.AsSpan(id * _size, _size)))
                    continue;
                _known[id] = false;
                _pending[pending++] = id;
            }
        }
        for (var first = 0; first < pending; first += ProjectionBlock)
            Project(kernel, embedding, _pending.AsSpan(first, Math.Min(ProjectionBlock, pending - first)));
        return true;
    }

    // Bit for bit (float equality would take -0 for 0 and miss a NaN's payload), as one vectorised memory compare.
    private static bool SameBits(ReadOnlySpan<float> a, ReadOnlySpan<float> b) =>
        MemoryMarshal.Cast<float, int>(a).SequenceEqual(MemoryMarshal.Cast<float, int>(b));

    // Projects the tokens' rows: gathered [n, I], times W[d]^T through the kernel's GEMM, into the table.
    private void Project(NativeKernel kernel, ReadOnlySpan<float> embedding, ReadOnlySpan<int> tokens)
    {
        var count = tokens.Length;
        if (_gathered.Length < count * _size)
            _gathered = new float[count * _size];
        if (_projected.Length < count * _width)
            _projected = new float[count * _width];
        var gathered = _gathered.AsSpan(0, count * _size);
        for (var i = 0; i < count; i++)
        {
            var id = tokens[i];
            var row = embedding.Slice(id * _size, _size);
            row.CopyTo(gathered.Slice(i * _size, _size));
            row.CopyTo(_rows.AsSpan(id * _size, _size));
        }
        var projected = _projected.AsSpan(0, count * _width);
        for (var d = 0; d < _directions; d++)
        {
            kernel.Gemm(false, true, count, _width, _size, 1f, gathered, _size,
                _weights.AsSpan(d * _width * _size, _width * _size), _size, 0f, projected, _width);
            var table = _table.AsSpan(d * _vocabulary * _width, _vocabulary * _width);
            for (var i = 0; i < count; i++)
                projected.Slice(i * _width, _width).CopyTo(table.Slice(tokens[i] * _width, _width));
        }
        foreach (var id in tokens)
            _known[id] = true;
    }
}
