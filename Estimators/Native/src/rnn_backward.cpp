// Backward through time; see rnn.hpp for the organisation. Per step each worker computes the gate gradients of its
// running rows and one small GEMM for dh_prev; dW, dR, the biases and dX are big GEMMs over the worker's compact
// rows of each chunk of steps, right after the chunk. Gradient outputs accumulate (+=).
#include <algorithm>
#include <cstdint>
#include <cstring>

#include "gate_rows.hpp"
#include "packed_gemm.hpp"
#include "rnn.hpp"

MLNR_ISA_BEGIN

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

// A worker's backward state from chunk to chunk: dh [n, H] | dc [n, H] | its share of dP [3H] (n = its rows).
float* worker_state(mlnr_context& ctx, const Plan& plan, int w, int H) {
    return ctx.state_floats(w, static_cast<size_t>(plan.rows_of(w)) * 2 * H + 3 * H);
}
float* worker_dp(mlnr_context& ctx, const Plan& plan, int w, int H) {
    return worker_state(ctx, plan, w, H) + static_cast<size_t>(plan.rows_of(w)) * 2 * H;
}

long step_scratch_floats(const Layer& L, int n) {
    return static_cast<long>(n) * (2 * L.hidden + static_cast<long>(L.gates) * L.hidden);
}

// Worker w's rows backwards through steps [s_begin, s_end), latest first. Writes the input-side gate gradients dG
// [rows, G*H] (rows dg_ld apart) and, for GRU lbr=1, the candidate's recurrent-side gradient dN [rows, H] into the
// row's extra slot (Rh h + Rbh, whose last read is the reset gate's gradient just before);
// accumulates dh0/dc0 and its share of dP (dp_local). dG is the reserve's own gate slots: a row's are written only
// after its gates were last read. The first call (s_end = max_length) starts from dY_h/dY_c, the last (s_begin = 0)
// adds dh0/dc0; between calls the worker's dh, dc and dP share stay in its state block. scratch:
// step_scratch_floats(L, rows_of(w)).
void run_steps(mlnr_context& ctx, const Plan& plan, const Direction& dir, int w, float* scratch, const Gradients& grad,
               float* dg, long dg_ld, int s_begin, int s_end) {
    const Layer& L = dir.layer;
    const int H = L.hidden, G = L.gates, GH = G * H, B = plan.batch, D = L.directions;
    const int n = plan.rows_of(w);
    const long stride = L.stride();
    const bool lstm = L.cell == MLNR_CELL_LSTM, gru = L.cell == MLNR_CELL_GRU;
    const bool lbr0 = gru && !L.linear_before_reset;
    // The worker's state (worker_state); its per-step scratch: dhp [n, H], dgl [n, G*H], drh [n, H].
    float* dh = worker_state(ctx, plan, w, H);
    float* dc = dh + static_cast<long>(n) * H;
    float* dp_local = worker_dp(ctx, plan, w, H);
    float* dhp = scratch;
    float* dgl = dhp + static_cast<long>(n) * H;
    float* drh = dgl + static_cast<long>(n) * GH;
    const bool first = s_end == plan.max_length, last = s_begin == 0;
    const bool fused = fused_gates(L, dir.d);
    if (first) std::memset(dp_local, 0, sizeof(float) * 3 * H);
    if (n == 0) return;

    for (int k = 0; first && k < n; ++k) {
        const int b = plan.order[plan.sorted(w, k)];
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
    for (int s = std::min(plan.longest(w), s_end) - 1; s >= s_begin; --s) {
        const int m = plan.running(w, s);
        for (int k = 0; k < m; ++k) {
            const int i = plan.sorted(w, k);
            const long row = plan.row(w, s, k);
            const int t = plan.time(s, i, dir.reverse);
            if (k + 1 < m) prefetch_row(row + 1);
            else if (s > s_begin) prefetch_row(plan.row(w, s - 1, 0));
            float* dhk = dh + static_cast<long>(k) * H;
            const float* dyk = grad.dy ? grad.dy + ((static_cast<long>(t) * D + dir.d) * B + plan.order[i]) * H : nullptr;
            const float* res = dir.reserve + row * stride;
#if defined(MLNR_FUSED_GATES)
            if (fused) {
                // dG straight into the row's gate slots (dg is the reserve), and into dgl for the dh_prev GEMM.
                float* dg_row = dg + row * dg_ld;
                float* dgk = dgl + static_cast<long>(k) * GH;
                if (gru)
                    gru_backward_row(H, dhk, dyk, dg_row, dg_row + L.extra_offset(), res + L.h_prev_offset(), dgk,
                                     dhp + static_cast<long>(k) * H);
                else
                    lstm_backward_row(H, dhk, dyk, dc + static_cast<long>(k) * H, dg_row, res + L.extra_offset(),
                                      res + L.slot_offset(), dir.p, dp_local, dgk);
                continue;
            }
#endif
            if (dyk)
                for (int j = 0; j < H; ++j) dhk[j] += dyk[j];
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
                    float* dnr = dg + row * dg_ld + L.extra_offset();  // extra's last read was dr above
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
                const long row = plan.row(w, s, k);
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
            if (!gru && !fused) {
                for (int k = 0; k < m; ++k)
                    std::memcpy(dg + plan.row(w, s, k) * dg_ld, dgl + static_cast<long>(k) * GH, sizeof(float) * GH);
            }
        }
        std::memcpy(dh, dhp, sizeof(float) * static_cast<size_t>(m) * H);
    }

    for (int k = 0; last && k < n; ++k) {
        const int b = plan.order[plan.sorted(w, k)];
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

// Where a worker adds its rows' weight gradients: the outputs (worker 0) or its own share (the others).
struct WeightGradients {
    float *dw, *dr, *dwb, *drb;
};

// dW, dR and the biases' gradients (+)= the contributions of worker w's compact rows [r0, r0 + n_rows), on worker w.
// x_rows: those rows of X (x_ld apart).
void chunk_gradients(mlnr_context& ctx, int w, const Layer& L, const Direction& dir, const WeightGradients& out,
                     long r0, int n_rows, const float* dg_all, int ld, const float* h_prev_all,
                     const float* x_rows, int x_ld, float* sums) {
    const int H = L.hidden, I = L.input, GH = L.gates * H;
    const bool gru = L.cell == MLNR_CELL_GRU;
    const float* dg = dg_all + r0 * ld;
    const float* h_prev = h_prev_all + r0 * ld;
    const float* dn_rec = dg + L.extra_offset();  // GRU lbr=1: dN, rows ld apart
    if (out.dw) gemm_on_worker(ctx, w, true, false, GH, I, n_rows, 1.0f, dg, ld, x_rows, x_ld, 1.0f, out.dw, I);
    if (out.dr) {
        if (gru) {
            gemm_on_worker(ctx, w, true, false, 2 * H, H, n_rows, 1.0f, dg, ld, h_prev, ld, 1.0f, out.dr, H);
            if (L.linear_before_reset)
                gemm_on_worker(ctx, w, true, false, H, H, n_rows, 1.0f, dn_rec, ld, h_prev, ld, 1.0f, out.dr + 2L * H * H, H);
            else
                gemm_on_worker(ctx, w, true, false, H, H, n_rows, 1.0f, dg + 2 * H, ld,
                               dir.reserve + L.slot_offset() + r0 * ld, ld, 1.0f, out.dr + 2L * H * H, H);
        } else {
            gemm_on_worker(ctx, w, true, false, GH, H, n_rows, 1.0f, dg, ld, h_prev, ld, 1.0f, out.dr, H);
        }
    }
    if (out.dwb) {
        column_sums(n_rows, dg, ld, GH, sums);
        for (int j = 0; j < GH; ++j) {
            out.dwb[j] += sums[j];
            out.drb[j] += sums[j];
        }
        if (gru && L.linear_before_reset) {
            // The candidate's recurrent bias sits inside r * (Rh h + Rbh): its gradient is dN, not dG.
            column_sums(n_rows, dn_rec, ld, H, sums + GH);
            for (int j = 0; j < H; ++j) out.drb[2 * H + j] += sums[GH + j] - sums[2 * H + j];
        }
    }
}

}  // namespace

void backward(mlnr_context& ctx, const Layer& L, int T, int B, const Tensors& in, float* reserve,
              const Gradients& grad) {
    const int H = L.hidden, I = L.input, G = L.gates, GH = G * H;
    const bool gru = L.cell == MLNR_CELL_GRU;
    const Plan plan = make_plan(T, B, in.lens, ctx.pool.size());
    const int W = plan.workers;
    for (int d = 0; d < L.directions; ++d) {
        const float* r = in.r + static_cast<long>(d) * GH * H;
        const bool lbr0 = gru && !L.linear_before_reset;
        // The workers pack the weights together (each a share of the panels), then wait for each other.
        pack_layout(ctx.packed_main, r, H, lbr0 ? 2 * H : GH, H, false);
        if (lbr0) pack_layout(ctx.packed_candidate, r + 2L * H * H, H, H, H, false);
        const Direction dir{L, d, L.reverse(d), in.w + static_cast<long>(d) * GH * I, r,
                            in.p ? in.p + static_cast<long>(d) * 3 * H : nullptr,
                            reserve + static_cast<long>(d) * T * B * L.stride(), &ctx.packed_main, &ctx.packed_candidate};
        if (grad.dx) pack_layout(ctx.packed_input, dir.w, I, GH, I, false);  // dX (+)= dG W through the packed kernel
        // X and dX in place when the worker's compact rows are their rows w, w + W, ... (Plan::strided); else each
        // chunk's rows of X are gathered, and its dX rows computed apart and added at their (t, b).
        // (At leading dimension W * I, an int: where that overflows, gathered and scattered instead.)
        const bool strided = plan.strided && !dir.reverse && static_cast<long>(W) * I <= INT32_MAX;
        // dG [rows, G*H] goes into the reserve's gate slots (the reserve is consumed), rows `ld` apart, and dN [rows, H]
        // (GRU lbr=1) into its extra slots: no [rows, H] scratch (6.5 MB for W1).
        float* dg = reserve + static_cast<long>(d) * T * B * L.stride();
        const int ld = static_cast<int>(L.stride());
        const float* h_prev = dir.reserve + L.h_prev_offset();
        float* dw = grad.dw ? grad.dw + static_cast<long>(d) * GH * I : nullptr;
        float* dr = grad.dr ? grad.dr + static_cast<long>(d) * GH * H : nullptr;
        float* dwb = grad.dbias ? grad.dbias + static_cast<long>(d) * 2 * GH : nullptr;
        // A worker's share of the weight gradients (workers 1..W-1): dW [G*H, I] | dR [G*H, H] | dWb, dRb [2 G*H].
        const long share_floats = W > 1 ? (dw ? static_cast<long>(GH) * I : 0) + (dr ? static_cast<long>(GH) * H : 0) +
                                              (dwb ? 2L * GH : 0)
                                        : 0;
        std::vector<const float*> shares(W, nullptr);
        // The worker's part of the call: its rows through every chunk of steps, and their share of the gradients.
        auto backward_worker = [&](int w) {
            const std::vector<int> bounds = chunk_steps(plan, w, static_cast<long>(ld) * sizeof(float), ctx.chunk_rows);
            long chunk_rows = 0;
            for (size_t c = 0; c + 1 < bounds.size(); ++c)
                chunk_rows = std::max(chunk_rows, plan.offset(w, bounds[c + 1]) - plan.offset(w, bounds[c]));
            // The worker's block: step scratch | sums [2 G*H] | share | Xc [chunk, I] | dXc [chunk, I].
            const long step_floats = step_scratch_floats(L, plan.rows_of(w));
            const long own_share = w > 0 ? share_floats : 0;
            const long xc_floats = !strided && dw ? chunk_rows * I : 0;
            const long dxc_floats = !strided && grad.dx ? chunk_rows * I : 0;
            float* scratch =
                ctx.worker_floats(w, static_cast<size_t>(step_floats + 2 * GH + own_share + xc_floats + dxc_floats));
            float* sums = scratch + step_floats;
            float* share = sums + 2 * GH;
            float* xc = share + own_share;
            float* dxc = xc + xc_floats;
            WeightGradients out{dw, dr, dwb, dwb ? dwb + GH : nullptr};
            if (w > 0) {
                std::memset(share, 0, sizeof(float) * static_cast<size_t>(own_share));
                shares[w] = share;
                float* at = share;
                if (dw) out.dw = at, at += static_cast<long>(GH) * I;
                if (dr) out.dr = at, at += static_cast<long>(GH) * H;
                if (dwb) out.dwb = at, out.drb = at + GH;
            }
            // Chunks of steps, latest first: the worker's steps, then the chunk's weight, bias and input gradients as
            // GEMMs over its rows (contiguous), which the steps have just read and written.
            for (size_t c = bounds.size() - 1; c-- > 0;) {
                const int s_begin = bounds[c], s_end = bounds[c + 1];
                run_steps(ctx, plan, dir, w, scratch, grad, dg, ld, s_begin, s_end);
                const long r0 = plan.offset(w, s_begin), n_rows = plan.offset(w, s_end) - r0;
                if (n_rows == 0) continue;
                const long x_at = plan.x_row(w, r0) * I;
                const float* x_rows = in.x + x_at;
                int x_ld = W * I;
                if (dw && !strided) {
                    gather_rows(plan, w, dir.reverse, s_begin, s_end, in.x, I, xc);
                    x_rows = xc;
                    x_ld = I;
                }
                chunk_gradients(ctx, w, L, dir, out, r0, static_cast<int>(n_rows), dg, ld, h_prev, x_rows, x_ld,
                                sums);
                if (grad.dx && strided) {
                    packed_gemm(static_cast<int>(n_rows), dg + r0 * ld, ld, ctx.packed_input, 1.0f, grad.dx + x_at, W * I);
                } else if (grad.dx) {
                    packed_gemm(static_cast<int>(n_rows), dg + r0 * ld, ld, ctx.packed_input, 0.0f, dxc, I);
                    scatter_add_rows(plan, w, dir.reverse, s_begin, s_end, dxc, I, grad.dx);
                }
            }
        };
        JobBarrier barrier(W);
        ctx.pool.run(W, [&](int w) {
            pack_share(ctx.packed_main, w, W);
            if (lbr0) pack_share(ctx.packed_candidate, w, W);
            if (grad.dx) pack_share(ctx.packed_input, w, W);
            if (!barrier.wait()) return;
            abandoning(barrier, [&] { backward_worker(w); });
            // The other workers' shares, added in worker order (the same sum on every call with this thread count),
            // once all are done, each worker over its own slice of the outputs.
            if (share_floats == 0 || !barrier.wait()) return;
            long at = 0;
            auto add = [&](float* to, long n) {
                const long first = n * w / W, last = n * (w + 1) / W;
                for (int v = 1; v < W; ++v)
                    for (long j = first; j < last; ++j) to[j] += shares[v][at + j];
                at += n;
            };
            if (dw) add(dw, static_cast<long>(GH) * I);
            if (dr) add(dr, static_cast<long>(GH) * H);
            if (dwb) add(dwb, 2L * GH);
        });
        if (grad.dp && dir.p) {
            for (int w = 0; w < W; ++w) {
                const float* local = worker_dp(ctx, plan, w, H);
                for (int j = 0; j < 3 * H; ++j) grad.dp[static_cast<long>(d) * 3 * H + j] += local[j];
            }
        }
    }
}

MLNR_ISA_END
