using System.Numerics.Tensors;

namespace MlNetRnn.Network;

/// <summary>
/// Read-outs from the recurrent stack to the head. Features are the per-step outputs with directions concatenated,
/// [T, B, F] with F = D*H; pools look at the valid steps t &lt; lengths[b] only (a zero-length sequence reads zeros).
/// </summary>
public static class ReadOut
{
    /// <summary>output[b, d*H + j] = yh[d, b, j].</summary>
    /// <param name="yh">[D, B, H]</param>
    /// <param name="output">[B, D*H]</param>
    public static void LastStateForward(ReadOnlySpan<float> yh, int directions, int batch, int hidden, Span<float> output)
    {
        for (var d = 0; d < directions; d++)
            for (var b = 0; b < batch; b++)
                yh.Slice((d * batch + b) * hidden, hidden).CopyTo(output.Slice((b * directions + d) * hidden, hidden));
    }

    /// <summary>dyh[d, b, j] = doutput[b, d*H + j] (overwrites dyh).</summary>
    public static void LastStateBackward(ReadOnlySpan<float> doutput, int directions, int batch, int hidden, Span<float> dyh)
    {
        for (var d = 0; d < directions; d++)
            for (var b = 0; b < batch; b++)
                doutput.Slice((b * directions + d) * hidden, hidden).CopyTo(dyh.Slice((d * batch + b) * hidden, hidden));
    }

    /// <summary>output[b, f] = max over t &lt; len of features[t, b, f]; argmax[b, f] keeps the winning step (-1 if none).</summary>
    public static void MaxPoolForward(ReadOnlySpan<float> features, ReadOnlySpan<int> lengths, int seqLength, int batch,
        int width, Span<float> output, Span<int> argmax)
    {
        for (var b = 0; b < batch; b++)
        {
            var o = output.Slice(b * width, width);
            var a = argmax.Slice(b * width, width);
            var len = Math.Min(lengths[b], seqLength);
            if (len == 0)
            {
                o.Clear();
                a.Fill(-1);
                continue;
            }
            features.Slice(b * width, width).CopyTo(o);
            a.Clear();
            for (var t = 1; t < len; t++)
            {
                var row = features.Slice((t * batch + b) * width, width);
                for (var f = 0; f < width; f++)
                {
                    if (row[f] > o[f])
                    {
                        o[f] = row[f];
                        a[f] = t;
                    }
                }
            }
        }
    }

    /// <summary>dfeatures[argmax[b, f], b, f] += doutput[b, f].</summary>
    public static void MaxPoolBackward(ReadOnlySpan<float> doutput, ReadOnlySpan<int> argmax, int batch, int width,
        Span<float> dfeatures)
    {
        for (var b = 0; b < batch; b++)
        {
            for (var f = 0; f < width; f++)
            {
                var t = argmax[b * width + f];
                if (t >= 0)
                    dfeatures[(t * batch + b) * width + f] += doutput[b * width + f];
            }
        }
    }

    /// <summary>output[b, :] = mean over t &lt; len of features[t, b, :] (zero for an empty sequence).</summary>
    public static void MeanPoolForward(ReadOnlySpan<float> features, ReadOnlySpan<int> lengths, int seqLength, int batch,
        int width, Span<float> output)
    {
        output.Slice(0, batch * width).Clear();
        for (var b = 0; b < batch; b++)
        {
            var o = output.Slice(b * width, width);
            var len = Math.Min(lengths[b], seqLength);
            for (var t = 0; t < len; t++)
                TensorPrimitives.Add(o, features.Slice((t * batch + b) * width, width), o);
            if (len > 0)
                TensorPrimitives.Multiply(o, 1f / len, o);
        }
    }

    /// <summary>dfeatures[t, b, :] += doutput[b, :] / len for t &lt; len.</summary>
    public static void MeanPoolBackward(ReadOnlySpan<float> doutput, ReadOnlySpan<int> lengths, int seqLength, int batch,
        int width, Span<float> dfeatures)
    {
        for (var b = 0; b < batch; b++)
        {
            var len = Math.Min(lengths[b], seqLength);
            if (len == 0)
                continue;
            var scale = 1f / len;
            var g = doutput.Slice(b * width, width);
            for (var t = 0; t < len; t++)
            {
                var d = dfeatures.Slice((t * batch + b) * width, width);
                TensorPrimitives.MultiplyAdd(g, scale, d, d);
            }
        }
    }

    /// <summary>
    /// Truncated BPTT: joins the max pool of the steps before this window (<paramref name="carried"/> [B, F] over
    /// <paramref name="carriedSteps"/> [B] steps; none: ignored) to this window's, output [B, F]: where the carried
    /// value is larger (or the window has no step of the sequence) it wins and argmax becomes -1, so no gradient flows
    /// to it (the carried pool is detached).
    /// </summary>
    public static void MaxPoolCarry(ReadOnlySpan<float> carried, ReadOnlySpan<int> carriedSteps, ReadOnlySpan<int> lengths,
        int seqLength, int batch, int width, Span<float> output, Span<int> argmax)
    {
        for (var b = 0; b < batch; b++)
        {
            if (carriedSteps[b] == 0)
                continue;
            var empty = Math.Min(lengths[b], seqLength) == 0;
            for (var i = b * width; i < (b + 1) * width; i++)
            {
                if (empty || carried[i] > output[i])
                {
                    output[i] = carried[i];
                    argmax[i] = -1;
                }
            }
        }
    }

    /// <summary>
    /// Truncated BPTT: joins the mean of the steps before this window (<paramref name="carried"/> [B, F] over
    /// <paramref name="carriedSteps"/> [B] steps) to this window's mean in output [B, F]:
    /// (carried n_c + output n_w) / (n_c + n_w).
    /// </summary>
    public static void MeanPoolCarry(ReadOnlySpan<float> carried, ReadOnlySpan<int> carriedSteps, ReadOnlySpan<int> lengths,
        int seqLength, int batch, int width, Span<float> output)
    {
        for (var b = 0; b < batch; b++)
        {
            int before = carriedSteps[b], now = Math.Min(lengths[b], seqLength);
            if (before == 0)
                continue;
            for (var i = b * width; i < (b + 1) * width; i++)
                output[i] = (carried[i] * before + output[i] * now) / (before + now);
        }
    }

    /// <summary>The backward of <see cref="MeanPoolCarry"/> to the window's mean: doutput[b, :] *= n_w / (n_c + n_w)
    /// (in place; the carried mean is detached).</summary>
    public static void MeanPoolCarryBackward(ReadOnlySpan<int> carriedSteps, ReadOnlySpan<int> lengths, int seqLength,
        int batch, int width, Span<float> doutput)
    {
        for (var b = 0; b < batch; b++)
        {
            int before = carriedSteps[b], now = Math.Min(lengths[b], seqLength);
            if (before > 0)
                TensorPrimitives.Multiply(doutput.Slice(b * width, width), (float)now / (before + now), doutput.Slice(b * width, width));
        }
    }

    /// <summary>
    /// A max pool with its winners given: output[b, f] = features[argmax[b, f], b, f], or where argmax is -1 the
    /// carried value (<paramref name="carried"/> [B, F]; 0 without one). The smooth piece of the max pool that its
    /// gradient belongs to, for gradient checks (a central difference across a change of winner measures a kink).
    /// </summary>
    public static void MaxPoolAt(ReadOnlySpan<float> features, ReadOnlySpan<int> argmax, ReadOnlySpan<float> carried,
        int batch, int width, Span<float> output)
    {
        for (var b = 0; b < batch; b++)
        {
            for (var f = 0; f < width; f++)
            {
                var t = argmax[b * width + f];
                output[b * width + f] = t >= 0 ? features[(t * batch + b) * width + f] : carried.IsEmpty ? 0f : carried[b * width + f];
            }
        }
    }
}
