// The fused gate rows of gate_rows.hpp; compiled once per path (isa.hpp), empty on the scalar path.
#include "gate_rows.hpp"

#include "vector_math.hpp"

#if defined(MLNR_FUSED_GATES)

// GCC 12 reports the intrinsics' own undefined pass-through operands (_mm512_undefined_ps in avx512fintrin.h) as
// "may be used uninitialized" once they are inlined into these functions; nothing here reads an undefined value.
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"

MLNR_ISA_BEGIN

namespace {

// GRU lbr=1 forward. in: x_z x_r x_n | hr_z hr_r hr_n | b_z b_r | wbn rbn | h. out: z r n | extra | h' | h_prev.
struct GruForward {
    MLNR_VECTOR void operator()(const vf* a, vf* b) const {
        const vf z = vsigmoid(vadd(vadd(a[0], a[3]), a[6]));
        const vf r = vsigmoid(vadd(vadd(a[1], a[4]), a[7]));
        const vf e = vadd(a[5], a[9]);
        const vf n = vtanh(vfmadd(r, e, vadd(a[2], a[8])));
        b[0] = z;
        b[1] = r;
        b[2] = n;
        b[3] = e;
        b[4] = vfmadd(z, vsub(a[10], n), n);  // (1 - z) n + z h
        b[5] = a[10];
    }
};

// GRU lbr=1 backward. in: dh dy | z r n | extra | h_prev. out: dz dr dn | dN | dz dr dN (rec) | dh_prev.
template <bool Dy>
struct GruBackward {
    MLNR_VECTOR void operator()(const vf* a, vf* b) const {
        const vf one = vset(1.0f);
        const vf d = Dy ? vadd(a[0], a[1]) : a[0];
        const vf z = a[2], r = a[3], n = a[4];
        const vf dn = vmul(vmul(d, vsub(one, z)), vfnmadd(n, n, one));
        const vf dz = vmul(vmul(d, vsub(a[6], n)), vmul(z, vsub(one, z)));
        const vf dr = vmul(vmul(dn, a[5]), vmul(r, vsub(one, r)));
        const vf dN = vmul(dn, r);
        b[0] = b[4] = dz;
        b[1] = b[5] = dr;
        b[3] = b[6] = dN;
        b[2] = dn;
        b[7] = vmul(d, z);
    }
};

// LSTM forward. in: x_i x_o x_f x_u | hr_i hr_o hr_f hr_u | b_i b_o b_f b_u | p_i p_o p_f | h c.
// out: i o f u | tanh(c') | h' c' | h_prev c_prev.
template <bool Peepholes>
struct LstmForward {
    MLNR_VECTOR void operator()(const vf* a, vf* b) const {
        const vf c = a[16];
        vf ip = vadd(vadd(a[0], a[4]), a[8]);
        vf fp = vadd(vadd(a[2], a[6]), a[10]);
        vf op = vadd(vadd(a[1], a[5]), a[9]);
        if (Peepholes) {
            ip = vfmadd(a[12], c, ip);
            fp = vfmadd(a[14], c, fp);
        }
        const vf i = vsigmoid(ip), f = vsigmoid(fp), u = vtanh(vadd(vadd(a[3], a[7]), a[11]));
        const vf c_new = vfmadd(f, c, vmul(i, u));
        if (Peepholes) op = vfmadd(a[13], c_new, op);
        const vf o = vsigmoid(op), t = vtanh(c_new);
        b[0] = i;
        b[1] = o;
        b[2] = f;
        b[3] = u;
        b[4] = t;
        b[5] = vmul(o, t);
        b[6] = c_new;
        b[7] = a[15];
        b[8] = c;
    }
};

// LSTM backward. in: dh dy dc | i o f u | tanh(c') | c_prev | p_i p_o p_f | dp_i dp_o dp_f.
// out: di do df du | the same (rec) | dc_prev | dp_i dp_o dp_f.
template <bool Dy, bool Peepholes>
struct LstmBackward {
    MLNR_VECTOR void operator()(const vf* a, vf* b) const {
        const vf one = vset(1.0f);
        const vf d = Dy ? vadd(a[0], a[1]) : a[0];
        const vf i = a[3], o = a[4], f = a[5], u = a[6], t = a[7], c_prev = a[8];
        const vf d_o = vmul(vmul(d, t), vmul(o, vsub(one, o)));
        vf dcn = vfmadd(vmul(d, o), vfnmadd(t, t, one), a[2]);
        if (Peepholes) dcn = vfmadd(d_o, a[10], dcn);
        const vf di = vmul(vmul(dcn, u), vmul(i, vsub(one, i)));
        const vf df = vmul(vmul(dcn, c_prev), vmul(f, vsub(one, f)));
        const vf du = vmul(vmul(dcn, i), vfnmadd(u, u, one));
        vf dc = vmul(dcn, f);
        b[0] = b[4] = di;
        b[1] = b[5] = d_o;
        b[2] = b[6] = df;
        b[3] = b[7] = du;
        if (Peepholes) {
            dc = vfmadd(df, a[11], vfmadd(di, a[9], dc));
            const vf c_new = vfmadd(f, c_prev, vmul(i, u));
            b[9] = vfmadd(di, c_prev, a[12]);
            b[10] = vfmadd(d_o, c_new, a[13]);
            b[11] = vfmadd(df, c_prev, a[14]);
        } else {
            b[9] = b[10] = b[11] = vzero();
        }
        b[8] = dc;
    }
};

// one(j) for every whole vector of n units (j = 0, kLanes, ...), two an iteration as for_lanes runs them (each is one
// long chain of dependent operations); returns the units done.
template <class One>
MLNR_VECTOR int whole_vectors(int n, One& one) {
    int j = 0;
    for (; j + 2 * kLanes <= n; j += 2 * kLanes) {
        one(j);
        one(j + kLanes);
    }
    for (; j + kLanes <= n; j += kLanes) one(j);
    return j;
}

// The full vectors of a GRU forward row, as lstm_forward_full (the same body as for_lanes, so the same bits): 100 rows
// of 128 units, 19.5 -> 15.3 ns a vector. Both candidate biases present.
template <bool Keep>
MLNR_VECTOR int gru_forward_full(int n, const float* x, long x_stride, const float* hr, long stride,
                                 const float* bias_zr, long bias_stride, const float* wbn, const float* rbn,
                                 const float* h, float* h_new, float* gates, float* extra, float* h_prev) {
    GruForward body;
    auto one = [&](int at) {
        vf a[11], b[6];
        for (int g = 0; g < 3; ++g) {
            a[g] = vload(x + g * x_stride + at);
            a[3 + g] = vload(hr + g * stride + at);
        }
        a[6] = vload(bias_zr + at);
        a[7] = vload(bias_zr + bias_stride + at);
        a[8] = vload(wbn + at);
        a[9] = vload(rbn + at);
        a[10] = vload(h + at);
        body(a, b);
        if (Keep) {
            for (int g = 0; g < 3; ++g) vstore(gates + g * stride + at, b[g]);
            vstore(extra + at, b[3]);
            vstore(h_prev + at, b[5]);
        }
        vstore(h_new + at, b[4]);
    };
    return whole_vectors(n, one);
}

MLNR_VECTOR void gru_forward_vector(int n, const float* x, long x_stride, const float* hr, long stride,
                                    const float* bias_zr, long bias_stride, const float* wbn, const float* rbn,
                                    const float* h, float* h_new, float* gates, float* extra, float* h_prev) {
    const bool keep = gates != nullptr;
    int j = 0;
    if (wbn && rbn)
        j = keep ? gru_forward_full<true>(n, x, x_stride, hr, stride, bias_zr, bias_stride, wbn, rbn, h, h_new, gates,
                                          extra, h_prev)
                 : gru_forward_full<false>(n, x, x_stride, hr, stride, bias_zr, bias_stride, wbn, rbn, h, h_new, gates,
                                           extra, h_prev);
    if (j == n) return;
    // The rest (a partial last vector, or a row without candidate biases) through for_lanes.
    GruForward body;
    auto at = [j](auto* q) { return q ? q + j : nullptr; };
    for_lanes<11, 6>(n - j, {x + j, x + x_stride + j, x + 2 * x_stride + j, hr + j, hr + stride + j,
                             hr + 2 * stride + j, bias_zr + j, bias_zr + bias_stride + j, at(wbn), at(rbn), h + j},
                     {keep ? gates + j : nullptr, keep ? gates + stride + j : nullptr,
                      keep ? gates + 2 * stride + j : nullptr, keep ? extra + j : nullptr, h_new + j,
                      keep ? h_prev + j : nullptr},
                     body);
}

// The full vectors of a GRU backward row, as gru_forward_full (the same body as for_lanes, so the same bits).
template <bool Dy>
MLNR_VECTOR int gru_backward_full(int H, const float* dh, const float* dy, float* gates, float* extra,
                                  const float* h_prev, float* dg_rec, float* dh_prev) {
    GruBackward<Dy> body;
    auto one = [&](int at) {
        vf a[7], b[8];
        a[0] = vload(dh + at);
        a[1] = Dy ? vload(dy + at) : vzero();
        for (int g = 0; g < 3; ++g) a[2 + g] = vload(gates + g * H + at);
        a[5] = vload(extra + at);
        a[6] = vload(h_prev + at);
        body(a, b);
        for (int g = 0; g < 3; ++g) {
            vstore(gates + g * H + at, b[g]);
            vstore(dg_rec + g * H + at, b[4 + g]);
        }
        vstore(extra + at, b[3]);
        vstore(dh_prev + at, b[7]);
    };
    return whole_vectors(H, one);
}

MLNR_VECTOR void gru_backward_vector(int H, const float* dh, const float* dy, float* gates, float* extra,
                                  const float* h_prev, float* dg_rec, float* dh_prev) {
    const int j = dy ? gru_backward_full<true>(H, dh, dy, gates, extra, h_prev, dg_rec, dh_prev)
                     : gru_backward_full<false>(H, dh, dy, gates, extra, h_prev, dg_rec, dh_prev);
    if (j == H) return;
    // The partial last vector through for_lanes' zero-padded copies.
    const float* const in[7] = {dh + j, dy ? dy + j : nullptr, gates + j, gates + H + j, gates + 2 * H + j, extra + j,
                                h_prev + j};
    float* const out[8] = {gates + j,  gates + H + j,  gates + 2 * H + j,  extra + j,
                           dg_rec + j, dg_rec + H + j, dg_rec + 2 * H + j, dh_prev + j};
    if (dy) {
        GruBackward<true> body;
        for_lanes<7, 8>(H - j, in, out, body);
    } else {
        GruBackward<false> body;
        for_lanes<7, 8>(H - j, in, out, body);
    }
}

// The full vectors of an LSTM forward row, with what is stored and whether there are peepholes known at compile time:
// the same body as for_lanes runs (so the same bits), without its per-vector pointer checks and loads through an array
// of pointers: 100 rows of 128 units, 28 -> 22 ns a vector on this host's avx512 path. Returns the units done (whole
// vectors).
template <bool Peepholes, bool Keep>
MLNR_VECTOR int lstm_forward_full(int n, const float* x, long xi, const float* hr, long xs, const float* bias, long bs,
                                  const float* p, const float* h, float* h_new, float* c, float* gates, float* extra,
                                  float* h_prev, float* c_prev) {
    LstmForward<Peepholes> body;
    int j = 0;
    for (; j + kLanes <= n; j += kLanes) {
        vf a[17], b[9];
        for (int g = 0; g < 4; ++g) {
            a[g] = vload(x + g * xi + j);
            a[4 + g] = vload(hr + g * xs + j);
            a[8 + g] = vload(bias + g * bs + j);
        }
        for (int g = 0; g < 3; ++g) a[12 + g] = Peepholes ? vload(p + g * bs + j) : vzero();
        a[15] = vload(h + j);
        a[16] = vload(c + j);
        body(a, b);
        if (Keep) {
            for (int g = 0; g < 4; ++g) vstore(gates + g * xs + j, b[g]);
            vstore(extra + j, b[4]);
            vstore(h_prev + j, b[7]);
            vstore(c_prev + j, b[8]);
        }
        vstore(h_new + j, b[5]);
        vstore(c + j, b[6]);
    }
    return j;
}

MLNR_VECTOR void lstm_forward_vector(int n, const float* x, long x_stride, const float* hr, long stride,
                                     const float* bias, long bias_stride, const float* p, const float* h, float* h_new,
                                     float* c, float* gates, float* extra, float* h_prev, float* c_prev) {
    const bool keep = gates != nullptr;
    const long xi = x_stride, xs = stride, bs = bias_stride;
    const int j = p ? (keep ? lstm_forward_full<true, true>(n, x, xi, hr, xs, bias, bs, p, h, h_new, c, gates, extra,
                                                            h_prev, c_prev)
                            : lstm_forward_full<true, false>(n, x, xi, hr, xs, bias, bs, p, h, h_new, c, gates, extra,
                                                             h_prev, c_prev))
                    : (keep ? lstm_forward_full<false, true>(n, x, xi, hr, xs, bias, bs, p, h, h_new, c, gates, extra,
                                                             h_prev, c_prev)
                            : lstm_forward_full<false, false>(n, x, xi, hr, xs, bias, bs, p, h, h_new, c, gates, extra,
                                                              h_prev, c_prev));
    if (j == n) return;
    // The partial last vector through for_lanes' zero-padded copies.
    auto at = [j](auto* q) { return q ? q + j : nullptr; };
    const float* const in[17] = {x + j,      x + xi + j,      x + 2 * xi + j,      x + 3 * xi + j,      hr + j,
                                 hr + xs + j, hr + 2 * xs + j, hr + 3 * xs + j, bias + j, bias + bs + j,
                                 bias + 2 * bs + j, bias + 3 * bs + j, at(p), p ? p + bs + j : nullptr,
                                 p ? p + 2 * bs + j : nullptr, h + j, c + j};
    float* const out[9] = {keep ? gates + j : nullptr,  keep ? gates + xs + j : nullptr,
                           keep ? gates + 2 * xs + j : nullptr, keep ? gates + 3 * xs + j : nullptr,
                           keep ? extra + j : nullptr,  h_new + j, c + j, keep ? h_prev + j : nullptr,
                           keep ? c_prev + j : nullptr};
    if (p) {
        LstmForward<true> body;
        for_lanes<17, 9, 1>(n - j, in, out, body);
    } else {
        LstmForward<false> body;
        for_lanes<17, 9, 1>(n - j, in, out, body);
    }
}

// The full vectors of an LSTM backward row, as lstm_forward_full (the same body as for_lanes, so the same bits).
template <bool Dy, bool Peepholes>
MLNR_VECTOR int lstm_backward_full(int H, const float* dh, const float* dy, float* dc, float* gates,
                                   const float* extra, const float* c_prev, const float* p, float* dp,
                                   float* dg_rec) {
    LstmBackward<Dy, Peepholes> body;
    int j = 0;
    for (; j + kLanes <= H; j += kLanes) {
        vf a[15], b[12];
        a[0] = vload(dh + j);
        a[1] = Dy ? vload(dy + j) : vzero();
        a[2] = vload(dc + j);
        for (int g = 0; g < 4; ++g) a[3 + g] = vload(gates + g * H + j);
        a[7] = vload(extra + j);
        a[8] = vload(c_prev + j);
        for (int g = 0; g < 3; ++g) {
            a[9 + g] = Peepholes ? vload(p + g * H + j) : vzero();
            a[12 + g] = Peepholes ? vload(dp + g * H + j) : vzero();
        }
        body(a, b);
        for (int g = 0; g < 4; ++g) {
            vstore(gates + g * H + j, b[g]);
            vstore(dg_rec + g * H + j, b[4 + g]);
        }
        vstore(dc + j, b[8]);
        if (Peepholes)
            for (int g = 0; g < 3; ++g) vstore(dp + g * H + j, b[9 + g]);
    }
    return j;
}

MLNR_VECTOR void lstm_backward_vector(int H, const float* dh, const float* dy, float* dc, float* gates,
                                   const float* extra, const float* c_prev, const float* p, float* dp,
                                   float* dg_rec) {
    const int j = dy ? (p ? lstm_backward_full<true, true>(H, dh, dy, dc, gates, extra, c_prev, p, dp, dg_rec)
                          : lstm_backward_full<true, false>(H, dh, dy, dc, gates, extra, c_prev, p, dp, dg_rec))
                     : (p ? lstm_backward_full<false, true>(H, dh, dy, dc, gates, extra, c_prev, p, dp, dg_rec)
                          : lstm_backward_full<false, false>(H, dh, dy, dc, gates, extra, c_prev, p, dp, dg_rec));
    if (j == H) return;
    // The partial last vector through for_lanes' zero-padded copies.
    auto at = [j](auto* q) { return q ? q + j : nullptr; };
    const float* const in[15] = {dh + j,         at(dy),         dc + j,         gates + j,         gates + H + j,
                                 gates + 2 * H + j, gates + 3 * H + j, extra + j, c_prev + j, at(p),
                                 p ? p + H + j : nullptr, p ? p + 2 * H + j : nullptr, p ? dp + j : nullptr,
                                 p ? dp + H + j : nullptr, p ? dp + 2 * H + j : nullptr};
    float* const out[12] = {gates + j,  gates + H + j,  gates + 2 * H + j,  gates + 3 * H + j,  dg_rec + j,
                            dg_rec + H + j, dg_rec + 2 * H + j, dg_rec + 3 * H + j, dc + j,
                            p ? dp + j : nullptr, p ? dp + H + j : nullptr, p ? dp + 2 * H + j : nullptr};
    if (dy && p) {
        LstmBackward<true, true> body;
        for_lanes<15, 12, 1>(H - j, in, out, body);
    } else if (dy) {
        LstmBackward<true, false> body;
        for_lanes<15, 12, 1>(H - j, in, out, body);
    } else if (p) {
        LstmBackward<false, true> body;
        for_lanes<15, 12, 1>(H - j, in, out, body);
    } else {
        LstmBackward<false, false> body;
        for_lanes<15, 12, 1>(H - j, in, out, body);
    }
}

}  // namespace

// The entry points: GCC gives a function whose target attribute differs from its file's its own symbol (a function
// version), so the vector bodies above sit behind plain functions.
void gru_forward_row(int n, const float* x, long x_stride, const float* hr, long stride, const float* bias_zr,
                     long bias_stride, const float* wbn, const float* rbn, const float* h, float* h_new, float* gates,
                     float* extra, float* h_prev) {
    gru_forward_vector(n, x, x_stride, hr, stride, bias_zr, bias_stride, wbn, rbn, h, h_new, gates, extra, h_prev);
}

void gru_backward_row(int H, const float* dh, const float* dy, float* gates, float* extra, const float* h_prev,
                      float* dg_rec, float* dh_prev) {
    gru_backward_vector(H, dh, dy, gates, extra, h_prev, dg_rec, dh_prev);
}

void lstm_forward_row(int n, const float* x, long x_stride, const float* hr, long stride, const float* bias,
                      long bias_stride, const float* p, const float* h, float* h_new, float* c, float* gates,
                      float* extra, float* h_prev, float* c_prev) {
    lstm_forward_vector(n, x, x_stride, hr, stride, bias, bias_stride, p, h, h_new, c, gates, extra, h_prev, c_prev);
}

void lstm_backward_row(int H, const float* dh, const float* dy, float* dc, float* gates, const float* extra,
                       const float* c_prev, const float* p, float* dp, float* dg_rec) {
    lstm_backward_vector(H, dh, dy, dc, gates, extra, c_prev, p, dp, dg_rec);
}

MLNR_ISA_END

#endif
