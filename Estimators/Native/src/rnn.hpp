// Recurrent layers forward and backward through time (ONNX RNN/GRU/LSTM semantics, layout 0).
//
// How a call is organised:
//   - Sequences are sorted by length, longest first ("sorted rows"). At processing step s the sequences still
//     running are then a prefix of the sorted rows, so steps past a sequence's end cost nothing.
//   - The sorted rows are dealt to the W workers longest first, each to the worker with the fewest real steps so far
//     (round-robin when all lengths are equal), so the workers' shares of work differ by at most one sequence's
//     steps, and each worker runs its own rows through the whole call on its own: no barrier between steps or chunks,
//     one join per direction. The recurrence of one sequence never reads another's, and everything else a worker
//     needs is its rows' own data. The one thing they share, the call's weights packed for the GEMMs, they pack
//     together at the start (each a share of the panels), then wait for each other at a JobBarrier.
//   - Everything per step is stored "compact" and worker by worker: worker w's row (s, k) lives at offset(w, s) + k,
//     so a ragged batch stores and multiplies only its real steps, and each worker's rows are one contiguous block
//     that only that worker writes and reads. The input projection X W^T is one GEMM over a worker's compact rows of
//     a chunk of steps (about 1 MiB of rows), run just before the chunk's steps, and so are the weight and input
//     gradients just after them in backward: the big GEMMs read and write rows that are still in that core's cache.
//     (With the projection, the gradients or the row groups cut across workers instead, each core read half its
//     rows from the other core's cache, and at 2 threads backward ran 1.2x faster than on one, against 1.7x now.)
//   - Each step is one small GEMM per worker (its running rows times R^T) and fused element-wise gate code. A
//     worker's state (h, c; dh, dc, dP) lives in its own scratch.
//   - Weight gradients: worker 0 adds its rows' share to the output, every other worker to a zeroed share of its
//     own; once all are done (a barrier), every worker adds the shares in worker order over its own slice of the
//     outputs. So a call gives the same bits every time on a given
//     thread count; across thread counts dW, dR, the biases and dP differ in rounding (other sums of the same
//     terms), while the outputs, dX, dh0 and dc0 keep their bits on every path: each row's values are summed in one
//     order whichever worker holds the row (packed_gemm.hpp).
//   - The reserve (training forward) keeps per compact row: gate outputs [G*H], an extra [H] (GRU lbr=1: Rh h + Rbh;
//     LSTM: h(c')), the previous h [H], and [H] of the previous c (LSTM) or r*h (GRU lbr=0); see Layer::stride.
//     With a cell clip, a row also keeps one bit per gate pre-activation that the clip saturated (its gradient is
//     then zero). The gate slots double as scratch: forward writes X W^T there and turns it into the gates in
//     place; backward overwrites them with the gate gradients dG (and GRU lbr=1's extra with dN once the reset
//     gate's gradient has read it), so no [rows, G*H] or [rows, H] scratch exists in training.
#pragma once

#include <cstdint>
#include <vector>

#include "activation.hpp"
#include "context.hpp"
#include "isa.hpp"
#include "mlnetrnn.h"

namespace mlnr {

struct Plan {
    int seq_length = 0;
    int batch = 0;
    int workers = 1;             // threads the call runs on
    int max_length = 0;
    long total = 0;              // real steps: the sum of the lengths
    // Forward time, full lengths, batch in order and batch % workers == 0: worker w's compact rows are X's rows
    // w, w + workers, ... in order, so its GEMMs read X (and write dX) in place, with leading dimension workers * I.
    bool strided = false;
    std::vector<int> order;      // sorted row -> batch index
    std::vector<int> length;     // sorted row -> length
    std::vector<int> members;    // worker w's sorted rows, longest first, at members[first[w] .. first[w + 1])
    std::vector<int> first;      // [workers + 1]
    std::vector<long> offsets;   // [workers, max_length + 1]: compact row of (w, s, 0); a worker's rows are contiguous

    // Worker w's k-th row (a sorted row); its rows still running at step s are k = 0 .. running(w, s) - 1.
    int sorted(int w, int k) const { return members[first[w] + k]; }
    int rows_of(int w) const { return first[w + 1] - first[w]; }
    int longest(int w) const { return rows_of(w) > 0 ? length[sorted(w, 0)] : 0; }
    long offset(int w, int s) const { return offsets[static_cast<size_t>(w) * (max_length + 1) + s]; }
    long row(int w, int s, int k) const { return offset(w, s) + k; }
    long begin(int w) const { return offset(w, 0); }
    // With `strided`: the row of X (and dX) [T * B, I] that worker w's compact row r is.
    long x_row(int w, long r) const { return (r - begin(w)) * workers + w; }
    int running(int w, int s) const { return static_cast<int>(offset(w, s + 1) - offset(w, s)); }
    int time(int s, int i, bool reverse) const { return reverse ? length[i] - 1 - s : s; }
};

Plan make_plan(int seq_length, int batch, const int32_t* sequence_lens, int threads);

// Worker w's step boundaries 0 = b[0] < b[1] < ... < b[n] = max_length ({0, 0} when there are no steps): runs of
// steps whose compact rows (of worker w) take about 1 MiB at row_bytes each (at least 256 rows, so the GEMMs over a
// chunk stay efficient). A chunk's big GEMMs run right before (forward) or after (backward) its steps, while what
// the steps read and write is in the worker's cache. chunk_rows > 0 sets the rows per chunk instead
// (mlnr_context_set_chunk_rows: tuning, and tests of many small chunks).
std::vector<int> chunk_steps(const Plan& plan, int w, long row_bytes, long chunk_rows);

struct Layer {
    int cell, gates, input, hidden, directions;
    bool linear_before_reset, input_forget;
    float clip;
    Activation act[6];
    // A reserve row: gate outputs [G*H] | extra [H] (GRU lbr=1: Rh h + Rbh; LSTM: h(c')) | h_prev [H] |
    // slot [H] (LSTM: c_prev; GRU lbr=0: r*h_prev) | clip mask [ceil(G*H / 32) words] (clip > 0: bit g*H + j set
    // where the clip saturated pre-activation j of gate g). Rows hold only the parts their cell uses.
    bool has_extra() const { return cell == MLNR_CELL_LSTM || (cell == MLNR_CELL_GRU && linear_before_reset); }
    bool has_slot() const { return cell == MLNR_CELL_LSTM || (cell == MLNR_CELL_GRU && !linear_before_reset); }
    long extra_offset() const { return static_cast<long>(gates) * hidden; }
    long h_prev_offset() const { return static_cast<long>(gates + (has_extra() ? 1 : 0)) * hidden; }
    long slot_offset() const { return h_prev_offset() + hidden; }
    long mask_offset() const { return h_prev_offset() + hidden + (has_slot() ? hidden : 0); }
    long mask_words() const { return clip > 0 ? (static_cast<long>(gates) * hidden + 31) / 32 : 0; }
    long stride() const { return mask_offset() + mask_words(); }
    bool reverse(int d) const { return d == 1 || (directions == 1 && reverse_only); }
    bool reverse_only;
};

Layer describe(const mlnr_rnn_desc& desc);

// Floats of the training reserve for T and B (D * T * B * stride); false where that overflows int64.
bool reserve_floats(const Layer& layer, int seq_length, int batch, int64_t* floats);

struct Tensors {
    const float *x, *w, *r, *bias;
    const int32_t* lens;
    const float *h0, *c0, *p;
    // Inference from a projection table (mlnr_rnn_forward_table): X W^T of step t of sequence b is row ids[t * B + b]
    // of direction d's table [V, G*H] (table + d * V * G*H); x and w are then unused. NULL: X and W as usual.
    const float* table = nullptr;
    const int32_t* ids = nullptr;
    long vocabulary = 0;
    // Direction d's table [V, G*H] (gh = G*H), or NULL without a table.
    const float* table_of(int d, long gh) const { return table ? table + d * vocabulary * gh : nullptr; }
};

struct Gradients {
    const float *dy, *dy_h, *dy_c;
    float *dx, *dw, *dr, *dbias, *dp, *dh0, *dc0;
};

}  // namespace mlnr

#if defined(MLNR_ISA)
MLNR_ISA_BEGIN

void forward(mlnr_context& ctx, const Layer& layer, int seq_length, int batch, const Tensors& in, float* y,
             float* y_h, float* y_c, float* reserve);

void backward(mlnr_context& ctx, const Layer& layer, int seq_length, int batch, const Tensors& in,
              float* reserve, const Gradients& g);  // consumes the reserve: dG overwrites its gate slots

// Whether direction d's rows run through gate_rows.hpp's fused code (its cells with their default activations, no
// clip, GRU with linear_before_reset = 1, LSTM without input_forget, on the avx512 and avx2 paths) or the generic loops.
bool fused_gates(const Layer& layer, int d);

// Worker w's compact rows of steps [s_begin, s_end), from X [T, B, width] into xc [rows, width]: xc[row - first] =
// X[time(s, i), order[i]] where first = plan.offset(w, s_begin).
void gather_rows(const Plan& plan, int w, bool reverse, int s_begin, int s_end, const float* x, int width, float* xc);
// The same rows' X W^T in a projection table: rows[row - first] = table + ids[time(s, i) * B + order[i]] * width
// (inference from token ids, mlnr_rnn_forward_table: the table's rows are the vocabulary's projections).
void table_rows(const Plan& plan, int w, bool reverse, int s_begin, int s_end, const int32_t* ids, const float* table,
                int width, const float** rows);
// The inverse, adding: X[time(s, i), order[i]] += xc[row - first] (dX of rows that are not X's own).
void scatter_add_rows(const Plan& plan, int w, bool reverse, int s_begin, int s_end, const float* xc, int width,
                      float* x);

MLNR_ISA_END
#endif
