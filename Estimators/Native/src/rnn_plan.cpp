// The plan of a layer call (rnn.hpp): rows sorted by length and dealt to the workers, chunks of steps; the layer's
// reserve layout. Shared by every path (compiled once).
#include <algorithm>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <numeric>

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
        // A chunk's rows are the row count of its GEMMs (an int): one step has at most B of them, and no chunk grows
        // past INT32_MAX.
        while (e < plan.max_length && plan.offset(w, e) - plan.offset(w, s) < target &&
               plan.offset(w, e + 1) - plan.offset(w, s) <= INT32_MAX)
            ++e;
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

bool reserve_floats(const Layer& layer, int seq_length, int batch, int64_t* floats) {
    int64_t n = layer.stride();
    if (__builtin_mul_overflow(n, static_cast<int64_t>(layer.directions), &n) ||
        __builtin_mul_overflow(n, static_cast<int64_t>(seq_length), &n) ||
        __builtin_mul_overflow(n, static_cast<int64_t>(batch), &n))
        return false;
    *floats = n;
    return true;
}

}  // namespace mlnr
