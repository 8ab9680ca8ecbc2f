// Recurrent layers forward and backward through time (ONNX RNN/GRU/LSTM semantics, layout 0).
//
// How a call is organised:
//   - Sequences are sorted by length, longest first ("sorted rows"). At processing step s the sequences still
//     running are then a prefix of the sorted rows, so steps past a sequence's end cost nothing.
//   - Everything per step is stored "compact": row (s, i) lives at offset[s] + i, so a ragged batch stores and
//     multiplies only its real steps. The input projection X W^T is one GEMM over the compact rows of a chunk of
//     steps (about 1 MiB of rows), run just before the chunk's steps, and so are the weight and input gradients
//     just after them in backward: the big GEMMs read and write rows that are still in cache.
//   - The sorted rows form groups round-robin (group g of NG: rows g, g+NG, ...), so each group has an equal share
//     of long and short sequences. A group runs its rows through the steps of a chunk with no barrier between steps:
//     the recurrence of one sequence never reads another's. Each step is one small GEMM per group (its running rows
//     times R^T) and fused element-wise gate code. With one thread there is one group; with W threads 1-2 groups per
//     thread (at least 16 rows each, so the GEMM stays efficient), which the threads take dynamically chunk by chunk:
//     a thread the host slows down runs fewer groups instead of holding the others at the join. A group's state (h,
//     c; dh, dc, dP) lives in the group's own scratch, the per-step temporaries in the running thread's, so the
//     result does not depend on which thread runs which group.
//   - The reserve (training forward) keeps per compact row: gate outputs [G*H], an extra [H] (GRU lbr=1: Rh h + Rbh;
//     LSTM: h(c')), the previous h [H], and [H] of the previous c (LSTM) or r*h (GRU lbr=0); see Layer::stride.
//     With a cell clip, a row also keeps one bit per gate pre-activation that the clip saturated (its gradient is
//     then zero). The gate slots double as scratch: forward writes X W^T there and turns it into the gates in place; backward
//     overwrites them with the gate gradients dG, so no [rows, G*H] scratch exists in training.
#pragma once

#include <vector>

#include "activation.hpp"
#include "context.hpp"
#include "mlnetrnn.h"

namespace mlnr {

struct Plan {
    int seq_length = 0;
    int batch = 0;
    int workers = 1;             // threads the call runs on
    int groups = 1;              // row groups (see above): the unit of work a thread takes
    int max_length = 0;
    long total = 0;              // real steps: the sum of the lengths
    std::vector<int> order;      // sorted row -> batch index
    std::vector<int> length;     // sorted row -> length
    std::vector<int> active;     // step s -> sorted rows still running (length > s)
    std::vector<long> offset;    // step s -> compact row of (s, 0); offset[max_length] = total

    long row(int s, int i) const { return offset[s] + i; }
    int time(int s, int i, bool reverse) const { return reverse ? length[i] - 1 - s : s; }
    // Group g's sorted rows are g, g + groups, ...; this is how many of them run at step s.
    int running(int g, int s) const {
        const int a = active[s];
        return a > g ? (a - g + groups - 1) / groups : 0;
    }
    int rows_of(int g) const { return batch > g ? (batch - g + groups - 1) / groups : 0; }
};

Plan make_plan(int seq_length, int batch, const int32_t* sequence_lens, int threads);

// Step boundaries 0 = b[0] < b[1] < ... < b[n] = max_length ({0, 0} when there are no steps): runs of steps whose
// compact rows take about 1 MiB at row_bytes each (at least 256 rows, so the GEMMs over a chunk stay efficient). A
// chunk's big GEMMs run right after its steps, while what the steps read and wrote is still in cache. chunk_rows > 0
// sets the rows per chunk instead (mlnr_context_set_chunk_rows: tuning, and tests of many small chunks).
std::vector<int> chunk_steps(const Plan& plan, long row_bytes, long chunk_rows);

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

long reserve_floats(const Layer& layer, int seq_length, int batch);

struct Tensors {
    const float *x, *w, *r, *bias;
    const int32_t* lens;
    const float *h0, *c0, *p;
};

void forward(mlnr_context& ctx, const Layer& layer, int seq_length, int batch, const Tensors& in, float* y,
             float* y_h, float* y_c, float* reserve);

struct Gradients {
    const float *dy, *dy_h, *dy_c;
    float *dx, *dw, *dr, *dbias, *dp, *dh0, *dc0;
};

void backward(mlnr_context& ctx, const Layer& layer, int seq_length, int batch, const Tensors& in,
              float* reserve, const Gradients& g);  // consumes the reserve: dG overwrites its gate slots

// Xc[row(s, i)] = X[time(s, i), order[i]] for every real step, on the context's workers.
void gather_inputs(mlnr_context& ctx, const Plan& plan, bool reverse, const float* x, int width, float* xc);

}  // namespace mlnr
