// The C ABI surface: argument checks, error capture and dispatch to rnn_forward/rnn_backward/gemm/elementwise.
// No C++ exception leaves this file.
#include "mlnetrnn.h"

#include <cblas.h>

#include <exception>
#include <new>
#include <stdexcept>
#include <string>

#include "context.hpp"
#include "elementwise.hpp"
#include "gemm.hpp"
#include "rnn.hpp"

namespace {

thread_local std::string g_last_error;

struct invalid_argument : std::runtime_error {
    using std::runtime_error::runtime_error;
};

template <typename F>
mlnr_status guarded(const char* function, F&& body) {
    try {
        g_last_error.clear();
        body();
        return MLNR_OK;
    } catch (const invalid_argument& e) {
        g_last_error = std::string(function) + ": " + e.what();
        return MLNR_ERROR_INVALID_ARGUMENT;
    } catch (const std::bad_alloc&) {
        g_last_error = std::string(function) + ": out of memory";
        return MLNR_ERROR_OUT_OF_MEMORY;
    } catch (const std::exception& e) {
        g_last_error = std::string(function) + ": " + e.what();
        return MLNR_ERROR_INTERNAL;
    } catch (...) {
        g_last_error = std::string(function) + ": unknown native error";
        return MLNR_ERROR_INTERNAL;
    }
}

void check_desc(const mlnr_rnn_desc* d) {
    if (!d) throw invalid_argument("desc is NULL");
    if (d->cell < MLNR_CELL_RNN || d->cell > MLNR_CELL_LSTM)
        throw invalid_argument("desc->cell = " + std::to_string(d->cell) + " is not RNN (0), GRU (1) or LSTM (2)");
    if (d->direction < MLNR_DIRECTION_FORWARD || d->direction > MLNR_DIRECTION_BIDIRECTIONAL)
        throw invalid_argument("desc->direction = " + std::to_string(d->direction) + " is not forward (0), reverse (1) or bidirectional (2)");
    if (d->input_size <= 0) throw invalid_argument("desc->input_size must be positive, got " + std::to_string(d->input_size));
    if (d->hidden_size <= 0) throw invalid_argument("desc->hidden_size must be positive, got " + std::to_string(d->hidden_size));
    if (d->input_forget && d->cell != MLNR_CELL_LSTM) throw invalid_argument("desc->input_forget applies to LSTM only");
    if (!(d->clip >= 0.0f)) throw invalid_argument("desc->clip must be >= 0 (0 = none)");
    const int directions = d->direction == MLNR_DIRECTION_BIDIRECTIONAL ? 2 : 1;
    const int functions = d->cell == MLNR_CELL_RNN ? 1 : (d->cell == MLNR_CELL_GRU ? 2 : 3);
    for (int dir = 0; dir < directions; ++dir)
        for (int k = 0; k < functions; ++k) {
            const int kind = d->activations[dir * 3 + k].kind;
            if (kind < MLNR_ACTIVATION_SIGMOID || kind > MLNR_ACTIVATION_SOFTPLUS)
                throw invalid_argument("desc->activations[" + std::to_string(dir * 3 + k) + "].kind = " + std::to_string(kind) + " is not an MLNR_ACTIVATION_*");
        }
}

void check_call(const mlnr_rnn_desc* d, int32_t seq_length, int32_t batch, const float* x, const float* w, const float* r,
                const int32_t* lens, const float* c0, const float* p) {
    check_desc(d);
    if (seq_length < 0) throw invalid_argument("seq_length must be >= 0, got " + std::to_string(seq_length));
    if (batch < 0) throw invalid_argument("batch must be >= 0, got " + std::to_string(batch));
    if (!w || !r) throw invalid_argument("W and R are required");
    if (!x && seq_length > 0 && batch > 0) throw invalid_argument("X is required");
    if (d->cell != MLNR_CELL_LSTM && (c0 || p)) throw invalid_argument("initial_c and P are LSTM inputs");
    if (lens)
        for (int b = 0; b < batch; ++b)
            if (lens[b] < 0 || lens[b] > seq_length)
                throw invalid_argument("sequence_lens[" + std::to_string(b) + "] = " + std::to_string(lens[b]) +
                                       " is outside [0, " + std::to_string(seq_length) + "]");
}

void check_embedding(int32_t vocabulary, int32_t size, const int32_t* ids, const int32_t* lens, int32_t seq_length,
                     int32_t batch, const float* table, const float* out) {
    if (vocabulary <= 0 || size <= 0)
        throw invalid_argument("vocabulary and size must be positive, got " + std::to_string(vocabulary) + " and " + std::to_string(size));
    if (seq_length < 0 || batch < 0) throw invalid_argument("seq_length and batch must be >= 0");
    if (seq_length == 0 || batch == 0) return;
    if (!table || !ids || !out) throw invalid_argument("the table, ids and the output must not be NULL");
    for (int b = 0; lens && b < batch; ++b)
        if (lens[b] < 0 || lens[b] > seq_length)
            throw invalid_argument("sequence_lens[" + std::to_string(b) + "] = " + std::to_string(lens[b]) +
                                   " is outside [0, " + std::to_string(seq_length) + "]");
    for (int t = 0; t < seq_length; ++t)
        for (int b = 0; b < batch; ++b) {
            const int32_t id = ids[static_cast<int64_t>(t) * batch + b];
            if ((lens == nullptr || t < lens[b]) && (id < 0 || id >= vocabulary))
                throw invalid_argument("token id " + std::to_string(id) + " at step " + std::to_string(t) + " of sequence " +
                                       std::to_string(b) + " is outside the vocabulary [0, " + std::to_string(vocabulary) + ")");
        }
}

void check_update(mlnr_context* context, int64_t count, const float* w, const float* g) {
    if (!context) throw invalid_argument("context is NULL");
    if (count < 0) throw invalid_argument("count must be >= 0, got " + std::to_string(count));
    if (count > 0 && (!w || !g)) throw invalid_argument("the values and gradients must not be NULL");
}

}  // namespace

extern "C" {

int32_t mlnr_abi_version(void) { return MLNR_ABI_VERSION; }

const char* mlnr_last_error(void) { return g_last_error.c_str(); }

mlnr_status mlnr_context_create(int32_t num_threads, mlnr_context** out_context) {
    return guarded(__func__, [&] {
        if (!out_context) throw invalid_argument("out_context is NULL");
        if (num_threads < 1) throw invalid_argument("num_threads must be >= 1, got " + std::to_string(num_threads));
        // OpenBLAS runs single-threaded inside our workers; its own threads would compete with them for the cores.
        openblas_set_num_threads(1);
        *out_context = new mlnr_context(num_threads);
    });
}

mlnr_status mlnr_context_destroy(mlnr_context* context) {
    return guarded(__func__, [&] { delete context; });
}

mlnr_status mlnr_context_num_threads(const mlnr_context* context, int32_t* out_threads) {
    return guarded(__func__, [&] {
        if (!context || !out_threads) throw invalid_argument("context and out_threads must not be NULL");
        *out_threads = context->pool.size();
    });
}

mlnr_status mlnr_context_set_chunk_rows(mlnr_context* context, int64_t rows) {
    return guarded(__func__, [&] {
        if (!context) throw invalid_argument("context must not be NULL");
        if (rows < 0) throw invalid_argument("chunk rows must be 0 (automatic) or positive, got " + std::to_string(rows));
        context->chunk_rows = static_cast<long>(rows);
    });
}

mlnr_status mlnr_rnn_reserve_size(const mlnr_rnn_desc* desc, int32_t seq_length, int32_t batch, int64_t* out_floats) {
    return guarded(__func__, [&] {
        check_desc(desc);
        if (!out_floats) throw invalid_argument("out_floats is NULL");
        if (seq_length < 0 || batch < 0) throw invalid_argument("seq_length and batch must be >= 0");
        *out_floats = mlnr::reserve_floats(mlnr::describe(*desc), seq_length, batch);
    });
}

mlnr_status mlnr_rnn_forward(mlnr_context* context, const mlnr_rnn_desc* desc, int32_t seq_length, int32_t batch,
                             const float* x, const float* w, const float* r, const float* bias,
                             const int32_t* sequence_lens, const float* initial_h, const float* initial_c,
                             const float* p, float* y, float* y_h, float* y_c, float* reserve) {
    return guarded(__func__, [&] {
        if (!context) throw invalid_argument("context is NULL");
        check_call(desc, seq_length, batch, x, w, r, sequence_lens, initial_c, p);
        if (desc->cell != MLNR_CELL_LSTM && y_c) throw invalid_argument("Y_c is an LSTM output");
        const mlnr::Layer layer = mlnr::describe(*desc);
        mlnr::forward(*context, layer, seq_length, batch,
                      mlnr::Tensors{x, w, r, bias, sequence_lens, initial_h, initial_c, p}, y, y_h, y_c, reserve);
    });
}

mlnr_status mlnr_rnn_backward(mlnr_context* context, const mlnr_rnn_desc* desc, int32_t seq_length, int32_t batch,
                              const float* x, const float* w, const float* r, const float* bias,
                              const int32_t* sequence_lens, const float* initial_h, const float* initial_c,
                              const float* p, float* reserve, const float* dy, const float* dy_h,
                              const float* dy_c, float* dx, float* dw, float* dr, float* dbias, float* dp,
                              float* dinitial_h, float* dinitial_c) {
    return guarded(__func__, [&] {
        if (!context) throw invalid_argument("context is NULL");
        check_call(desc, seq_length, batch, x, w, r, sequence_lens, initial_c, p);
        if (!reserve) throw invalid_argument("reserve is NULL: backward needs the reserve filled by a training-mode forward");
        if (desc->cell != MLNR_CELL_LSTM && (dy_c || dinitial_c || dp)) throw invalid_argument("dY_c, dinitial_c and dP are LSTM gradients");
        const mlnr::Layer layer = mlnr::describe(*desc);
        mlnr::backward(*context, layer, seq_length, batch,
                       mlnr::Tensors{x, w, r, bias, sequence_lens, initial_h, initial_c, p}, reserve,
                       mlnr::Gradients{dy, dy_h, dy_c, dx, dw, dr, dbias, dp, dinitial_h, dinitial_c});
    });
}

mlnr_status mlnr_gemm(mlnr_context* context, int32_t trans_a, int32_t trans_b, int32_t m, int32_t n, int32_t k,
                      float alpha, const float* a, int32_t lda, const float* b, int32_t ldb, float beta, float* c,
                      int32_t ldc) {
    return guarded(__func__, [&] {
        if (!context) throw invalid_argument("context is NULL");
        if (m < 0 || n < 0 || k < 0) throw invalid_argument("negative GEMM size");
        if (m == 0 || n == 0) return;
        if (!c || (k > 0 && (!a || !b))) throw invalid_argument("A, B and C must not be NULL");
        mlnr::gemm_parallel(*context, trans_a != 0, trans_b != 0, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc);
    });
}

mlnr_status mlnr_embedding_forward(mlnr_context* context, const float* table, int32_t vocabulary, int32_t size,
                                   const int32_t* ids, const int32_t* sequence_lens, int32_t seq_length, int32_t batch,
                                   float* out) {
    return guarded(__func__, [&] {
        if (!context) throw invalid_argument("context is NULL");
        check_embedding(vocabulary, size, ids, sequence_lens, seq_length, batch, table, out);
        if (seq_length > 0 && batch > 0)
            mlnr::embedding_forward(*context, table, size, ids, sequence_lens, seq_length, batch, out);
    });
}

mlnr_status mlnr_embedding_backward(mlnr_context* context, float* dtable, int32_t vocabulary, int32_t size,
                                    const int32_t* ids, const int32_t* sequence_lens, int32_t seq_length, int32_t batch,
                                    const float* dout) {
    return guarded(__func__, [&] {
        if (!context) throw invalid_argument("context is NULL");
        check_embedding(vocabulary, size, ids, sequence_lens, seq_length, batch, dtable, dout);
        if (seq_length > 0 && batch > 0)
            mlnr::embedding_backward(*context, dtable, vocabulary, size, ids, sequence_lens, seq_length, batch, dout);
    });
}

mlnr_status mlnr_adam_update(mlnr_context* context, int64_t count, const mlnr_adam_step* step, float* w, const float* g,
                             float* m, float* v) {
    return guarded(__func__, [&] {
        check_update(context, count, w, g);
        if (!step) throw invalid_argument("step is NULL");
        if (count > 0 && (!m || !v)) throw invalid_argument("the moments m and v must not be NULL");
        mlnr::adam_update(*context, count,
                          mlnr::AdamStep{step->beta1, step->beta2, step->epsilon, step->step_size, step->correction2, step->decay},
                          w, g, m, v);
    });
}

mlnr_status mlnr_sgd_update(mlnr_context* context, int64_t count, float learning_rate, float momentum, int32_t nesterov,
                            float* w, const float* g, float* velocity) {
    return guarded(__func__, [&] {
        check_update(context, count, w, g);
        if (momentum != 0.0f && count > 0 && !velocity) throw invalid_argument("momentum needs the velocity buffer");
        mlnr::sgd_update(*context, count, learning_rate, momentum, nesterov != 0, w, g, velocity);
    });
}

mlnr_status mlnr_activation_apply(const mlnr_activation* f, float* x, int32_t n) {
    return guarded(__func__, [&] {
        if (!f) throw invalid_argument("activation is NULL");
        if (n < 0) throw invalid_argument("negative length");
        if (n > 0 && !x) throw invalid_argument("x is NULL");
        if (f->kind < MLNR_ACTIVATION_SIGMOID || f->kind > MLNR_ACTIVATION_SOFTPLUS) throw invalid_argument("unknown activation kind");
        mlnr::activate(mlnr::Activation{f->kind, f->alpha, f->beta}, x, n);
    });
}

}  // extern "C"
