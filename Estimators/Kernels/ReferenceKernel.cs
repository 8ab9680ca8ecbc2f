using System.Numerics;

namespace MlNetRnn.Kernels;

/// <summary>
/// The specification: the ONNX RNN/GRU/LSTM equations written out one sequence and one step at a time, with
/// scalar loops and double accumulation, forward and backward. Slow on purpose; every fast path is tested against it.
/// <para>Equations (ONNX names; a = pre-activation, clip applied to every a when Clip &gt; 0):</para>
/// <code>
/// RNN : h' = f(W x + R h + Wb + Rb)
/// GRU : z = f(Wz x + Rz h + Wbz + Rbz)            r = f(Wr x + Rr h + Wbr + Rbr)
///       lbr=0: n = g(Wh x + Rh (r*h) + Rbh + Wbh)   lbr=1: n = g(Wh x + r*(Rh h + Rbh) + Wbh)
///       h' = (1 - z)*n + z*h
/// LSTM: i = f(Wi x + Ri h + Pi*c + Wbi + Rbi)     f = f(Wf x + Rf h + Pf*c + Wbf + Rbf)  (input_forget: f = 1 - i)
///       u = g(Wc x + Rc h + Wbc + Rbc)            c' = f*c + i*u
///       o = f(Wo x + Ro h + Po*c' + Wbo + Rbo)    h' = o*h(c')
/// </code>
/// </summary>
public sealed class ReferenceKernel : ISequenceKernel
{
    public static ReferenceKernel Instance { get; } = new();

    public int Threads => 1;

    // Per (direction, step, sequence) the reserve keeps: pre-activations [G*H], gate outputs [G*H],
    // GRU lbr=1 recurrent candidate Rh h + Rbh [H], previous h [H], previous c [H], new c [H], h(c') [H].
    private static int StepStride(RecurrentDescriptor d) => (2 * d.GateCount + 5) * d.HiddenSize;

    public long ReserveSize(RecurrentDescriptor descriptor, int seqLength, int batch)
    {
        ArgumentNullException.ThrowIfNull(descriptor);
        return (long)descriptor.NumDirections * seqLength * batch * StepStride(descriptor);
    }

    public void Forward(RecurrentDescriptor d, in RecurrentInputs x, in RecurrentOutputs outputs, Span<float> reserve)
    {
        RecurrentArguments.ValidateInputs(d, x);
        RecurrentArguments.ValidateOutputs(d, x, outputs);
        if (!reserve.IsEmpty)
            RecurrentArguments.ValidateReserve(ReserveSize(d, x.SeqLength, x.Batch), reserve.Length, nameof(ReferenceKernel));

        int T = x.SeqLength, B = x.Batch, I = d.InputSize, H = d.HiddenSize, G = d.GateCount;
        var stride = StepStride(d);
        outputs.Y.Clear();
        var h = new float[H];
        var c = new float[H];
        var pre = new double[G * H];
        var act = new float[G * H];
        var n = new float[H];
        var rh = new float[H];

        for (var dir = 0; dir < d.NumDirections; dir++)
        {
            var reverse = d.Direction == RecurrentDirection.Reverse || dir == 1;
            var w = x.W.Slice(dir * G * H * I, G * H * I);
            var r = x.R.Slice(dir * G * H * H, G * H * H);
            for (var b = 0; b < B; b++)
            {
                var len = x.SequenceLengths.IsEmpty ? T : x.SequenceLengths[b];
                LoadState(x.InitialH, dir, b, B, H, h);
                LoadState(x.InitialC, dir, b, B, H, c);
                for (var s = 0; s < len; s++)
                {
                    var t = reverse ? len - 1 - s : s;
                    var xt = x.X.Slice((t * B + b) * I, I);
                    var slot = reserve.IsEmpty ? Span<float>.Empty : reserve.Slice((int)(((long)(dir * T + t) * B + b) * stride), stride);
                    if (!slot.IsEmpty)
                    {
                        h.CopyTo(slot.Slice(2 * G * H + H, H));
                        c.CopyTo(slot.Slice(2 * G * H + 2 * H, H));
                    }

                    // Every gate's input and recurrent projection with its biases; GRU's candidate handled below.
                    for (var j = 0; j < G * H; j++)
                    {
                        double sum = Bias(x.B, dir, G, H, j, recurrent: false);
                        for (var i = 0; i < I; i++)
                            sum += (double)w[j * I + i] * xt[i];
                        var gruCandidate = d.Cell == RecurrentCell.Gru && j >= 2 * H;
                        if (!gruCandidate)
                        {
                            sum += Bias(x.B, dir, G, H, j, recurrent: true);
                            for (var k = 0; k < H; k++)
                                sum += (double)r[j * H + k] * h[k];
                        }
                        pre[j] = sum;
                    }

                    switch (d.Cell)
                    {
                        case RecurrentCell.Rnn:
                            for (var j = 0; j < H; j++)
                            {
                                act[j] = d.ActivationOf(dir, 0).Apply(Clip(d, pre[j]));
                                h[j] = act[j];
                            }
                            break;

                        case RecurrentCell.Gru:
                            for (var j = 0; j < 2 * H; j++)
                                act[j] = d.ActivationOf(dir, 0).Apply(Clip(d, pre[j]));
                            for (var j = 0; j < H; j++)
                            {
                                var rj = (double)Bias(x.B, dir, G, H, 2 * H + j, recurrent: true);
                                if (d.LinearBeforeReset)
                                {
                                    for (var k = 0; k < H; k++)
                                        rj += (double)r[(2 * H + j) * H + k] * h[k];
                                    n[j] = (float)rj;
                                    pre[2 * H + j] += act[H + j] * rj;
                                }
                                else
                                {
                                    for (var k = 0; k < H; k++)
                                        rj += (double)r[(2 * H + j) * H + k] * (act[H + k] * h[k]);
                                    pre[2 * H + j] += rj;
                                }
                            }
                            for (var j = 0; j < H; j++)
                            {
                                act[2 * H + j] = d.ActivationOf(dir, 1).Apply(Clip(d, pre[2 * H + j]));
                                var z = act[j];
                                h[j] = (1f - z) * act[2 * H + j] + z * h[j];
                            }
                            break;

                        case RecurrentCell.Lstm:
                            // i, o, f, c: o needs the new cell state, so it is finished after c'.
                            for (var j = 0; j < H; j++)
                            {
                                var cPrev = c[j];
                                pre[j] += Peephole(x.P, dir, H, 0, j) * cPrev;
                                pre[2 * H + j] += Peephole(x.P, dir, H, 2, j) * cPrev;
                                act[j] = d.ActivationOf(dir, 0).Apply(Clip(d, pre[j]));
                                act[2 * H + j] = d.InputForget ? 1f - act[j] : d.ActivationOf(dir, 0).Apply(Clip(d, pre[2 * H + j]));
                                act[3 * H + j] = d.ActivationOf(dir, 1).Apply(Clip(d, pre[3 * H + j]));
                                c[j] = act[2 * H + j] * cPrev + act[j] * act[3 * H + j];
                                pre[H + j] += Peephole(x.P, dir, H, 1, j) * c[j];
                                act[H + j] = d.ActivationOf(dir, 0).Apply(Clip(d, pre[H + j]));
                                n[j] = d.ActivationOf(dir, 2).Apply(c[j]);
                                h[j] = act[H + j] * n[j];
                            }
                            break;
                    }

                    if (!slot.IsEmpty)
                    {
                        for (var j = 0; j < G * H; j++)
                            slot[j] = (float)pre[j];
                        act.CopyTo(slot.Slice(G * H, G * H));
                        if (d.Cell == RecurrentCell.Gru)
                            n.CopyTo(slot.Slice(2 * G * H, H));
                        c.CopyTo(slot.Slice(2 * G * H + 3 * H, H));
                        if (d.Cell == RecurrentCell.Lstm)
                            n.CopyTo(slot.Slice(2 * G * H + 4 * H, H));
                    }
                    if (!outputs.Y.IsEmpty)
                        h.CopyTo(outputs.Y.Slice(((t * d.NumDirections + dir) * B + b) * H, H));
                }
                if (!outputs.YH.IsEmpty)
                    h.CopyTo(outputs.YH.Slice((dir * B + b) * H, H));
                if (!outputs.YC.IsEmpty)
                    c.CopyTo(outputs.YC.Slice((dir * B + b) * H, H));
            }
        }
    }

    public void Backward(RecurrentDescriptor d, in RecurrentInputs x, Span<float> reserve,
        in RecurrentOutputGradients dOut, in RecurrentGradients grads)
    {
        RecurrentArguments.ValidateInputs(d, x);
        RecurrentArguments.ValidateGradients(d, x, dOut, grads);
        RecurrentArguments.ValidateReserve(ReserveSize(d, x.SeqLength, x.Batch), reserve.Length, nameof(ReferenceKernel));

        int T = x.SeqLength, B = x.Batch, I = d.InputSize, H = d.HiddenSize, G = d.GateCount;
        var stride = StepStride(d);
        var dh = new double[H];
        var dc = new double[H];
        var dPre = new double[G * H];    // gradient of each gate's pre-activation (GRU candidate: of its input part)
        var dRec = new double[G * H];    // gradient of each gate's recurrent part R h (+ Rb)
        var dhPrev = new double[H];
        var rTimesH = new float[H];

        for (var dir = 0; dir < d.NumDirections; dir++)
        {
            var reverse = d.Direction == RecurrentDirection.Reverse || dir == 1;
            var w = x.W.Slice(dir * G * H * I, G * H * I);
            var r = x.R.Slice(dir * G * H * H, G * H * H);
            var dw = grads.DW.IsEmpty ? Span<float>.Empty : grads.DW.Slice(dir * G * H * I, G * H * I);
            var dr = grads.DR.IsEmpty ? Span<float>.Empty : grads.DR.Slice(dir * G * H * H, G * H * H);
            var db = grads.DB.IsEmpty ? Span<float>.Empty : grads.DB.Slice(dir * 2 * G * H, 2 * G * H);
            var dp = grads.DP.IsEmpty ? Span<float>.Empty : grads.DP.Slice(dir * 3 * H, 3 * H);
            for (var b = 0; b < B; b++)
            {
                var len = x.SequenceLengths.IsEmpty ? T : x.SequenceLengths[b];
                for (var j = 0; j < H; j++)
                {
                    dh[j] = dOut.DYH.IsEmpty ? 0 : dOut.DYH[(dir * B + b) * H + j];
                    dc[j] = dOut.DYC.IsEmpty ? 0 : dOut.DYC[(dir * B + b) * H + j];
                }
                for (var s = len - 1; s >= 0; s--)
                {
                    var t = reverse ? len - 1 - s : s;
                    var xt = x.X.Slice((t * B + b) * I, I);
                    var slot = reserve.Slice((int)(((long)(dir * T + t) * B + b) * stride), stride);
                    var pre = slot.Slice(0, G * H);
                    var act = slot.Slice(G * H, G * H);
                    var extra = slot.Slice(2 * G * H, H);
                    var hPrev = slot.Slice(2 * G * H + H, H);
                    var cPrev = slot.Slice(2 * G * H + 2 * H, H);
                    var cNew = slot.Slice(2 * G * H + 3 * H, H);
                    var hOfC = slot.Slice(2 * G * H + 4 * H, H);
                    if (!dOut.DY.IsEmpty)
                    {
                        for (var j = 0; j < H; j++)
                            dh[j] += dOut.DY[((t * d.NumDirections + dir) * B + b) * H + j];
                    }
                    Array.Clear(dhPrev);

                    switch (d.Cell)
                    {
                        case RecurrentCell.Rnn:
                            for (var j = 0; j < H; j++)
                            {
                                dPre[j] = dh[j] * d.ActivationOf(dir, 0).DerivativeFromOutput(act[j]) * ClipGate(d, pre[j]);
                                dRec[j] = dPre[j];
                            }
                            break;

                        case RecurrentCell.Gru:
                            for (var j = 0; j < H; j++)
                            {
                                double z = act[j], nj = act[2 * H + j];
                                var dn = dh[j] * (1 - z);
                                var dz = dh[j] * (hPrev[j] - nj);
                                dhPrev[j] += dh[j] * z;
                                dPre[j] = dz * d.ActivationOf(dir, 0).DerivativeFromOutput(act[j]) * ClipGate(d, pre[j]);
                                dRec[j] = dPre[j];
                                dPre[2 * H + j] = dn * d.ActivationOf(dir, 1).DerivativeFromOutput(act[2 * H + j]) * ClipGate(d, pre[2 * H + j]);
                            }
                            if (d.LinearBeforeReset)
                            {
                                for (var j = 0; j < H; j++)
                                {
                                    var dr_ = dPre[2 * H + j] * extra[j];
                                    dRec[2 * H + j] = dPre[2 * H + j] * act[H + j];
                                    dPre[H + j] = dr_ * d.ActivationOf(dir, 0).DerivativeFromOutput(act[H + j]) * ClipGate(d, pre[H + j]);
                                    dRec[H + j] = dPre[H + j];
                                }
                            }
                            else
                            {
                                // The candidate's recurrent input is r*h: its gradient splits into r and h.
                                for (var k = 0; k < H; k++)
                                {
                                    double dRh = 0;
                                    for (var j = 0; j < H; j++)
                                        dRh += r[(2 * H + j) * H + k] * dPre[2 * H + j];
                                    dPre[H + k] = dRh * hPrev[k] * d.ActivationOf(dir, 0).DerivativeFromOutput(act[H + k]) * ClipGate(d, pre[H + k]);
                                    dRec[H + k] = dPre[H + k];
                                    dhPrev[k] += dRh * act[H + k];
                                    rTimesH[k] = act[H + k] * hPrev[k];
                                }
                                for (var j = 0; j < H; j++)
                                    dRec[2 * H + j] = dPre[2 * H + j];
                            }
                            break;

                        case RecurrentCell.Lstm:
                            for (var j = 0; j < H; j++)
                            {
                                double i = act[j], o = act[H + j], f = act[2 * H + j], u = act[3 * H + j];
                                var dO = dh[j] * hOfC[j];
                                dPre[H + j] = dO * d.ActivationOf(dir, 0).DerivativeFromOutput(act[H + j]) * ClipGate(d, pre[H + j]);
                                var dcNew = dc[j] + dh[j] * o * d.ActivationOf(dir, 2).DerivativeFromOutput(hOfC[j])
                                            + dPre[H + j] * Peephole(x.P, dir, H, 1, j);
                                var dI = dcNew * u;
                                var dF = dcNew * cPrev[j];
                                var dU = dcNew * i;
                                if (d.InputForget)
                                {
                                    dI -= dF;
                                    dPre[2 * H + j] = 0;
                                }
                                else
                                {
                                    dPre[2 * H + j] = dF * d.ActivationOf(dir, 0).DerivativeFromOutput(act[2 * H + j]) * ClipGate(d, pre[2 * H + j]);
                                }
                                dPre[j] = dI * d.ActivationOf(dir, 0).DerivativeFromOutput(act[j]) * ClipGate(d, pre[j]);
                                dPre[3 * H + j] = dU * d.ActivationOf(dir, 1).DerivativeFromOutput(act[3 * H + j]) * ClipGate(d, pre[3 * H + j]);
                                dc[j] = dcNew * f + dPre[j] * Peephole(x.P, dir, H, 0, j) + dPre[2 * H + j] * Peephole(x.P, dir, H, 2, j);
                                if (!dp.IsEmpty)
                                {
                                    dp[j] += (float)(dPre[j] * cPrev[j]);
                                    dp[H + j] += (float)(dPre[H + j] * cNew[j]);
                                    dp[2 * H + j] += (float)(dPre[2 * H + j] * cPrev[j]);
                                }
                            }
                            for (var j = 0; j < G * H; j++)
                                dRec[j] = dPre[j];
                            break;
                    }

                    // Input side: dX += W^T dPre, dW += dPre x^T, dWb += dPre.
                    for (var j = 0; j < G * H; j++)
                    {
                        var g = dPre[j];
                        if (!db.IsEmpty)
                            db[j] += (float)g;
                        if (!dw.IsEmpty)
                        {
                            for (var i = 0; i < I; i++)
                                dw[j * I + i] += (float)(g * xt[i]);
                        }
                        if (!grads.DX.IsEmpty)
                        {
                            var dx = grads.DX.Slice((t * B + b) * I, I);
                            for (var i = 0; i < I; i++)
                                dx[i] += (float)(g * w[j * I + i]);
                        }
                    }

                    // Recurrent side: dh_prev += R^T dRec, dR += dRec hRec^T, dRb += dRec, where hRec is the
                    // vector R multiplies (r*h for the GRU lbr=0 candidate, h everywhere else).
                    for (var j = 0; j < G * H; j++)
                    {
                        var g = dRec[j];
                        var candidateOfLbr0 = d.Cell == RecurrentCell.Gru && !d.LinearBeforeReset && j >= 2 * H;
                        if (!db.IsEmpty)
                            db[G * H + j] += (float)g;
                        for (var k = 0; k < H; k++)
                        {
                            var hk = candidateOfLbr0 ? rTimesH[k] : hPrev[k];
                            if (!dr.IsEmpty)
                                dr[j * H + k] += (float)(g * hk);
                            if (!candidateOfLbr0)
                                dhPrev[k] += g * r[j * H + k];
                        }
                    }

                    Array.Copy(dhPrev, dh, H);
                }

                if (!grads.DInitialH.IsEmpty)
                {
                    for (var j = 0; j < H; j++)
                        grads.DInitialH[(dir * B + b) * H + j] += (float)dh[j];
                }
                if (!grads.DInitialC.IsEmpty)
                {
                    for (var j = 0; j < H; j++)
                        grads.DInitialC[(dir * B + b) * H + j] += (float)dc[j];
                }
            }
        }
    }

    public void Gemm(bool transposeA, bool transposeB, int m, int n, int k, float alpha,
        ReadOnlySpan<float> a, int lda, ReadOnlySpan<float> b, int ldb, float beta, Span<float> c, int ldc)
    {
        GemmArguments.Validate(transposeA, transposeB, m, n, k, a.Length, lda, b.Length, ldb, c.Length, ldc);
        for (var i = 0; i < m; i++)
        {
            for (var j = 0; j < n; j++)
            {
                double sum = 0;
                for (var p = 0; p < k; p++)
                {
                    var av = transposeA ? a[p * lda + i] : a[i * lda + p];
                    var bv = transposeB ? b[j * ldb + p] : b[p * ldb + j];
                    sum += (double)av * bv;
                }
                var prior = beta == 0f ? 0f : beta * c[i * ldc + j];
                c[i * ldc + j] = (float)(alpha * sum + prior);
            }
        }
    }

    public void EmbeddingForward(ReadOnlySpan<float> table, int vocabulary, int size, ReadOnlySpan<int> ids,
        ReadOnlySpan<int> lengths, int seqLength, int batch, Span<float> output)
    {
        EmbeddingArguments.Validate(table.Length, vocabulary, size, ids, lengths, seqLength, batch, output.Length, nameof(output));
        for (var t = 0; t < seqLength; t++)
        {
            for (var b = 0; b < batch; b++)
            {
                var row = output.Slice((t * batch + b) * size, size);
                if (t >= lengths[b])
                    row.Clear();
                else
                    table.Slice(ids[t * batch + b] * size, size).CopyTo(row);
            }
        }
    }

    public void EmbeddingBackward(Span<float> dtable, int vocabulary, int size, ReadOnlySpan<int> ids,
        ReadOnlySpan<int> lengths, int seqLength, int batch, ReadOnlySpan<float> doutput)
    {
        EmbeddingArguments.Validate(dtable.Length, vocabulary, size, ids, lengths, seqLength, batch, doutput.Length, nameof(doutput));
        for (var t = 0; t < seqLength; t++)
        {
            for (var b = 0; b < batch; b++)
            {
                if (t >= lengths[b])
                    continue;
                var row = dtable.Slice(ids[t * batch + b] * size, size);
                var d = doutput.Slice((t * batch + b) * size, size);
                for (var j = 0; j < size; j++)
                    row[j] += d[j];
            }
        }
    }

    public void AdamUpdate(in AdamStep step, Span<float> values, ReadOnlySpan<float> gradients, Span<float> m, Span<float> v)
    {
        UpdateArguments.Validate(values.Length, gradients.Length, m.Length, nameof(m), stateRequired: true);
        UpdateArguments.Validate(values.Length, gradients.Length, v.Length, nameof(v), stateRequired: true);
        // Vectors change nothing in the result: every operation is element-wise and rounds as the scalar one does.
        float b1 = step.Beta1, b2 = step.Beta2, c1 = 1 - step.Beta1, c2 = 1 - step.Beta2;
        var i = 0;
        if (Vector.IsHardwareAccelerated)
        {
            var width = Vector<float>.Count;
            Vector<float> vb1 = new(b1), vb2 = new(b2), vc1 = new(c1), vc2 = new(c2);
            Vector<float> vStep = new(step.StepSize), vCorrection = new(step.Correction2), vEpsilon = new(step.Epsilon), vDecay = new(step.Decay);
            for (; i <= values.Length - width; i += width)
            {
                var gi = new Vector<float>(gradients.Slice(i));
                var mi = vb1 * new Vector<float>(m.Slice(i)) + vc1 * gi;
                var vi = vb2 * new Vector<float>(v.Slice(i)) + vc2 * gi * gi;
                var wi = new Vector<float>(values.Slice(i)) * vDecay - vStep * mi / (Vector.SquareRoot(vi) * vCorrection + vEpsilon);
                mi.CopyTo(m.Slice(i));
                vi.CopyTo(v.Slice(i));
                wi.CopyTo(values.Slice(i));
            }
        }
        for (; i < values.Length; i++)
        {
            var gi = gradients[i];
            var mi = b1 * m[i] + c1 * gi;
            var vi = b2 * v[i] + c2 * gi * gi;
            m[i] = mi;
            v[i] = vi;
            values[i] = values[i] * step.Decay - step.StepSize * mi / (MathF.Sqrt(vi) * step.Correction2 + step.Epsilon);
        }
    }

    public void SgdUpdate(float learningRate, float momentum, bool nesterov, Span<float> values, ReadOnlySpan<float> gradients,
        Span<float> velocity)
    {
        UpdateArguments.Validate(values.Length, gradients.Length, velocity.Length, nameof(velocity), stateRequired: momentum != 0f);
        if (momentum == 0f)
        {
            var step = -learningRate;
            for (var i = 0; i < values.Length; i++)
                values[i] = gradients[i] * step + values[i];
            return;
        }
        for (var i = 0; i < values.Length; i++)
        {
            var vi = momentum * velocity[i] + gradients[i];
            velocity[i] = vi;
            values[i] -= learningRate * (nesterov ? gradients[i] + momentum * vi : vi);
        }
    }

    private static void LoadState(ReadOnlySpan<float> state, int dir, int b, int batch, int hidden, Span<float> into)
    {
        if (state.IsEmpty)
            into.Clear();
        else
            state.Slice((dir * batch + b) * hidden, hidden).CopyTo(into);
    }

    private static float Bias(ReadOnlySpan<float> bias, int dir, int gates, int hidden, int j, bool recurrent) =>
        bias.IsEmpty ? 0f : bias[dir * 2 * gates * hidden + (recurrent ? gates * hidden : 0) + j];

    private static float Peephole(ReadOnlySpan<float> p, int dir, int hidden, int gate, int j) =>
        p.IsEmpty ? 0f : p[dir * 3 * hidden + gate * hidden + j];

    private static float Clip(RecurrentDescriptor d, double a) =>
        d.Clip > 0f ? (float)Math.Clamp(a, -d.Clip, d.Clip) : (float)a;

    // d clip(a)/da: 0 where the clip saturates, else 1.
    private static double ClipGate(RecurrentDescriptor d, float a) =>
        d.Clip > 0f && (a > d.Clip || a < -d.Clip) ? 0.0 : 1.0;
}
