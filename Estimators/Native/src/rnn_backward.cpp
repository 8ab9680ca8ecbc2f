// Backward through time; see rnn.hpp for the organisation. Per step each worker computes the gate gradients of its
// running rows and one small GEMM for dh_prev; dW, dR, the biases and dX are big GEMMs over the compact rows of each
// chunk of steps, right after the chunk. Gradient outputs accumulate (+=).
#include <algorithm>
#include <cstring>

#include "gemm.hpp"
#include "rnn.hpp"

namespace mlnr {

namespace {

struct Direction {
    const Layer& layer;
    int d;
    bool reverse;
    const float* w;   // [G*H, I]
    const float* r;   // [G*H, H]
    const float* p;   // [3*H] or nullptr
    const float* reserve;
    const PackedMatrix* r_main;       // R [G*H, H], or R rows of z and r [2*H, H] for GRU lbr=0
    const PackedMatrix* r_candidate;  // GRU lbr=0: Rh [H, H]
    const Activation& f() const { return layer.act[d * 3]; }
    const Activation& g() const { return layer.act[d * 3 + 1]; }
    const Activation& h() const { return layer.act[d * 3 + 2]; }
};

// A group's backward state from chunk to chunk: dh [n, H] | dc [n, H] | its share of dP [3H] (n = the group's rows).
float* group_state(mlnr_context& ctx, const Plan& plan, int g, int H) {
    return ctx.group_floats(g, static_cast<size_t>(plan.rows_of(g)) * 2 * H + 3 * H);
}
float* group_dp(mlnr_context& ctx, const Plan& plan, int g, int H) {
    return group_state(ctx, plan, g, H) + static_cast<size_t>(plan.rows_of(g)) * 2 * H;
}

// Group g's rows (on worker w) backwards through every step. Writes the input-side gate gradients dG [rows, G*H] (rows dg_ld
// apart) and, for GRU lbr=1, the candidate's recurrent-side gradient dN [rows, H]; accumulates dh0/dc0 and its share
// of dP (dp_local). dG is the reserve's own gate slots: a row's are written only after its gates were last read.
// Steps [s_begin, s_end) only, latest first: the first call (s_end = max_length) starts from dY_h/dY_c, the last
// (s_begin = 0) adds dh0/dc0; between calls the group's dh, dc and dP share stay in the group's scratch.
void run_group(mlnr_context& ctx, const Plan& plan, const Direction& dir, int g, int w, const Gradients& grad,
               float* dg, long dg_ld, float* dn_rec, int s_begin, int s_end) {
    const Layer& L = dir.layer;
    const int H = L.hidden, G = L.gates, GH = G * H, NG = plan.groups, B = plan.batch, D = L.directions;
    const int n = plan.rows_of(g);
    const long stride = L.stride();
    const bool lstm = L.cell == MLNR_CELL_LSTM, gru = L.cell == MLNR_CELL_GRU;
    const bool lbr0 = gru && !L.linear_before_reset;
    // The group's state (group_state); the worker's scratch, sized for the largest group (group 0): dhp [n, H],
    // dgl [n, G*H], drh [n, H].
    float* dh = group_state(ctx, plan, g, H);
    float* dc = dh + static_cast<long>(n) * H;
    float* dp_local = group_dp(ctx, plan, g, H);
    const long n_max = plan.rows_of(0);
    float* dhp = ctx.worker_floats(w, static_cast<size_t>(n_max) * (2 * H + GH));
    float* dgl = dhp + n_max * H;
    float* drh = dgl + n_max * GH;
    const bool first = s_end == plan.max_length, last = s_begin == 0;
    if (first) std::memset(dp_local, 0, sizeof(float) * 3 * H);
    if (n == 0) return;

    for (int k = 0; first && k < n; ++k) {
        const int b = plan.order[g + k * NG];
        const long at = (static_cast<long>(dir.d) * B + b) * H;
        if (grad.dy_h) std::memcpy(dh + static_cast<long>(k) * H, grad.dy_h + at, sizeof(float) * H);
        else std::memset(dh + static_cast<long>(k) * H, 0, sizeof(float) * H);
        if (lstm) {
            if (grad.dy_c) std::memcpy(dc + static_cast<long>(k) * H, grad.dy_c + at, sizeof(float) * H);
            else std::memset(dc + static_cast<long>(k) * H, 0, sizeof(float) * H);
        }
    }

    // The forward wrote the reserve long ago, so its rows come from memory: each row fetches the next one it will
    // read (the next running row of this step, else this worker's first row of the step before) while it computes.
    const long row_bytes = stride * static_cast<long>(sizeof(float));
    auto prefetch_row = [&](long row) {
        const char* p = reinterpret_cast<const char*>(dir.reserve + row * stride);
        for (long b = 0; b < row_bytes; b += 64) __builtin_prefetch(p + b, 0, 3);
    };
    for (int s = std::min(plan.length[g], s_end) - 1; s >= s_begin; --s) {
        const int m = plan.running(g, s);
        for (int k = 0; k < m; ++k) {
            const int i = g + k * NG;
            const long row = plan.row(s, i);
            const int t = plan.time(s, i, dir.reverse);
            if (k + 1 < m) prefetch_row(plan.row(s, i + NG));
            else if (s > s_begin) prefetch_row(plan.row(s - 1, g));
            float* dhk = dh + static_cast<long>(k) * H;
            if (grad.dy) {
                const float* dyk = grad.dy + ((static_cast<long>(t) * D + dir.d) * B + plan.order[i]) * H;
                for (int j = 0; j < H; ++j) dhk[j] += dyk[j];
            }
            const float* res = dir.reserve + row * stride;
            const float* gates = res;
            const float* extra = res + L.extra_offset();
            const float* h_prev = res + L.h_prev_offset();
            const float* slot = res + L.slot_offset();  // LSTM: c_prev; GRU lbr=0: r*h_prev
            // With a cell clip: zero the gradient of every pre-activation the clip saturated (bit g*H + j).
            const MaskWord* mask = reinterpret_cast<const MaskWord*>(res + L.mask_offset());
            auto unclip = [&](float* d, int gate) {
                if (L.clip > 0) zero_clipped(d, H, mask, gate * H);
            };
            float* dgk = dgl + static_cast<long>(k) * GH;
            float* dhpk = dhp + static_cast<long>(k) * H;
            if (L.cell == MLNR_CELL_RNN) {
                std::memcpy(dgk, dhk, sizeof(float) * H);
                multiply_by_derivative(dir.f(), gates, dgk, H);
                unclip(dgk, 0);
            } else if (gru) {
                const float* z = gates;
                const float* r = gates + H;
                const float* nn = gates + 2 * H;
                float* dz = dgk;
                float* dr = dgk + H;
                float* dnn = dgk + 2 * H;
                for (int j = 0; j < H; ++j) {
                    dnn[j] = dhk[j] * (1.0f - z[j]);
                    dz[j] = dhk[j] * (h_prev[j] - nn[j]);
                    dhpk[j] = dhk[j] * z[j];
                }
                multiply_by_derivative(dir.g(), nn, dnn, H);
                multiply_by_derivative(dir.f(), z, dz, H);
                unclip(dnn, 2);
                unclip(dz, 0);
                if (!lbr0) {
                    for (int j = 0; j < H; ++j) dr[j] = dnn[j] * extra[j];
                    multiply_by_derivative(dir.f(), r, dr, H);
                    unclip(dr, 1);
                    float* dnr = dn_rec + row * H;
                    for (int j = 0; j < H; ++j) dnr[j] = dnn[j] * r[j];
                    std::memcpy(dg + row * dg_ld, dgk, sizeof(float) * GH);  // the gates' last read was above
                    std::memcpy(dnn, dnr, sizeof(float) * H);  // the recurrent side for the dh_prev GEMM below
                }
            } else {
                const float* ig = gates;
                const float* og = gates + H;
                const float* fg = gates + 2 * H;
                const float* ug = gates + 3 * H;
                const float* c_prev = slot;
                float* di = dgk;
                float* d_o = dgk + H;
                float* df = dgk + 2 * H;
                float* du = dgk + 3 * H;
                float* dck = dc + static_cast<long>(k) * H;
                float* dcn = dhpk;  // scratch until the dh_prev GEMM overwrites it
                for (int j = 0; j < H; ++j) {
                    d_o[j] = dhk[j] * extra[j];
                    dcn[j] = dhk[j] * og[j];
                }
                multiply_by_derivative(dir.f(), og, d_o, H);
                unclip(d_o, 1);
                multiply_by_derivative(dir.h(), extra, dcn, H);
                for (int j = 0; j < H; ++j) dcn[j] += dck[j] + (dir.p ? d_o[j] * dir.p[H + j] : 0.0f);
                for (int j = 0; j < H; ++j) {
                    di[j] = dcn[j] * ug[j];
                    df[j] = dcn[j] * c_prev[j];
                    du[j] = dcn[j] * ig[j];
                }
                if (L.input_forget) {
                    for (int j = 0; j < H; ++j) {
                        di[j] -= df[j];
                        df[j] = 0.0f;
                    }
                } else {
                    multiply_by_derivative(dir.f(), fg, df, H);
                    unclip(df, 2);
                }
                multiply_by_derivative(dir.f(), ig, di, H);
                multiply_by_derivative(dir.g(), ug, du, H);
                unclip(di, 0);
                unclip(du, 3);
                for (int j = 0; j < H; ++j) {
                    dck[j] = dcn[j] * fg[j] + (dir.p ? di[j] * dir.p[j] + df[j] * dir.p[2 * H + j] : 0.0f);
                }
                if (dir.p) {
                    for (int j = 0; j < H; ++j) {
                        const float c_new = fg[j] * c_prev[j] + ig[j] * ug[j];
                        dp_local[j] += di[j] * c_prev[j];
                        dp_local[H + j] += d_o[j] * c_new;
                        dp_local[2 * H + j] += df[j] * c_prev[j];
                    }
                }
            }
        }
        if (m == 0) continue;
        if (lbr0) {
            // d(r*h) = dn Rh; then the reset gate's gradient and the r*h part of dh_prev.
            packed_gemm(m, dgl + 2 * H, GH, *dir.r_candidate, 0.0f, drh, H);
            for (int k = 0; k < m; ++k) {
                const long row = plan.row(s, g + k * NG);
                const float* res = dir.reserve + row * stride;
                const float* r = res + H;
                const float* h_prev = res + L.h_prev_offset();
                float* dgk = dgl + static_cast<long>(k) * GH;
                const float* drhk = drh + static_cast<long>(k) * H;
                float* dhpk = dhp + static_cast<long>(k) * H;
                for (int j = 0; j < H; ++j) {
                    dgk[H + j] = drhk[j] * h_prev[j];
                    dhpk[j] += drhk[j] * r[j];
                }
                multiply_by_derivative(dir.f(), r, dgk + H, H);
                if (L.clip > 0) zero_clipped(dgk + H, H, reinterpret_cast<const MaskWord*>(res + L.mask_offset()), H);
                std::memcpy(dg + row * dg_ld, dgk, sizeof(float) * GH);
            }
            packed_gemm(m, dgl, GH, *dir.r_main, 1.0f, dhp, H);
        } else {
            // dh_prev (+)= dG_rec R: GRU lbr=1 adds to z*dh; RNN and LSTM start from zero.
            packed_gemm(m, dgl, GH, *dir.r_main, gru ? 1.0f : 0.0f, dhp, H);
            if (!gru) {
                for (int k = 0; k < m; ++k)
                    std::memcpy(dg + plan.row(s, g + k * NG) * dg_ld, dgl + static_cast<long>(k) * GH, sizeof(float) * GH);
            }
        }
        std::memcpy(dh, dhp, sizeof(float) * static_cast<size_t>(m) * H);
    }

    for (int k = 0; last && k < n; ++k) {
        const int b = plan.order[g + k * NG];
        const long at = (static_cast<long>(dir.d) * B + b) * H;
        if (grad.dh0)
            for (int j = 0; j < H; ++j) grad.dh0[at + j] += dh[static_cast<long>(k) * H + j];
        if (grad.dc0 && lstm)
            for (int j = 0; j < H; ++j) grad.dc0[at + j] += dc[static_cast<long>(k) * H + j];
    }
}

// sums[j] = sum over rows of a[row, j] (lda apart), row by row in order (vectorised across j).
void column_sums(long rows, const float* a, int lda, int n, float* sums) {
    std::memset(sums, 0, sizeof(float) * n);
    for (long i = 0; i < rows; ++i) {
        const float* row = a + i * lda;
        for (int j = 0; j < n; ++j) sums[j] += row[j];
    }
}

// dW, dR and the biases' gradients (+)= the contributions of compact rows [r0, r0 + n_rows).
void chunk_gradients(mlnr_context& ctx, const Layer& L, const Direction& dir, const Gradients& grad, int d, long r0,
                     int n_rows, const float* dg_all, int ld, const float* dn_all, const float* h_prev_all,
                     const float* x_all, float* sums, float* dwb, float* drb) {
    const int H = L.hidden, I = L.input, GH = L.gates * H;
    const bool gru = L.cell == MLNR_CELL_GRU;
    const float* dg = dg_all + r0 * ld;
    const float* h_prev = h_prev_all + r0 * ld;
    const float* dn_rec = dn_all ? dn_all + r0 * H : nullptr;
    if (grad.dw)
        gemm_parallel(ctx, true, false, GH, I, n_rows, 1.0f, dg, ld, x_all + r0 * I, I, 1.0f,
                      grad.dw + static_cast<long>(d) * GH * I, I);
    if (grad.dr) {
        float* dr = grad.dr + static_cast<long>(d) * GH * H;
        if (gru) {
            gemm_parallel(ctx, true, false, 2 * H, H, n_rows, 1.0f, dg, ld, h_prev, ld, 1.0f, dr, H);
            if (L.linear_before_reset)
                gemm_parallel(ctx, true, false, H, H, n_rows, 1.0f, dn_rec, H, h_prev, ld, 1.0f, dr + 2L * H * H, H);
            else
                gemm_parallel(ctx, true, false, H, H, n_rows, 1.0f, dg + 2 * H, ld,
                              dir.reserve + L.slot_offset() + r0 * ld, ld, 1.0f, dr + 2L * H * H, H);
        } else {
            gemm_parallel(ctx, true, false, GH, H, n_rows, 1.0f, dg, ld, h_prev, ld, 1.0f, dr, H);
        }
    }
    if (dwb) {
        column_sums(n_rows, dg, ld, GH, sums);
        for (int j = 0; j < GH; ++j) {
            dwb[j] += sums[j];
            drb[j] += sums[j];
        }
        if (gru && L.linear_before_reset) {
            // The candidate's recurrent bias sits inside r * (Rh h + Rbh): its gradient is dN, not dG.
            column_sums(n_rows, dn_rec, H, H, sums + GH);
            for (int j = 0; j < H; ++j) drb[2 * H + j] += sums[GH + j] - sums[2 * H + j];
        }
    }
}

// dX of steps [s_begin, s_end) when compact rows are not X's rows: dG W into dXc, then added to dX at (t, b) by each
// worker for its own rows, right after its GEMM. Each (t, b) is one compact row, so no two workers add to one row.
void chunk_input_gradient_scattered(mlnr_context& ctx, const Plan& plan, bool reverse, int B, int I, int s_begin,
                                    int s_end, const float* dg, int ld, float* dxc, float* dx) {
    const long r0 = plan.offset[s_begin];
    packed_gemm_parallel(ctx, static_cast<int>(plan.offset[s_end] - r0), dg + r0 * ld, ld, ctx.packed_input, 0.0f,
                         dxc + r0 * I, I, [&](int first, int last) {
        // The step holding compact row r0 + first, then every row up to r0 + last, step by step.
        int s = static_cast<int>(std::upper_bound(plan.offset.begin(), plan.offset.end(), r0 + first) - plan.offset.begin()) - 1;
        for (long row = r0 + first; row < r0 + last; ++s) {
            for (; row < r0 + last && row < plan.offset[s + 1]; ++row) {
                const int i = static_cast<int>(row - plan.offset[s]);
                float* out = dx + (static_cast<long>(plan.time(s, i, reverse)) * B + plan.order[i]) * I;
                const float* src = dxc + row * I;
                for (int j = 0; j < I; ++j) out[j] += src[j];
            }
        }
    });
}

}  // namespace

void backward(mlnr_context& ctx, const Layer& L, int T, int B, const Tensors& in, float* reserve,
              const Gradients& grad) {
    const int H = L.hidden, I = L.input, G = L.gates, GH = G * H;
    const bool gru = L.cell == MLNR_CELL_GRU;
    const Plan plan = make_plan(T, B, in.lens, ctx.pool.size());
    ctx.prepare_groups(plan.groups);
    const long rows = plan.total;
    for (int d = 0; d < L.directions; ++d) {
        const float* r = in.r + static_cast<long>(d) * GH * H;
        const bool lbr0 = gru && !L.linear_before_reset;
        pack(ctx.packed_main, r, H, lbr0 ? 2 * H : GH, H, false);
        if (lbr0) pack(ctx.packed_candidate, r + 2L * H * H, H, H, H, false);
        const Direction dir{L, d, L.reverse(d), in.w + static_cast<long>(d) * GH * I, r,
                            in.p ? in.p + static_cast<long>(d) * 3 * H : nullptr,
                            reserve + static_cast<long>(d) * T * B * L.stride(), &ctx.packed_main, &ctx.packed_candidate};
        // Compact rows are X's own rows when the batch runs forward, full length, in order: no gather, no scatter.
        const bool in_order = !dir.reverse && rows == static_cast<long>(T) * B &&
                              std::is_sorted(plan.order.begin(), plan.order.end());
        // dG [rows, G*H] goes into the reserve's gate slots (the reserve is consumed), rows `ld` apart. Shared scratch,
        // only what this call needs: dN [rows, H] (GRU lbr=1) | Xc [rows, I] and dXc [rows, I] (out of order) |
        // sums [2*G*H].
        float* dg = reserve + static_cast<long>(d) * T * B * L.stride();
        const int ld = static_cast<int>(L.stride());
        const long dn_floats = gru && L.linear_before_reset ? rows * H : 0;
        const long xc_floats = in_order ? 0 : rows * I;
        float* dn_rec = ctx.shared_floats(static_cast<size_t>(dn_floats + 2 * xc_floats + 2 * GH));
        float* xc = dn_rec + dn_floats;
        float* dxc = xc + xc_floats;
        float* sums = dxc + xc_floats;
        const float* x_rows = in.x;
        if (grad.dw && !in_order && rows > 0) {
            gather_inputs(ctx, plan, dir.reverse, in.x, I, xc);
            x_rows = xc;
        }
        if (grad.dx) pack(ctx.packed_input, dir.w, I, GH, I, false);  // dX (+)= dG W through the packed kernel
        const float* h_prev = dir.reserve + L.h_prev_offset();
        float* dwb = grad.dbias ? grad.dbias + static_cast<long>(d) * 2 * GH : nullptr;
        float* drb = dwb ? dwb + GH : nullptr;

        // Chunks of steps, latest first: the workers' steps, then the chunk's weight, bias and input gradients as GEMMs
        // over its rows (contiguous: offset[s_begin] .. offset[s_end]), which the steps have just read and written.
        const std::vector<int> bounds = chunk_steps(plan, static_cast<long>(ld) * sizeof(float), ctx.chunk_rows);
        for (size_t c = bounds.size() - 1; c-- > 0;) {
            const int s_begin = bounds[c], s_end = bounds[c + 1];
            ctx.pool.run_tasks(plan.workers, plan.groups, [&](int g, int w) {
                run_group(ctx, plan, dir, g, w, grad, dg, ld, dn_rec, s_begin, s_end);
            });
            const long r0 = plan.offset[s_begin], n_rows = plan.offset[s_end] - r0;
            if (n_rows == 0) continue;
            chunk_gradients(ctx, L, dir, grad, d, r0, static_cast<int>(n_rows), dg, ld, dn_rec, h_prev, x_rows,
                            sums, dwb, drb);
            if (grad.dx && in_order)
                packed_gemm_parallel(ctx, static_cast<int>(n_rows), dg + r0 * ld, ld, ctx.packed_input, 1.0f,
                                     grad.dx + r0 * I, I);
            else if (grad.dx)
                chunk_input_gradient_scattered(ctx, plan, dir.reverse, B, I, s_begin, s_end, dg, ld, dxc, grad.dx);
        }
        if (grad.dp && dir.p) {
            // The groups' shares in group order: the same sum whichever worker ran which group.
            for (int g = 0; g < plan.groups; ++g) {
                const float* local = group_dp(ctx, plan, g, H);
                for (int j = 0; j < 3 * H; ++j) grad.dp[static_cast<long>(d) * 3 * H + j] += local[j];
            }
        }
    }
}

}  // namespace mlnr
