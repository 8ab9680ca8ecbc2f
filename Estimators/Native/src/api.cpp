// The C ABI surface: argument checks, error capture, the denormal mode (denormals.hpp) and dispatch to the context's
// code path (dispatch.hpp). No C++ exception leaves this file.
//
// The checks: every size, stride and count against what the kernel computes with (ints for a layer's row widths and
// GEMM sizes, int64 for element counts, both checked for overflow), every pointer against NULL, and where the ABI
// passes a buffer's length (mlnr_gemm, whose leading dimensions make its buffers' extents independent of the shapes),
// the extent a call would read or write against it. Every other buffer is a dense tensor whose extent the shapes give;
// the caller owns matching its length (the managed binding checks it before every call). A failed check names the
// argument, what it must be and what it was.
#include "mlnetrnn.h"

#include <cstdint>
#include <cstdio>
#include <exception>
#include <initializer_list>
#include <new>
#include <stdexcept>
#include <string>

#include "context.hpp"
#include "denormals.hpp"
#include "dispatch.hpp"
#include "rnn.hpp"

namespace {

// The message of the last failed call on this thread; a fixed buffer takes it where the string cannot be allocated.
thread_local std::string g_last_error;
thread_local char g_fallback_error[256];
thread_local const char* g_error_text = "";

void set_error(const char* function, const char* what) noexcept {
    try {
        g_last_error = std::string(function) + ": " + what;
        g_error_text = g_last_error.c_str();
    } catch (...) {
        std::snprintf(g_fallback_error, sizeof(g_fallback_error), "%s: %s", function, what);
        g_error_text = g_fallback_error;
    }
}

struct invalid_argument : std::runtime_error {
    using std::runtime_error::runtime_error;
};

struct unsupported : std::runtime_error {
    using std::runtime_error::runtime_error;
};

template <typename F>
mlnr_status guarded(const char* function, F&& body) noexcept {
    // Kernel code runs with FTZ and DAZ; the caller's MXCSR comes back as it was when this returns.
    const mlnr::FlushDenormals flush;
    g_error_text = "";
    try {
        body();
        return MLNR_OK;
    } catch (const invalid_argument& e) {
        set_error(function, e.what());
        return MLNR_ERROR_INVALID_ARGUMENT;
    } catch (const unsupported& e) {
        set_error(function, e.what());
        return MLNR_ERROR_UNSUPPORTED;
    } catch (const mlnr::ThreadStartFailure& e) {
        set_error(function, e.what());
        return MLNR_ERROR_RESOURCE;
    } catch (const std::bad_alloc&) {
        set_error(function, "out of memory");
        return MLNR_ERROR_OUT_OF_MEMORY;
    } catch (const std::exception& e) {
        set_error(function, e.what());
        return MLNR_ERROR_INTERNAL;
    } catch (...) {
        set_error(function, "unknown native error");
        return MLNR_ERROR_INTERNAL;
    }
}

std::string str(int64_t v) { return std::to_string(v); }

// a * b * ... as int64; an error naming `what` (e.g. "X [T, B, I]") where the product overflows.
int64_t product(std::initializer_list<int64_t> factors, const char* what) {
    int64_t n = 1;
    bool overflow = false;
    for (int64_t f : factors) overflow = overflow || __builtin_mul_overflow(n, f, &n);
    if (!overflow) return n;
    std::string shown;
    for (int64_t f : factors) shown += (shown.empty() ? "" : " * ") + str(f);
    throw invalid_argument(std::string("the element count of ") + what + ", " + shown + ", overflows int64");
}

void check_nonnegative(int64_t value, const char* name) {
    if (value < 0) throw invalid_argument(std::string(name) + " must be >= 0, got " + str(value));
}

void check_positive(int64_t value, const char* name) {
    if (value < 1) throw invalid_argument(std::string(name) + " must be >= 1, got " + str(value));
}

mlnr_context& context_of(mlnr_context* context) {
    if (!context) throw invalid_argument("context is NULL");
    return *context;
}

const mlnr::Kernels& path_named(const char* name) {
    std::string error;
    const mlnr::Kernels* kernels = mlnr::kernels_named(name, &error);
    if (!kernels) throw unsupported(error);
    return *kernels;
}

void check_desc(const mlnr_rnn_desc* d) {
    if (!d) throw invalid_argument("desc is NULL");
    if (d->cell < MLNR_CELL_RNN || d->cell > MLNR_CELL_LSTM)
        throw invalid_argument("desc->cell = " + str(d->cell) + " is not RNN (0), GRU (1) or LSTM (2)");
    if (d->direction < MLNR_DIRECTION_FORWARD || d->direction > MLNR_DIRECTION_BIDIRECTIONAL)
        throw invalid_argument("desc->direction = " + str(d->direction) + " is not forward (0), reverse (1) or bidirectional (2)");
    if (d->input_size <= 0) throw invalid_argument("desc->input_size must be positive, got " + str(d->input_size));
    if (d->hidden_size <= 0) throw invalid_argument("desc->hidden_size must be positive, got " + str(d->hidden_size));
    if (d->input_forget && d->cell != MLNR_CELL_LSTM) throw invalid_argument("desc->input_forget applies to LSTM only");
    if (!(d->clip >= 0.0f)) throw invalid_argument("desc->clip must be >= 0 (0 = none), got " + std::to_string(d->clip));
    const int directions = d->direction == MLNR_DIRECTION_BIDIRECTIONAL ? 2 : 1;
    const int functions = d->cell == MLNR_CELL_RNN ? 1 : (d->cell == MLNR_CELL_GRU ? 2 : 3);
    for (int dir = 0; dir < directions; ++dir)
        for (int k = 0; k < functions; ++k) {
            const int kind = d->activations[dir * 3 + k].kind;
            if (kind < MLNR_ACTIVATION_SIGMOID || kind > MLNR_ACTIVATION_SOFTPLUS)
                throw invalid_argument("desc->activations[" + str(dir * 3 + k) + "].kind = " + str(kind) + " is not an MLNR_ACTIVATION_*");
        }
    // The kernel holds a gate row (G*H), a bias row (2*G*H) and a reserve row in ints.
    const mlnr::Layer layer = mlnr::describe(*d);
    const int64_t bias_row = 2LL * layer.gates * layer.hidden;
    if (bias_row > INT32_MAX || layer.stride() > INT32_MAX)
        throw invalid_argument("desc->hidden_size = " + str(d->hidden_size) + " is too large: a bias row (2*G*H = " +
                               str(bias_row) + ") and a reserve row (" + str(layer.stride()) +
                               " floats) must fit in int32 (" + str(INT32_MAX) + ")");
}

// The element counts of the call's tensors fit in int64 (the kernel indexes them so), the reserve's included.
void check_extents(const mlnr_rnn_desc* d, int32_t seq_length, int32_t batch) {
    const mlnr::Layer L = mlnr::describe(*d);
    const int64_t gh = static_cast<int64_t>(L.gates) * L.hidden;
    product({L.directions, gh, L.input}, "W [D, G*H, I]");
    product({L.directions, gh, L.hidden}, "R [D, G*H, H]");
    product({seq_length, batch, L.input}, "X [T, B, I]");
    product({seq_length, L.directions, batch, L.hidden}, "Y [T, D, B, H]");
    int64_t reserve = 0;
    if (!mlnr::reserve_floats(L, seq_length, batch, &reserve))
        throw invalid_argument("the reserve's size, D * T * B * " + str(L.stride()) + " floats for D = " +
                               str(L.directions) + ", T = " + str(seq_length) + ", B = " + str(batch) +
                               ", overflows int64");
}

// sequence_lens [B] (NULL: all full length) within [0, T].
void check_lens(const int32_t* lens, int32_t seq_length, int32_t batch) {
    for (int b = 0; lens && b < batch; ++b)
        if (lens[b] < 0 || lens[b] > seq_length)
            throw invalid_argument("sequence_lens[" + str(b) + "] = " + str(lens[b]) + " is outside [0, " +
                                   str(seq_length) + "]");
}

// What every recurrent call checks, whatever its input: the desc, the sizes, R, the LSTM-only inputs, the lengths.
void check_layer(const mlnr_rnn_desc* d, int32_t seq_length, int32_t batch, const float* r, const int32_t* lens,
                 const float* c0, const float* p) {
    check_desc(d);
    check_nonnegative(seq_length, "seq_length");
    check_nonnegative(batch, "batch");
    check_extents(d, seq_length, batch);
    if (!r) throw invalid_argument("R is required, got NULL");
    if (d->cell != MLNR_CELL_LSTM && (c0 || p)) throw invalid_argument("initial_c and P are LSTM inputs");
    check_lens(lens, seq_length, batch);
}

// A call on X and W (forward, backward).
void check_call(const mlnr_rnn_desc* d, int32_t seq_length, int32_t batch, const float* x, const float* w, const float* r,
                const int32_t* lens, const float* c0, const float* p) {
    check_layer(d, seq_length, batch, r, lens, c0, p);
    if (!w) throw invalid_argument("W is required, got NULL");
    if (!x && seq_length > 0 && batch > 0) throw invalid_argument("X is required, got NULL");
}

// A row-major matrix [rows, cols] at leading dimension ld in a buffer of `length` floats: ld >= max(1, cols) as BLAS
// requires, and where the call reads or writes it (rows, cols > 0) its extent (rows - 1) * ld + cols within length.
void check_matrix(const char* name, const char* ld_name, int64_t rows, int64_t cols, int64_t ld, const float* data,
                  int64_t length, bool used) {
    const int64_t least = cols > 1 ? cols : 1;
    if (ld < least)
        throw invalid_argument(std::string(ld_name) + " must be >= max(1, " + str(cols) + ") = " + str(least) + " for " +
                               name + " stored [" + str(rows) + ", " + str(cols) + "], got " + str(ld));
    check_nonnegative(length, (std::string(name) + "_length").c_str());
    if (!used || rows == 0 || cols == 0) return;
    if (!data) throw invalid_argument(std::string(name) + " is NULL");
    const int64_t extent = (rows - 1) * ld + cols;
    if (length < extent)
        throw invalid_argument(std::string(name) + " stored [" + str(rows) + ", " + str(cols) + "] at " + ld_name + " = " +
                               str(ld) + " spans " + str(extent) + " floats, but " + name + "_length is " + str(length));
}

// Token ids [T, B]: the lengths within [0, T], and every id at a valid step (t < lens[b]) within [0, vocabulary).
void check_ids(const int32_t* ids, const int32_t* lens, int32_t seq_length, int32_t batch, int32_t vocabulary) {
    check_lens(lens, seq_length, batch);
    for (int t = 0; t < seq_length; ++t)
        for (int b = 0; b < batch; ++b) {
            const int32_t id = ids[static_cast<int64_t>(t) * batch + b];
            if ((lens == nullptr || t < lens[b]) && (id < 0 || id >= vocabulary))
                throw invalid_argument("token id " + str(id) + " at step " + str(t) + " of sequence " + str(b) +
                                       " is outside the vocabulary [0, " + str(vocabulary) + ")");
        }
}

void check_embedding(int32_t vocabulary, int32_t size, const int32_t* ids, const int32_t* lens, int32_t seq_length,
                     int32_t batch, const float* table, const float* out) {
    check_positive(vocabulary, "vocabulary");
    check_positive(size, "size");
    check_nonnegative(seq_length, "seq_length");
    check_nonnegative(batch, "batch");
    product({vocabulary, size}, "the table [V, E]");
    product({seq_length, batch, size}, "the rows [T, B, E]");
    if (seq_length == 0 || batch == 0) return;
    if (!table || !ids || !out) throw invalid_argument("the table, ids and the output must not be NULL");
    check_ids(ids, lens, seq_length, batch, vocabulary);
}

void check_update(int64_t count, const float* w, const float* g) {
    check_nonnegative(count, "count");
    if (count > 0 && (!w || !g)) throw invalid_argument("the values and gradients must not be NULL");
}

void check_flag(int32_t value, const char* name) {
    if (value != 0 && value != 1) throw invalid_argument(std::string(name) + " must be 0 or 1, got " + str(value));
}

}  // namespace

extern "C" {

int32_t mlnr_abi_version(void) { return MLNR_ABI_VERSION; }

const char* mlnr_last_error(void) { return g_error_text; }

mlnr_status mlnr_kernel_isa(const char** out_name) {
    return guarded(__func__, [&] {
        if (!out_name) throw invalid_argument("out_name is NULL");
        *out_name = path_named(nullptr).name;
    });
}

mlnr_status mlnr_context_create(int32_t num_threads, mlnr_context** out_context) {
    return guarded(__func__, [&] {
        if (!out_context) throw invalid_argument("out_context is NULL");
        *out_context = nullptr;
        if (num_threads < 1 || num_threads > MLNR_MAX_THREADS)
            throw invalid_argument("num_threads must be in [1, " + str(MLNR_MAX_THREADS) + "] (MLNR_MAX_THREADS), got " +
                                   str(num_threads));
        const mlnr::Kernels& path = path_named(nullptr);
        *out_context = new mlnr_context(num_threads, &path);
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

mlnr_status mlnr_context_set_isa(mlnr_context* context, const char* name) {
    return guarded(__func__, [&] { context_of(context).kernels = &path_named(name); });
}

mlnr_status mlnr_context_isa(const mlnr_context* context, const char** out_name) {
    return guarded(__func__, [&] {
        if (!context || !out_name) throw invalid_argument("context and out_name must not be NULL");
        *out_name = context->kernels->name;
    });
}

mlnr_status mlnr_context_set_chunk_rows(mlnr_context* context, int64_t rows) {
    return guarded(__func__, [&] {
        mlnr_context& ctx = context_of(context);
        if (rows < 0) throw invalid_argument("chunk rows must be 0 (automatic) or positive, got " + str(rows));
        ctx.chunk_rows = static_cast<long>(rows);
    });
}

mlnr_status mlnr_rnn_reserve_size(const mlnr_rnn_desc* desc, int32_t seq_length, int32_t batch, int64_t* out_floats) {
    return guarded(__func__, [&] {
        check_desc(desc);
        if (!out_floats) throw invalid_argument("out_floats is NULL");
        check_nonnegative(seq_length, "seq_length");
        check_nonnegative(batch, "batch");
        check_extents(desc, seq_length, batch);
        mlnr::reserve_floats(mlnr::describe(*desc), seq_length, batch, out_floats);
    });
}

mlnr_status mlnr_rnn_forward(mlnr_context* context, const mlnr_rnn_desc* desc, int32_t seq_length, int32_t batch,
                             const float* x, const float* w, const float* r, const float* bias,
                             const int32_t* sequence_lens, const float* initial_h, const float* initial_c,
                             const float* p, float* y, float* y_h, float* y_c, float* reserve) {
    return guarded(__func__, [&] {
        mlnr_context& ctx = context_of(context);
        check_call(desc, seq_length, batch, x, w, r, sequence_lens, initial_c, p);
        if (desc->cell != MLNR_CELL_LSTM && y_c) throw invalid_argument("Y_c is an LSTM output");
        ctx.kernels->forward(ctx, mlnr::describe(*desc), seq_length, batch,
                             mlnr::Tensors{x, w, r, bias, sequence_lens, initial_h, initial_c, p}, y, y_h, y_c, reserve);
    });
}

mlnr_status mlnr_rnn_forward_table(mlnr_context* context, const mlnr_rnn_desc* desc, int32_t seq_length,
                                   int32_t batch, const float* table, int32_t vocabulary, const int32_t* ids,
                                   const float* r, const float* bias, const int32_t* sequence_lens,
                                   const float* initial_h, const float* initial_c, const float* p, float* y,
                                   float* y_h, float* y_c) {
    return guarded(__func__, [&] {
        mlnr_context& ctx = context_of(context);
        check_layer(desc, seq_length, batch, r, sequence_lens, initial_c, p);
        if (desc->cell != MLNR_CELL_LSTM && y_c) throw invalid_argument("Y_c is an LSTM output");
        check_positive(vocabulary, "vocabulary");
        const mlnr::Layer L = mlnr::describe(*desc);
        product({L.directions, vocabulary, static_cast<int64_t>(L.gates) * L.hidden}, "the table [D, V, G*H]");
        if (seq_length > 0 && batch > 0) {
            if (!table || !ids) throw invalid_argument("the table and the ids must not be NULL");
            check_ids(ids, sequence_lens, seq_length, batch, vocabulary);
        }
        mlnr::Tensors in{nullptr, nullptr, r, bias, sequence_lens, initial_h, initial_c, p};
        in.table = table;
        in.ids = ids;
        in.vocabulary = vocabulary;
        ctx.kernels->forward(ctx, L, seq_length, batch, in, y, y_h, y_c, nullptr);
    });
}

mlnr_status mlnr_rnn_backward(mlnr_context* context, const mlnr_rnn_desc* desc, int32_t seq_length, int32_t batch,
                              const float* x, const float* w, const float* r, const float* bias,
                              const int32_t* sequence_lens, const float* initial_h, const float* initial_c,
                              const float* p, float* reserve, const float* dy, const float* dy_h,
                              const float* dy_c, float* dx, float* dw, float* dr, float* dbias, float* dp,
                              float* dinitial_h, float* dinitial_c) {
    return guarded(__func__, [&] {
        mlnr_context& ctx = context_of(context);
        check_call(desc, seq_length, batch, x, w, r, sequence_lens, initial_c, p);
        if (!reserve) throw invalid_argument("reserve is NULL: backward needs the reserve filled by a training-mode forward");
        if (desc->cell != MLNR_CELL_LSTM && (dy_c || dinitial_c || dp)) throw invalid_argument("dY_c, dinitial_c and dP are LSTM gradients");
        ctx.kernels->backward(ctx, mlnr::describe(*desc), seq_length, batch,
                              mlnr::Tensors{x, w, r, bias, sequence_lens, initial_h, initial_c, p}, reserve,
                              mlnr::Gradients{dy, dy_h, dy_c, dx, dw, dr, dbias, dp, dinitial_h, dinitial_c});
    });
}

mlnr_status mlnr_gemm(mlnr_context* context, int32_t trans_a, int32_t trans_b, int32_t m, int32_t n, int32_t k,
                      float alpha, const float* a, int32_t lda, int64_t a_length, const float* b, int32_t ldb,
                      int64_t b_length, float beta, float* c, int32_t ldc, int64_t c_length) {
    return guarded(__func__, [&] {
        mlnr_context& ctx = context_of(context);
        check_flag(trans_a, "trans_a");
        check_flag(trans_b, "trans_b");
        check_nonnegative(m, "m");
        check_nonnegative(n, "n");
        check_nonnegative(k, "k");
        // A and B are read only where the product has terms; C wherever it has elements.
        const bool terms = m > 0 && n > 0 && k > 0;
        check_matrix("a", "lda", trans_a ? k : m, trans_a ? m : k, lda, a, a_length, terms);
        check_matrix("b", "ldb", trans_b ? n : k, trans_b ? k : n, ldb, b, b_length, terms);
        check_matrix("c", "ldc", m, n, ldc, c, c_length, true);
        ctx.kernels->gemm(ctx, trans_a != 0, trans_b != 0, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc);
    });
}

mlnr_status mlnr_embedding_forward(mlnr_context* context, const float* table, int32_t vocabulary, int32_t size,
                                   const int32_t* ids, const int32_t* sequence_lens, int32_t seq_length, int32_t batch,
                                   float* out) {
    return guarded(__func__, [&] {
        mlnr_context& ctx = context_of(context);
        check_embedding(vocabulary, size, ids, sequence_lens, seq_length, batch, table, out);
        if (seq_length > 0 && batch > 0)
            ctx.kernels->embedding_forward(ctx, table, size, ids, sequence_lens, seq_length, batch, out);
    });
}

mlnr_status mlnr_embedding_backward(mlnr_context* context, float* dtable, int32_t vocabulary, int32_t size,
                                    const int32_t* ids, const int32_t* sequence_lens, int32_t seq_length, int32_t batch,
                                    const float* dout) {
    return guarded(__func__, [&] {
        mlnr_context& ctx = context_of(context);
        check_embedding(vocabulary, size, ids, sequence_lens, seq_length, batch, dtable, dout);
        if (seq_length > 0 && batch > 0)
            ctx.kernels->embedding_backward(ctx, dtable, vocabulary, size, ids, sequence_lens, seq_length, batch, dout);
    });
}

mlnr_status mlnr_adam_update(mlnr_context* context, int64_t count, const mlnr_adam_step* step, float* w, const float* g,
                             float* m, float* v) {
    return guarded(__func__, [&] {
        mlnr_context& ctx = context_of(context);
        check_update(count, w, g);
        if (!step) throw invalid_argument("step is NULL");
        if (count > 0 && (!m || !v)) throw invalid_argument("the moments m and v must not be NULL");
        ctx.kernels->adam_update(
            ctx, count,
            mlnr::AdamStep{step->beta1, step->beta2, step->epsilon, step->step_size, step->correction2, step->decay}, w,
            g, m, v);
    });
}

mlnr_status mlnr_sgd_update(mlnr_context* context, int64_t count, float learning_rate, float momentum, int32_t nesterov,
                            float* w, const float* g, float* velocity) {
    return guarded(__func__, [&] {
        mlnr_context& ctx = context_of(context);
        check_update(count, w, g);
        check_flag(nesterov, "nesterov");
        if (momentum != 0.0f && count > 0 && !velocity) throw invalid_argument("momentum needs the velocity buffer");
        ctx.kernels->sgd_update(ctx, count, learning_rate, momentum, nesterov != 0, w, g, velocity);
    });
}

mlnr_status mlnr_activation_apply(const mlnr_context* context, const mlnr_activation* f, float* x, int32_t n) {
    return guarded(__func__, [&] {
        if (!context) throw invalid_argument("context is NULL");
        if (!f) throw invalid_argument("activation is NULL");
        check_nonnegative(n, "n");
        if (n > 0 && !x) throw invalid_argument("x is NULL");
        if (f->kind < MLNR_ACTIVATION_SIGMOID || f->kind > MLNR_ACTIVATION_SOFTPLUS)
            throw invalid_argument("unknown activation kind " + str(f->kind) + ": expected an MLNR_ACTIVATION_* (0 to " +
                                   str(MLNR_ACTIVATION_SOFTPLUS) + ")");
        context->kernels->activate(mlnr::Activation{f->kind, f->alpha, f->beta}, x, n);
    });
}

}  // extern "C"
