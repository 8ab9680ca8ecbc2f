#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <numeric>

#include "gemm.hpp"
#include "rnn.hpp"

namespace mlnr {

Plan make_plan(int seq_length, int batch, const int32_t* sequence_lens, int threads) {
    Plan p;
    p.seq_length = seq_length;
    p.batch = batch;
    p.workers = std::max(1, std::min(threads, batch));
    p.order.resize(batch);
    std::iota(p.order.begin(), p.order.end(), 0);
    auto len = [&](int b) { return sequence_lens ? sequence_lens[b] : seq_length; };
    std::stable_sort(p.order.begin(), p.order.end(), [&](int a, int b) { return len(a) > len(b); });
    p.length.resize(batch);
    for (int i = 0; i < batch; ++i) p.length[i] = len(p.order[i]);
    p.max_length = batch > 0 ? p.length[0] : 0;
    // Longest first, each row to the worker with the fewest real steps so far (then the fewest rows, then the lowest
    // index): equal lengths go round-robin, and a ragged batch's shares differ by at most one sequence's steps.
    std::vector<std::vector<int>> own(p.workers);
    std::vector<long> steps(p.workers, 0);
    for (int i = 0; i < batch; ++i) {
        int best = 0;
        for (int w = 1; w < p.workers; ++w)
            if (steps[w] < steps[best] || (steps[w] == steps[best] && own[w].size() < own[best].size())) best = w;
        own[best].push_back(i);
        steps[best] += p.length[i];
    }
    p.first.assign(p.workers + 1, 0);
    p.members.reserve(batch);
    for (int w = 0; w < p.workers; ++w) {
        p.members.insert(p.members.end(), own[w].begin(), own[w].end());
        p.first[w + 1] = static_cast<int>(p.members.size());
    }
    const int L = p.max_length;
    p.offsets.assign(static_cast<size_t>(p.workers) * (L + 1), 0);
    long at = 0;
    bool round_robin = true;
    for (int w = 0; w < p.workers; ++w) {
        long* o = p.offsets.data() + static_cast<size_t>(w) * (L + 1);
        o[0] = at;
        int running = p.rows_of(w);  // its rows are longest first: those running at step s are a prefix
        for (int s = 0; s < L; ++s) {
            while (running > 0 && p.length[p.sorted(w, running - 1)] <= s) --running;
            o[s + 1] = o[s] + running;
        }
        at = o[L];
        for (int k = 0; k < p.rows_of(w); ++k) round_robin = round_robin && p.sorted(w, k) == w + k * p.workers;
    }
    p.total = at;
    p.strided = round_robin && p.total == static_cast<long>(seq_length) * batch && batch % p.workers == 0 &&
                std::is_sorted(p.order.begin(), p.order.end());
    return p;
}

std::vector<int> chunk_steps(const Plan& plan, int w, long row_bytes, long chunk_rows) {
    // MLNR_CHUNK_BYTES overrides the size (tuning; a huge value gives one chunk).
    static const long chunk_bytes = [] {
        const char* e = std::getenv("MLNR_CHUNK_BYTES");
        const long v = e ? std::atol(e) : 0;
        return v > 0 ? v : (1L << 20);
    }();
    const long target = chunk_rows > 0 ? chunk_rows : std::max<long>(256, chunk_bytes / std::max<long>(1, row_bytes));
    if (plan.max_length == 0) return {0, 0};  // one empty chunk: the workers still hand h0/c0 to Y_h/Y_c
    std::vector<int> bounds{0};
    for (int s = 0; s < plan.max_length;) {
        int e = s + 1;
        while (e < plan.max_length && plan.offset(w, e) - plan.offset(w, s) < target) ++e;
        bounds.push_back(e);
        s = e;
    }
    return bounds;
}

Layer describe(const mlnr_rnn_desc& d) {
    Layer l{};
    l.cell = d.cell;
    l.gates = d.cell == MLNR_CELL_RNN ? 1 : (d.cell == MLNR_CELL_GRU ? 3 : 4);
    l.input = d.input_size;
    l.hidden = d.hidden_size;
    l.directions = d.direction == MLNR_DIRECTION_BIDIRECTIONAL ? 2 : 1;
    l.reverse_only = d.direction == MLNR_DIRECTION_REVERSE;
    l.linear_before_reset = d.cell == MLNR_CELL_GRU && d.linear_before_reset != 0;
    l.input_forget = d.cell == MLNR_CELL_LSTM && d.input_forget != 0;
    l.clip = d.clip;
    for (int i = 0; i < 6; ++i) l.act[i] = Activation{d.activations[i].kind, d.activations[i].alpha, d.activations[i].beta};
    return l;
}

long reserve_floats(const Layer& layer, int seq_length, int batch) {
    return static_cast<long>(layer.directions) * seq_length * batch * layer.stride();
}

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

}  // namespace mlnr
