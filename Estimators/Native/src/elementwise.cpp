// Compiled with -ffp-contract=off (CMakeLists.txt): no multiply-add is fused, so every result rounds exactly as the
// managed reference's does, and the tests hold the two to equal bits.
#include "elementwise.hpp"

#include <cmath>
#include <cstring>


MLNR_ISA_BEGIN

namespace {

// Element ranges of at least this many floats per worker; below it one thread is faster than a hand-off.
constexpr int64_t kMinimumShare = 1 << 15;

int workers_for(const mlnr_context& ctx, int64_t elements) {
    const int64_t most = elements / kMinimumShare;
    const int threads = ctx.pool.size();
    return most < 1 ? 1 : (most < threads ? static_cast<int>(most) : threads);
}

// fn(begin, end) over [0, n) split into one contiguous range per worker, boundaries on 16 floats (64 bytes).
template <typename F>
void for_ranges(mlnr_context& ctx, int64_t n, F&& fn) {
    const int workers = workers_for(ctx, n);
    ctx.pool.run(workers, [&](int w) {
        const int64_t begin = n * w / workers / 16 * 16;
        const int64_t end = w + 1 == workers ? n : n * (w + 1) / workers / 16 * 16;
        fn(begin, end);
    });
}

}  // namespace

void embedding_forward(mlnr_context& ctx, const float* table, int size, const int32_t* ids, const int32_t* lens, int T,
                       int B, float* out) {
    const int workers = workers_for(ctx, static_cast<int64_t>(T) * B * size);
    ctx.pool.run(workers, [&](int w) {
        int begin, end;
        split_rows(T, workers, w, begin, end);
        for (int t = begin; t < end; ++t) {
            for (int b = 0; b < B; ++b) {
                float* row = out + (static_cast<int64_t>(t) * B + b) * size;
                if (lens && t >= lens[b]) std::memset(row, 0, sizeof(float) * size);
                else std::memcpy(row, table + static_cast<int64_t>(ids[static_cast<int64_t>(t) * B + b]) * size, sizeof(float) * size);
            }
        }
    });
}

void embedding_backward(mlnr_context& ctx, float* dtable, int vocabulary, int size, const int32_t* ids,
                        const int32_t* lens, int T, int B, const float* dout) {
    const int workers = workers_for(ctx, static_cast<int64_t>(T) * B * size);
    ctx.pool.run(workers, [&](int w) {
        int first, last;
        split_rows(vocabulary, workers, w, first, last);
        for (int t = 0; t < T; ++t) {
            for (int b = 0; b < B; ++b) {
                const int id = ids[static_cast<int64_t>(t) * B + b];
                if (id < first || id >= last || (lens && t >= lens[b])) continue;
                float* __restrict row = dtable + static_cast<int64_t>(id) * size;
                const float* __restrict d = dout + (static_cast<int64_t>(t) * B + b) * size;
                for (int j = 0; j < size; ++j) row[j] += d[j];
            }
        }
    });
}

void adam_update(mlnr_context& ctx, int64_t n, const AdamStep& s, float* w, const float* g, float* m, float* v) {
    for_ranges(ctx, n, [&, s](int64_t begin, int64_t end) {
        // Locals and restrict pointers: the compiler may then assume no store changes a scalar or another buffer,
        // and vectorises the loop.
        const float b1 = s.beta1, b2 = s.beta2, c1 = 1.0f - s.beta1, c2 = 1.0f - s.beta2;
        const float decay = s.decay, step_size = s.step_size, correction2 = s.correction2, epsilon = s.epsilon;
        float* __restrict wr = w;
        const float* __restrict gr = g;
        float* __restrict mr = m;
        float* __restrict vr = v;
        for (int64_t i = begin; i < end; ++i) {
            const float gi = gr[i];
            const float mi = b1 * mr[i] + c1 * gi;
            const float vi = b2 * vr[i] + c2 * gi * gi;
            mr[i] = mi;
            vr[i] = vi;
            wr[i] = wr[i] * decay - step_size * mi / (std::sqrt(vi) * correction2 + epsilon);
        }
    });
}

void sgd_update(mlnr_context& ctx, int64_t n, float learning_rate, float momentum, bool nesterov, float* w,
                const float* g, float* velocity) {
    for_ranges(ctx, n, [=](int64_t begin, int64_t end) {
        float* __restrict wr = w;
        const float* __restrict gr = g;
        float* __restrict vr = velocity;
        if (momentum == 0.0f) {
            const float step = -learning_rate;
            for (int64_t i = begin; i < end; ++i) wr[i] = gr[i] * step + wr[i];
            return;
        }
        if (nesterov) {
            for (int64_t i = begin; i < end; ++i) {
                const float vi = momentum * vr[i] + gr[i];
                vr[i] = vi;
                wr[i] -= learning_rate * (gr[i] + momentum * vi);
            }
            return;
        }
        for (int64_t i = begin; i < end; ++i) {
            const float vi = momentum * vr[i] + gr[i];
            vr[i] = vi;
            wr[i] -= learning_rate * vi;
        }
    });
}

MLNR_ISA_END
