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

MLNR_VECTOR void gru_forward_vector(int n, const float* x, long x_stride, const float* hr, long stride,
                                    const float* bias_zr, long bias_stride, const float* wbn, const float* rbn,
                                    const float* h, float* h_new, float* gates, float* extra, float* h_prev) {
    GruForward body;
    const bool keep = gates != nullptr;
    for_lanes<11, 6>(n, {x, x + x_stride, x + 2 * x_stride, hr, hr + stride, hr + 2 * stride, bias_zr,
                         bias_zr + bias_stride, wbn, rbn, h},
                     {keep ? gates : nullptr, keep ? gates + stride : nullptr, keep ? gates + 2 * stride : nullptr,
                      keep ? extra : nullptr, h_new, keep ? h_prev : nullptr},
                     body);
}

MLNR_VECTOR void gru_backward_vector(int H, const float* dh, const float* dy, float* gates, float* extra,
                                  const float* h_prev, float* dg_rec, float* dh_prev) {
    const float* const in[7] = {dh, dy, gates, gates + H, gates + 2 * H, extra, h_prev};
    float* const out[8] = {gates, gates + H, gates + 2 * H, extra, dg_rec, dg_rec + H, dg_rec + 2 * H, dh_prev};
    if (dy) {
        GruBackward<true> body;
        for_lanes<7, 8>(H, in, out, body);
    } else {
        GruBackward<false> body;
        for_lanes<7, 8>(H, in, out, body);
    }
}

MLNR_VECTOR void lstm_forward_vector(int n, const float* x, long x_stride, const float* hr, long stride,
                                     const float* bias, long bias_stride, const float* p, const float* h, float* h_new,
                                     float* c, float* gates, float* extra, float* h_prev, float* c_prev) {
    const bool keep = gates != nullptr;
    const long xi = x_stride, xs = stride, bs = bias_stride;
    const float* const in[17] = {x,    x + xi,    x + 2 * xi,    x + 3 * xi,    hr, hr + xs, hr + 2 * xs, hr + 3 * xs,
                                 bias, bias + bs, bias + 2 * bs, bias + 3 * bs, p,  p ? p + bs : nullptr,
                                 p ? p + 2 * bs : nullptr,       h,             c};
    float* const out[9] = {keep ? gates : nullptr,  keep ? gates + xs : nullptr,    keep ? gates + 2 * xs : nullptr,
                           keep ? gates + 3 * xs : nullptr, keep ? extra : nullptr, h_new, c,
                           keep ? h_prev : nullptr, keep ? c_prev : nullptr};
    if (p) {
        LstmForward<true> body;
        for_lanes<17, 9, 1>(n, in, out, body);
    } else {
        LstmForward<false> body;
        for_lanes<17, 9, 1>(n, in, out, body);
    }
}

MLNR_VECTOR void lstm_backward_vector(int H, const float* dh, const float* dy, float* dc, float* gates,
                                   const float* extra, const float* c_prev, const float* p, float* dp,
                                   float* dg_rec) {
    const float* const in[15] = {dh,     dy,     dc,     gates,  gates + H, gates + 2 * H, gates + 3 * H, extra,
                                 c_prev, p,      p ? p + H : nullptr,       p ? p + 2 * H : nullptr,
                                 p ? dp : nullptr, p ? dp + H : nullptr,    p ? dp + 2 * H : nullptr};
    float* const out[12] = {gates,  gates + H,  gates + 2 * H,  gates + 3 * H,  dg_rec,
                            dg_rec + H, dg_rec + 2 * H, dg_rec + 3 * H, dc,
                            p ? dp : nullptr, p ? dp + H : nullptr, p ? dp + 2 * H : nullptr};
    if (dy && p) {
        LstmBackward<true, true> body;
        for_lanes<15, 12, 1>(H, in, out, body);
    } else if (dy) {
        LstmBackward<true, false> body;
        for_lanes<15, 12, 1>(H, in, out, body);
    } else if (p) {
        LstmBackward<false, true> body;
        for_lanes<15, 12, 1>(H, in, out, body);
    } else {
        LstmBackward<false, false> body;
        for_lanes<15, 12, 1>(H, in, out, body);
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
