// Gathering and scattering a chunk's rows of X and dX (rnn.hpp); compiled once per path (isa.hpp).
#include <cstring>

#include "rnn.hpp"

MLNR_ISA_BEGIN

// The rows of X a ragged or reversed chunk reads (or adds dX into) lie scattered over each step's [B, width] block, in
// the order of the rows' lengths: both loops fetch the row kAhead places ahead, so that the misses overlap instead of
// each copy waiting for its own (W5 at 2 threads: the forward's gather 150 -> 100 us a call).
namespace {
constexpr int kAhead = 8;
}  // namespace

void gather_rows(const Plan& plan, int w, bool reverse, int s_begin, int s_end, const float* x, int width, float* xc) {
    const long first = plan.offset(w, s_begin);
    const long row_bytes = static_cast<long>(width) * sizeof(float);
    auto source = [&](int s, int k) {
        const int i = plan.sorted(w, k);
        return x + (static_cast<long>(plan.time(s, i, reverse)) * plan.batch + plan.order[i]) * width;
    };
    for (int s = s_begin; s < s_end; ++s) {
        const int m = plan.running(w, s);
        for (int k = 0; k < m; ++k) {
            if (k + kAhead < m) {
                const char* next = reinterpret_cast<const char*>(source(s, k + kAhead));
                for (long b = 0; b < row_bytes; b += 64) __builtin_prefetch(next + b, 0, 3);
            }
            std::memcpy(xc + (plan.row(w, s, k) - first) * width, source(s, k), sizeof(float) * width);
        }
    }
}

void table_rows(const Plan& plan, int w, bool reverse, int s_begin, int s_end, const int32_t* ids, const float* table,
                int width, const float** rows) {
    const long first = plan.offset(w, s_begin);
    for (int s = s_begin; s < s_end; ++s) {
        const int m = plan.running(w, s);
        for (int k = 0; k < m; ++k) {
            const int i = plan.sorted(w, k);
            const int32_t id = ids[static_cast<long>(plan.time(s, i, reverse)) * plan.batch + plan.order[i]];
            rows[plan.row(w, s, k) - first] = table + static_cast<long>(id) * width;
        }
    }
}

void scatter_add_rows(const Plan& plan, int w, bool reverse, int s_begin, int s_end, const float* xc, int width,
                      float* x) {
    const long first = plan.offset(w, s_begin);
    const long row_bytes = static_cast<long>(width) * sizeof(float);
    auto target = [&](int s, int k) {
        const int i = plan.sorted(w, k);
        return x + (static_cast<long>(plan.time(s, i, reverse)) * plan.batch + plan.order[i]) * width;
    };
    for (int s = s_begin; s < s_end; ++s) {
        const int m = plan.running(w, s);
        for (int k = 0; k < m; ++k) {
            if (k + kAhead < m) {
                const char* next = reinterpret_cast<const char*>(target(s, k + kAhead));
                for (long b = 0; b < row_bytes; b += 64) __builtin_prefetch(next + b, 1, 3);
            }
            float* to = target(s, k);
            const float* from = xc + (plan.row(w, s, k) - first) * width;
            for (int j = 0; j < width; ++j) to[j] += from[j];
        }
    }
}

MLNR_ISA_END
