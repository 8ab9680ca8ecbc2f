// Forward through time; see rnn.hpp for the organisation. Shapes: X [T, B, I], W [D, G*H, I], R [D, G*H, H],
// Bias [D, 2*G*H], P [D, 3*H], h0/c0/Y_h/Y_c [D, B, H], Y [T, D, B, H]; compact buffers [rows, ...].
#include <algorithm>
#include <cstdint>
#include <cstring>

#include "gate_rows.hpp"
#include "packed_gemm.hpp"
#include "rnn.hpp"

MLNR_ISA_BEGIN

bool fused_gates(const Layer& L, int d) {
#if defined(MLNR_FUSED_GATES)
    const int f = L.act[d * 3].kind, g = L.act[d * 3 + 1].kind, h = L.act[d * 3 + 2].kind;
    if (L.clip > 0 || f != MLNR_ACTIVATION_SIGMOID || g != MLNR_ACTIVATION_TANH) return false;
    if (L.cell == MLNR_CELL_GRU) return L.linear_before_reset;
    return L.cell == MLNR_CELL_LSTM && !L.input_forget && h == MLNR_ACTIVATION_TANH;
#else
    (void)L;
    (void)d;
    return false;
#endif
}

namespace {

#if defined(MLNR_FUSED_GATES)
// Units per block in batch-1 inference on several threads (forward_units): a vector on the avx512 path.
constexpr int kUnitBlock = 16;
#endif

struct Direction {
    const Layer& layer;
    int d;
    bool reverse;
    const float* w;   // [G*H, I]
    const float* r;   // [G*H, H]
    const float* wb;  // [G*H] or nullptr
    const float* rb;  // [G*H] or nullptr
    const float* p;   // [3*H] or nullptr
    const PackedMatrix* r_main;       // R^T [H, G*H], or [H, 2*H] (z and r) for GRU lbr=0
    const PackedMatrix* r_candidate;  // GRU lbr=0: Rh^T [H, H]
    const float* fused_bias;          // the fused gate rows' Wb + Rb (fused_bias_of), or nullptr
    const Activation& f() const { return layer.act[d * 3]; }
    const Activation& g() const { return layer.act[d * 3 + 1]; }
    const Activation& h() const { return layer.act[d * 3 + 2]; }
};

// Wb + Rb of every gate, which the fused gate rows add as one bias (GRU: z and r; its candidate's Wbh and Rbh stay
// apart, Rbh inside r * (Rh h + Rbh)). Empty where the direction runs the generic code.
std::vector<float> fused_bias_of(const Layer& L, int d, const float* wb, const float* rb) {
    if (!fused_gates(L, d)) return {};
    const int count = L.cell == MLNR_CELL_GRU ? 2 * L.hidden : L.gates * L.hidden;
    std::vector<float> bias(count);
    for (int j = 0; j < count; ++j) bias[j] = (wb ? wb[j] : 0.0f) + (rb ? rb[j] : 0.0f);
    return bias;
}

inline void add_bias(float* a, const float* b, int n) {
    if (b)
        for (int j = 0; j < n; ++j) a[j] += b[j];
}

// Worker w's rows through steps [s_begin, s_end): the first call (s_begin = 0) starts from h0/c0, the last (s_end =
// max_length) writes Y_h/Y_c; between calls the state stays in the worker's state block. xw holds X W^T of compact
// rows row0, row0 + 1, ... (xw_ld apart); in training it is the reserve's own gate slots (row0 = 0), which the cell
// code then overwrites in place, element by element. From a projection table (inference), x_rows[row - row0] points
// at the row's X W^T instead. scratch: step_scratch_floats(L, rows_of(w)).
long step_scratch_floats(const Layer& L, int n) {
    const long GH = static_cast<long>(L.gates) * L.hidden;
    return static_cast<long>(n) * (GH + 2 * L.hidden) + GH + 3 * L.hidden;
}

void run_steps(mlnr_context& ctx, const Plan& plan, const Direction& dir, int w, float* scratch, const float* xw,
               long xw_ld, const float* const* x_rows, long row0, const float* h0, const float* c0, float* y,
               float* y_h, float* y_c, float* reserve, int s_begin, int s_end) {
    const Layer& L = dir.layer;
    const int H = L.hidden, G = L.gates, GH = G * H, B = plan.batch, D = L.directions;
    const int n = plan.rows_of(w);
    if (n == 0) return;
    const long stride = L.stride();
    const bool lstm = L.cell == MLNR_CELL_LSTM, gru = L.cell == MLNR_CELL_GRU;
    const bool lbr0 = gru && !L.linear_before_reset;
    // The worker's state: h [n, H], c [n, H]. Its per-step scratch: hr [n, G*H], rh [n, H], rhr [n, H], one row of
    // gate values (inference) [G*H + 3H].
    float* h = ctx.state_floats(w, static_cast<size_t>(n) * 2 * H);
    float* c = h + static_cast<long>(n) * H;
    float* hr = scratch;
    float* rh = hr + static_cast<long>(n) * GH;
    float* rhr = rh + static_cast<long>(n) * H;
    float* scratch_row = rhr + static_cast<long>(n) * H;

    for (int k = 0; s_begin == 0 && k < n; ++k) {
        const int b = plan.order[plan.sorted(w, k)];
        if (h0) std::memcpy(h + static_cast<long>(k) * H, h0 + (static_cast<long>(dir.d) * B + b) * H, sizeof(float) * H);
        else std::memset(h + static_cast<long>(k) * H, 0, sizeof(float) * H);
        if (lstm) {
            if (c0) std::memcpy(c + static_cast<long>(k) * H, c0 + (static_cast<long>(dir.d) * B + b) * H, sizeof(float) * H);
            else std::memset(c + static_cast<long>(k) * H, 0, sizeof(float) * H);
        }
    }

    auto x_of = [&](long row) { return x_rows ? x_rows[row - row0] : xw + (row - row0) * xw_ld; };
    const long x_bytes = static_cast<long>(GH) * sizeof(float);
    const int steps = std::min(plan.longest(w), s_end);
    const long rows_end = plan.offset(w, steps);  // the compact rows these steps run: up to rows_end
    for (int s = s_begin; s < steps; ++s) {
        const int m = plan.running(w, s);
        // hr = h R^T for the running rows: every gate, or z and r only for GRU lbr=0 (its candidate needs r*h).
        packed_gemm(m, h, H, *dir.r_main, 0.0f, hr, GH);
        for (int k = 0; k < m; ++k) {
            const long row = plan.row(w, s, k);
            if (reserve && k + 1 < m) {
                // The projection GEMM just wrote the next row's gate slots; the rest of that row (extra, h_prev, slot)
                // is not in cache yet: fetch it for writing while this row computes.
                const char* next = reinterpret_cast<const char*>(reserve + (row + 1) * stride + L.extra_offset());
                for (long b = 0; b < (stride - L.extra_offset()) * static_cast<long>(sizeof(float)); b += 64)
                    __builtin_prefetch(next + b, 1, 3);
            }
            if (x_rows && row + 1 < rows_end) {
                // The next row's projection lies anywhere in the table: fetch it while this row computes, across the
                // step's end too (a single sequence has one row a step). W4 batch 256: without, the steps wait on the
                // table and run 1.3x slower; 2, 4 or 8 rows ahead measured the same.
                const char* next = reinterpret_cast<const char*>(x_of(row + 1));
                for (long b = 0; b < x_bytes; b += 64) __builtin_prefetch(next + b, 0, 3);
            }
            float* out = reserve ? reserve + row * stride : scratch_row;  // gates | extra | h_prev | c_prev or r*h
            float* a = out;
            // Training keeps which pre-activations the clip saturated (gate g, unit j: bit g*H + j) for backward.
            MaskWord* mask = reserve ? reinterpret_cast<MaskWord*>(out + L.mask_offset()) : nullptr;
            auto clip = [&](float* values, int count, int first) { clip_values(values, count, L.clip, mask, first); };
            float* extra = out + L.extra_offset();
            float* hk = h + static_cast<long>(k) * H;
            const float* x = x_of(row);
            const float* hrk = hr + static_cast<long>(k) * GH;
#if defined(MLNR_FUSED_GATES)
            if (dir.fused_bias) {
                float* keep = reserve ? out : nullptr;
                if (gru)
                    gru_forward_row(H, x, H, hrk, H, dir.fused_bias, H, dir.wb ? dir.wb + 2 * H : nullptr,
                                    dir.rb ? dir.rb + 2 * H : nullptr, hk, hk, keep, extra, out + L.h_prev_offset());
                else
                    lstm_forward_row(H, x, H, hrk, H, dir.fused_bias, H, dir.p, hk, hk, c + static_cast<long>(k) * H,
                                     keep, extra, out + L.h_prev_offset(), out + L.slot_offset());
                continue;
            }
#endif
            if (reserve) std::memcpy(out + L.h_prev_offset(), hk, sizeof(float) * H);
            if (L.cell == MLNR_CELL_RNN) {
                for (int j = 0; j < H; ++j) a[j] = x[j] + hrk[j];
                add_bias(a, dir.wb, H);
                add_bias(a, dir.rb, H);
                if (L.clip > 0) clip(a, H, 0);
                activate(dir.f(), a, H);
                std::memcpy(hk, a, sizeof(float) * H);
            } else if (gru) {
                for (int j = 0; j < 2 * H; ++j) a[j] = x[j] + hrk[j];
                add_bias(a, dir.wb, 2 * H);
                add_bias(a, dir.rb, 2 * H);
                if (L.clip > 0) clip(a, 2 * H, 0);
                activate(dir.f(), a, 2 * H);
                if (lbr0) {
                    float* rhk = rh + static_cast<long>(k) * H;
                    for (int j = 0; j < H; ++j) rhk[j] = a[H + j] * hk[j];
                    if (reserve) std::memcpy(out + L.slot_offset(), rhk, sizeof(float) * H);
                } else {
                    // extra = Rh h + Rbh, kept for the reset gate's gradient.
                    for (int j = 0; j < H; ++j) extra[j] = hrk[2 * H + j] + (dir.rb ? dir.rb[2 * H + j] : 0.0f);
                    float* n_ = a + 2 * H;
                    for (int j = 0; j < H; ++j) n_[j] = x[2 * H + j] + (dir.wb ? dir.wb[2 * H + j] : 0.0f) + a[H + j] * extra[j];
                    if (L.clip > 0) clip(n_, H, 2 * H);
                    activate(dir.g(), n_, H);
                    for (int j = 0; j < H; ++j) hk[j] = (1.0f - a[j]) * n_[j] + a[j] * hk[j];
                }
            } else {
                for (int j = 0; j < GH; ++j) a[j] = x[j] + hrk[j];
                add_bias(a, dir.wb, GH);
                add_bias(a, dir.rb, GH);
                float* ck = c + static_cast<long>(k) * H;
                if (reserve) std::memcpy(out + L.slot_offset(), ck, sizeof(float) * H);
                float* ig = a;
                float* og = a + H;
                float* fg = a + 2 * H;
                float* ug = a + 3 * H;
                if (dir.p) {
                    for (int j = 0; j < H; ++j) {
                        ig[j] += dir.p[j] * ck[j];
                        fg[j] += dir.p[2 * H + j] * ck[j];
                    }
                }
                if (L.clip > 0) {
                    clip(ig, H, 0);
                    clip(fg, H, 2 * H);
                    clip(ug, H, 3 * H);
                }
                activate(dir.f(), ig, H);
                if (L.input_forget) {
                    for (int j = 0; j < H; ++j) fg[j] = 1.0f - ig[j];
                } else {
                    activate(dir.f(), fg, H);
                }
                activate(dir.g(), ug, H);
                for (int j = 0; j < H; ++j) ck[j] = fg[j] * ck[j] + ig[j] * ug[j];
                if (dir.p)
                    for (int j = 0; j < H; ++j) og[j] += dir.p[H + j] * ck[j];
                if (L.clip > 0) clip(og, H, H);
                activate(dir.f(), og, H);
                std::memcpy(extra, ck, sizeof(float) * H);
                activate(dir.h(), extra, H);  // extra = h(c')
                for (int j = 0; j < H; ++j) hk[j] = og[j] * extra[j];
            }
        }
        if (lbr0) {
            // The candidate: n = g(Wh x + Wbh + Rbh + (r*h) Rh^T), then h' = (1 - z) n + z h.
            packed_gemm(m, rh, H, *dir.r_candidate, 0.0f, rhr, H);
            for (int k = 0; k < m; ++k) {
                const long row = plan.row(w, s, k);
                float* a = reserve ? reserve + row * stride : scratch_row;
                if (!reserve) {
                    // Inference keeps z and r in the scratch row only for the running row: recompute them here.
                    const float* x = x_of(row);
                    const float* hrk = hr + static_cast<long>(k) * GH;
                    for (int j = 0; j < H; ++j) a[j] = x[j] + hrk[j] + (dir.wb ? dir.wb[j] : 0.0f) + (dir.rb ? dir.rb[j] : 0.0f);
                    if (L.clip > 0) clip_values(a, H, L.clip);
                    activate(dir.f(), a, H);
                }
                const float* x = x_of(row);
                float* n_ = a + 2 * H;
                const float* rhrk = rhr + static_cast<long>(k) * H;
                for (int j = 0; j < H; ++j)
                    n_[j] = x[2 * H + j] + rhrk[j] + (dir.wb ? dir.wb[2 * H + j] : 0.0f) + (dir.rb ? dir.rb[2 * H + j] : 0.0f);
                if (L.clip > 0)
                    clip_values(n_, H, L.clip, reserve ? reinterpret_cast<MaskWord*>(a + L.mask_offset()) : nullptr, 2 * H);
                activate(dir.g(), n_, H);
                float* hk = h + static_cast<long>(k) * H;
                for (int j = 0; j < H; ++j) hk[j] = (1.0f - a[j]) * n_[j] + a[j] * hk[j];
            }
        }
        if (y) {
            for (int k = 0; k < m; ++k) {
                const int i = plan.sorted(w, k);
                const int t = plan.time(s, i, dir.reverse);
                std::memcpy(y + ((static_cast<long>(t) * D + dir.d) * B + plan.order[i]) * H, h + static_cast<long>(k) * H,
                            sizeof(float) * H);
            }
        }
    }

    for (int k = 0; s_end == plan.max_length && k < n; ++k) {
        const int b = plan.order[plan.sorted(w, k)];
        // Y past the sequence's end is zero (ONNX); the worker that owns the row writes it.
        for (int t = plan.length[plan.sorted(w, k)]; y && t < plan.seq_length; ++t)
            std::memset(y + ((static_cast<long>(t) * D + dir.d) * B + b) * H, 0, sizeof(float) * H);
        if (y_h) std::memcpy(y_h + (static_cast<long>(dir.d) * B + b) * H, h + static_cast<long>(k) * H, sizeof(float) * H);
        if (y_c && lstm) std::memcpy(y_c + (static_cast<long>(dir.d) * B + b) * H, c + static_cast<long>(k) * H, sizeof(float) * H);
    }
}

#if defined(MLNR_FUSED_GATES)
// Batch-1 inference on several threads: one sequence has one row per step, so the rows cannot be dealt to workers;
// its hidden units are instead (forward_units). How many workers that takes: 0 where it does not apply (training,
// more than one row, one thread, the generic gate code, fewer than 2 x 16 units).
int unit_workers(const mlnr_context& ctx, const Direction& dir, int batch, const float* reserve) {
    if (reserve || batch != 1 || ctx.pool.size() < 2 || !dir.fused_bias) return 0;
    const int workers = std::min(ctx.pool.size(), dir.layer.hidden / kUnitBlock);
    return workers >= 2 ? workers : 0;
}

// One direction of batch-1 inference with the hidden units cut among `workers` threads, in blocks of kUnitBlock. A
// worker packs the rows of W and R that produce its units' gates (each gate's slice padded to whole panels), projects
// the inputs of a chunk of steps onto them, then per step multiplies the whole h by its slice of R^T, runs its units'
// gate rows and writes its part of the next h (two buffers: a step reads one and writes the other). A worker publishes
// each step it finishes (StepBarrier) and reads another's units of h once that one has finished the step before: the
// product runs over the owners' units in order, so worker 0 multiplies its own units while the others finish theirs,
// and the one-row product goes on from its partial sums (packed_gemm_part) as each owner's units arrive. Each worker
// streams only its share of R from its own cache where one thread would stream all of it (W4's GRU(128): R^T is 192
// KiB, more than a core's L1, so a step waits on L2). Every value is computed as the one-worker path computes it (the
// same sums in the same order, the same gate code): the same bits on any thread count.
void forward_units(mlnr_context& ctx, const Layer& L, const Direction& dir, int T, const Tensors& in, float* y,
                   float* y_h, float* y_c, int workers) {
    const int H = L.hidden, I = L.input, G = L.gates, D = L.directions, d = dir.d;
    const bool gru = L.cell == MLNR_CELL_GRU;
    const int length = in.lens ? in.lens[0] : T;
    // The shared h, in two buffers.
    std::vector<float> h(2 * static_cast<size_t>(H), 0.0f);
    if (in.h0) std::memcpy(h.data(), in.h0 + static_cast<long>(d) * H, sizeof(float) * H);
    // Worker v owns units [unit_begin[v], unit_begin[v + 1]).
    std::vector<int> unit_begin(workers + 1, H);
    for (int v = 0; v < workers; ++v) {
        int first, last;
        split_rows(ceil_div(H, kUnitBlock), workers, v, first, last);
        unit_begin[v] = first * kUnitBlock;
    }
    StepBarrier step(workers);
    ctx.pool.run(workers, [&](int w) {
        abandoning(step, [&] {
            const int u0 = unit_begin[w], width = unit_begin[w + 1] - u0;
            const int wp = ceil_div(width, kPanel) * kPanel, cols = G * wp;
            // Column g * wp + j of the worker's B is gate g's unit u0 + j: row g * H + u0 + j of W and of R.
            std::vector<int> rows(cols, -1);
            for (int g = 0; g < G; ++g)
                for (int j = 0; j < width; ++j) rows[g * wp + j] = g * H + u0 + j;
            PackedMatrix& r_slice = ctx.unit_panels[2 * w];
            PackedMatrix& w_slice = ctx.unit_panels[2 * w + 1];
            pack_rows(r_slice, dir.r, H, H, rows.data(), cols, true);  // one row a step: paired panels
            // From a projection table the inputs' X W^T are its rows (their columns of this worker's units).
            const float* table = in.table_of(d, static_cast<long>(G) * H);
            if (!table) pack_rows(w_slice, dir.w, I, I, rows.data(), cols);
            constexpr int kChunk = 256;  // steps per input projection
            // The chunk's input projections (none from a table), h R^T, c.
            float* xw = ctx.worker_floats(w, static_cast<size_t>(table ? 1 : kChunk + 1) * cols + width);
            float* hr = xw + static_cast<long>(table ? 0 : kChunk) * cols;
            float* c = hr + cols;
            for (int j = 0; j < width && !gru; ++j) c[j] = in.c0 ? in.c0[static_cast<long>(d) * H + u0 + j] : 0.0f;
            const float* wbn = dir.wb && gru ? dir.wb + 2 * H + u0 : nullptr;
            const float* rbn = dir.rb && gru ? dir.rb + 2 * H + u0 : nullptr;
            const float* p = dir.p ? dir.p + u0 : nullptr;
            for (int s0 = 0; s0 < length; s0 += kChunk) {
                const int s1 = std::min(length, s0 + kChunk);
                // This chunk's steps read X at times [t0, t0 + s1 - s0), reversed or not.
                const int t0 = dir.reverse ? length - s1 : s0;
                if (!table) packed_gemm(s1 - s0, in.x + static_cast<long>(t0) * I, I, w_slice, 0.0f, xw, cols);
                for (int s = s0; s < s1; ++s) {
                    const int t = dir.reverse ? length - 1 - s : s;
                    const float* cur = h.data() + (s % 2) * H;
                    float* next = h.data() + ((s + 1) % 2) * H;
                    if (table && s + 1 < length) {
                        // The next step's table row lies anywhere in the table: fetch this worker's units of it
                        // while this step computes.
                        const int next_t = dir.reverse ? t - 1 : t + 1;
                        const float* ahead = table + static_cast<long>(in.ids[next_t]) * G * H + u0;
                        for (int g = 0; g < G; ++g)
                            for (long at = 0; at < width * static_cast<long>(sizeof(float)); at += 64)
                                __builtin_prefetch(reinterpret_cast<const char*>(ahead + g * H) + at, 0, 3);
                    }
                    // h R^T over k in order, one owner's units of h at a time, each once its owner has finished step
                    // s - 1: this worker's own units are ready, so worker 0 starts on them while the others finish.
                    for (int v = 0; v < workers; ++v) {
                        if (v != w && !step.wait_for(v, s)) return;
                        packed_gemm_part(1, cur, H, r_slice, unit_begin[v], unit_begin[v + 1], v > 0, hr, cols);
                    }
                    // The step's X W^T: the token's table row read in place (its gates H apart), or the chunk's
                    // projection (wp apart).
                    const float* x = table ? table + static_cast<long>(in.ids[t]) * G * H + u0
                                           : xw + static_cast<long>(t - t0) * cols;
                    const long x_stride = table ? H : wp;
                    if (gru)
                        gru_forward_row(width, x, x_stride, hr, wp, dir.fused_bias + u0, H, wbn, rbn, cur + u0,
                                        next + u0, nullptr, nullptr, nullptr);
                    else
                        lstm_forward_row(width, x, x_stride, hr, wp, dir.fused_bias + u0, H, p, cur + u0, next + u0, c,
                                         nullptr, nullptr, nullptr, nullptr);
                    step.arrive(w, s + 1);
                    if (y) std::memcpy(y + (static_cast<long>(t) * D + d) * H + u0, next + u0, sizeof(float) * width);
                }
            }
            for (int t = length; y && t < T; ++t)
                std::memset(y + (static_cast<long>(t) * D + d) * H + u0, 0, sizeof(float) * width);
            const float* final_h = h.data() + (length % 2) * H;
            if (y_h) std::memcpy(y_h + static_cast<long>(d) * H + u0, final_h + u0, sizeof(float) * width);
            if (y_c && !gru) std::memcpy(y_c + static_cast<long>(d) * H + u0, c, sizeof(float) * width);
        });
    });
}

#endif

}  // namespace

void forward(mlnr_context& ctx, const Layer& L, int T, int B, const Tensors& in, float* y, float* y_h, float* y_c,
             float* reserve) {
    const int H = L.hidden, I = L.input, GH = L.gates * H;
    const Plan plan = make_plan(T, B, in.lens, ctx.pool.size());
    for (int d = 0; d < L.directions; ++d) {
        const bool reverse = L.reverse(d);
        const float* r = in.r + static_cast<long>(d) * GH * H;
        const bool lbr0 = L.cell == MLNR_CELL_GRU && !L.linear_before_reset;
        const float* wb = in.bias ? in.bias + static_cast<long>(d) * 2 * GH : nullptr;
        const float* rb = in.bias ? in.bias + static_cast<long>(d) * 2 * GH + GH : nullptr;
        const std::vector<float> fused_bias = fused_bias_of(L, d, wb, rb);
        const Direction dir{L, d, reverse, in.w ? in.w + static_cast<long>(d) * GH * I : nullptr, r, wb, rb,
                            in.p ? in.p + static_cast<long>(d) * 3 * H : nullptr, &ctx.packed_main, &ctx.packed_candidate,
                            fused_bias.empty() ? nullptr : fused_bias.data()};
#if defined(MLNR_FUSED_GATES)
        if (const int units = unit_workers(ctx, dir, B, reserve); units > 0) {
            forward_units(ctx, L, dir, T, in, y, y_h, y_c, units);
            continue;
        }
#endif
        // The workers pack the weights together (each a share of the panels), then wait for each other. A single
        // sequence multiplies one row by R^T at every step: its panels are paired (packed_gemm.hpp).
        pack_layout(ctx.packed_main, r, H, H, lbr0 ? 2 * H : GH, true, B == 1);
        if (lbr0) pack_layout(ctx.packed_candidate, r + 2L * H * H, H, H, H, true);
        // From a projection table (in.table) the inputs' X W^T are its rows: no W to pack, no projection to run.
        const float* table = in.table_of(d, GH);
        if (!table) pack_layout(ctx.packed_input, in.w + static_cast<long>(d) * GH * I, I, I, GH, true);  // W^T [I, G*H]
        JobBarrier packed(plan.workers);
        // X is read in place when the worker's compact rows are X's rows w, w + W, ... (Plan::strided), else each
        // chunk's rows are gathered first. Per chunk X W^T of its rows goes into the reserve's gate slots when
        // training (no scratch of [rows, G*H]), else into the worker's scratch, and the worker runs the chunk's steps
        // while those rows are in its cache.
        // (Read in place at leading dimension workers * I, an int: where that overflows, gathered instead.)
        const bool strided = plan.strided && !reverse && static_cast<long>(plan.workers) * I <= INT32_MAX;
        float* reserve_d = reserve ? reserve + static_cast<long>(d) * T * B * L.stride() : nullptr;
        const long xw_ld = reserve_d ? L.stride() : GH;
        ctx.pool.run(plan.workers, [&](int w) {
            pack_share(ctx.packed_main, w, plan.workers);
            if (lbr0) pack_share(ctx.packed_candidate, w, plan.workers);
            if (!table) pack_share(ctx.packed_input, w, plan.workers);
            if (!packed.wait()) return;
            // Chunks sized by the training row in both modes: inference runs the very GEMMs training runs (same shapes,
            // same row cuts).
            const std::vector<int> bounds = chunk_steps(plan, w, L.stride() * static_cast<long>(sizeof(float)), ctx.chunk_rows);
            long chunk_rows = 0;
            for (size_t c = 0; c + 1 < bounds.size(); ++c)
                chunk_rows = std::max(chunk_rows, plan.offset(w, bounds[c + 1]) - plan.offset(w, bounds[c]));
            const long step_floats = step_scratch_floats(L, plan.rows_of(w));
            const long xw_floats = reserve_d ? 0 : chunk_rows * GH;
            // From a table, a chunk's rows are pointers into it (two floats' room each) in place of X W^T and X.
            const long xw_room = table ? 0 : xw_floats;
            const long x_room = table ? 2 * chunk_rows : strided ? 0 : chunk_rows * I;
            float* scratch = ctx.worker_floats(w, static_cast<size_t>(step_floats + xw_room + x_room + 2));
            float* xw_chunk = scratch + step_floats;
            float* xc = xw_chunk + xw_room;
            const float** x_rows = table ? reinterpret_cast<const float**>(xc + (reinterpret_cast<uintptr_t>(xc) % 8 ? 1 : 0))
                                         : nullptr;
            for (size_t c = 0; c + 1 < bounds.size(); ++c) {
                const int s_begin = bounds[c], s_end = bounds[c + 1];
                const long r0 = plan.offset(w, s_begin), n_rows = plan.offset(w, s_end) - r0;
                const long row0 = reserve_d ? 0 : r0;
                float* xw = reserve_d ? reserve_d : xw_chunk;
                if (table) {
                    table_rows(plan, w, reverse, s_begin, s_end, in.ids, table, GH, x_rows);
                } else {
                    const float* x_rows = in.x + plan.x_row(w, r0) * I;
                    int x_ld = plan.workers * I;
                    if (!strided) {
                        gather_rows(plan, w, reverse, s_begin, s_end, in.x, I, xc);
                        x_rows = xc;
                        x_ld = I;
                    }
                    if (n_rows > 0)
                        packed_gemm(static_cast<int>(n_rows), x_rows, x_ld, ctx.packed_input, 0.0f,
                                    xw + (r0 - row0) * xw_ld, static_cast<int>(xw_ld));
                }
                run_steps(ctx, plan, dir, w, scratch, xw, xw_ld, x_rows, row0, in.h0, in.c0, y, y_h, y_c, reserve_d, s_begin,
                          s_end);
            }
        });
    }
}

MLNR_ISA_END
