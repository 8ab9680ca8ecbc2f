/*
 * mlnetrnn.h: the C ABI of the MlNetRnn native kernel.
 *
 * Recurrent layers (vanilla RNN, GRU, LSTM) with the semantics of the ONNX RNN/GRU/LSTM operators
 * (opset 14, layout 0), forward and backward through time, plus the dense GEMM the network layers use.
 *
 * Conventions
 *   - Every export returns an mlnr_status; on failure mlnr_last_error() returns a thread-local message.
 *     No C++ exception crosses this boundary.
 *   - Tensors are dense, row-major float32, time-major. Shapes use the ONNX names:
 *       T = seq_length, B = batch, I = input_size, H = hidden_size, D = num_directions (1 or 2),
 *       G = gates per cell (RNN 1, GRU 3, LSTM 4).
 *       X   [T, B, I]        W  [D, G*H, I]      R  [D, G*H, H]     Bias [D, 2*G*H] (Wb then Rb)
 *       P   [D, 3*H]         h0 [D, B, H]        c0 [D, B, H]       sequence_lens [B]
 *       Y   [T, D, B, H]     Y_h [D, B, H]       Y_c [D, B, H]
 *     Gate order is ONNX's: GRU z, r, h; LSTM i, o, f, c; peepholes P = (i, o, f).
 *   - Optional inputs and outputs are NULL when absent (zero bias, zero initial state, no peepholes,
 *     all sequences full length, output not wanted).
 *   - Ragged batches follow ONNX Runtime's sequence_lens semantics: sequence b runs for lens[b] steps
 *     (0 <= lens[b] <= T); Y is zero at t >= lens[b]; Y_h/Y_c hold the state after the last valid step;
 *     the reverse direction starts at t = lens[b]-1. A zero-length sequence outputs zeros in Y and its
 *     initial state in Y_h/Y_c.
 *   - Backward accumulates: every gradient output (dX, dW, dR, dB, dP, dh0, dc0) is added to (+=),
 *     so the caller zeroes its gradient buffer once per step. Any gradient output may be NULL.
 *   - The embedding and optimizer updates run on the context's threads and give the same bits on any number of
 *     threads (each output element is computed by one thread, with no fused multiply-add).
 *   - Code paths: the kernel is compiled for AVX-512 ("avx512"), AVX2+FMA ("avx2") and the x86-64 baseline ("scalar")
 *     and runs the best the CPU supports, or the one the environment variable MLNETRNN_KERNEL_ISA names (read when
 *     the library loads; a path the CPU cannot run fails every call that would run kernel code with
 *     MLNR_ERROR_UNSUPPORTED and says why). The GEMMs of avx512 and avx2 give the same bits; scalar's are within
 *     rounding of them (no fused multiply-add on the baseline).
 *   - Denormals: kernel code runs with FTZ and DAZ set (a value below 2^-126 in magnitude is zero), on the workers and
 *     on the calling thread for the duration of each call; the caller's MXCSR is restored before the call returns.
 *   - Checks: every size, stride, count and flag is checked (sizes and element counts against int32/int64 overflow);
 *     only mlnr_gemm gets buffer lengths (its leading dimensions make the extents independent of the shapes): every
 *     other buffer must hold the dense tensor its shape gives.
 */
#ifndef MLNETRNN_H
#define MLNETRNN_H

#include <stdint.h>

#if defined(_WIN32)
#define MLNR_API __declspec(dllexport)
#else
#define MLNR_API __attribute__((visibility("default")))
#endif

#ifdef __cplusplus
extern "C" {
#endif

/* Bumped on every change of a signature or struct below; the managed side refuses a mismatch. */
#define MLNR_ABI_VERSION 6

typedef int32_t mlnr_status;
enum {
    MLNR_OK = 0,
    MLNR_ERROR_INVALID_ARGUMENT = 1,
    MLNR_ERROR_UNSUPPORTED = 2,
    MLNR_ERROR_OUT_OF_MEMORY = 3,
    MLNR_ERROR_INTERNAL = 4,
    MLNR_ERROR_RESOURCE = 5 /* the operating system refused a resource: a worker thread */
};

/* The most threads a context runs on. */
#define MLNR_MAX_THREADS 256

enum { MLNR_CELL_RNN = 0, MLNR_CELL_GRU = 1, MLNR_CELL_LSTM = 2 };
enum { MLNR_DIRECTION_FORWARD = 0, MLNR_DIRECTION_REVERSE = 1, MLNR_DIRECTION_BIDIRECTIONAL = 2 };

/* ONNX activation functions usable as f, g, h. alpha/beta as in the ONNX operator of the same name. */
enum {
    MLNR_ACTIVATION_SIGMOID = 0,
    MLNR_ACTIVATION_TANH = 1,
    MLNR_ACTIVATION_RELU = 2,
    MLNR_ACTIVATION_HARD_SIGMOID = 3,    /* max(0, min(1, alpha*x + beta)) */
    MLNR_ACTIVATION_LEAKY_RELU = 4,      /* x >= 0 ? x : alpha*x */
    MLNR_ACTIVATION_AFFINE = 5,          /* alpha*x + beta */
    MLNR_ACTIVATION_SCALED_TANH = 6,     /* alpha*tanh(beta*x) */
    MLNR_ACTIVATION_THRESHOLDED_RELU = 7,/* x > alpha ? x : 0 */
    MLNR_ACTIVATION_ELU = 8,             /* x >= 0 ? x : alpha*(exp(x)-1) */
    MLNR_ACTIVATION_SOFTSIGN = 9,        /* x / (1 + |x|) */
    MLNR_ACTIVATION_SOFTPLUS = 10        /* log(1 + exp(x)) */
};

typedef struct mlnr_activation {
    int32_t kind;
    float alpha;
    float beta;
} mlnr_activation;

/* Describes one recurrent layer (one ONNX RNN/GRU/LSTM node). */
typedef struct mlnr_rnn_desc {
    int32_t cell;                 /* MLNR_CELL_* */
    int32_t direction;            /* MLNR_DIRECTION_* */
    int32_t input_size;           /* I */
    int32_t hidden_size;          /* H */
    int32_t linear_before_reset;  /* GRU only: 0 = reset before the recurrent matmul, 1 = after */
    int32_t input_forget;         /* LSTM only: 1 couples the gates, f = 1 - i */
    float clip;                   /* cell clip applied to gate pre-activations; <= 0 means none */
    /* activations[d*3 + k]: function k (f, g, h) of direction d. RNN uses f; GRU f, g; LSTM f, g, h. */
    mlnr_activation activations[6];
} mlnr_rnn_desc;

/* A context owns the worker threads and scratch memory. One context may be used by one thread at a time. */
typedef struct mlnr_context mlnr_context;

MLNR_API int32_t mlnr_abi_version(void);

/* The message of the last failed call on this thread ("" when none). Valid until the next call. */
MLNR_API const char* mlnr_last_error(void);

/* The process's code path: "avx512", "avx2" or "scalar" (static storage). Fails (MLNR_ERROR_UNSUPPORTED) where
   MLNETRNN_KERNEL_ISA names a path this CPU cannot run. */
MLNR_API mlnr_status mlnr_kernel_isa(const char** out_name);

/* A context on num_threads threads (1 to MLNR_MAX_THREADS: the caller's and num_threads - 1 workers), running the
   process's code path. MLNR_ERROR_RESOURCE where the system refuses a thread (nothing is left running then). */
MLNR_API mlnr_status mlnr_context_create(int32_t num_threads, mlnr_context** out_context);
MLNR_API mlnr_status mlnr_context_destroy(mlnr_context* context);
MLNR_API mlnr_status mlnr_context_num_threads(const mlnr_context* context, int32_t* out_threads);
/* The code path the context's calls run: name is "avx512", "avx2" or "scalar" (NULL or "": the process's path).
   MLNR_ERROR_UNSUPPORTED, leaving the context as it was, for a path this CPU cannot run. */
MLNR_API mlnr_status mlnr_context_set_isa(mlnr_context* context, const char* name);
MLNR_API mlnr_status mlnr_context_isa(const mlnr_context* context, const char** out_name);
/* Compact rows (sequence steps) per chunk: the input projection, weight and input gradients run as GEMMs per chunk of
   steps, right next to the chunk's recurrence, while its rows are in cache. 0 (the default) picks about 1 MiB of
   rows, at least 256. Results do not depend on it beyond float rounding of the weight-gradient sums. */
MLNR_API mlnr_status mlnr_context_set_chunk_rows(mlnr_context* context, int64_t rows);

/* Floats the training-mode forward keeps for backward ("reserve"), for this layer, T and B; INVALID_ARGUMENT where
   that or another tensor's element count overflows int64. */
MLNR_API mlnr_status mlnr_rnn_reserve_size(const mlnr_rnn_desc* desc, int32_t seq_length, int32_t batch,
                                           int64_t* out_floats);

/*
 * Forward through time. reserve == NULL runs inference mode (keeps nothing); otherwise reserve must hold
 * mlnr_rnn_reserve_size floats and is filled with what mlnr_rnn_backward needs.
 */
MLNR_API mlnr_status mlnr_rnn_forward(mlnr_context* context, const mlnr_rnn_desc* desc,
                                      int32_t seq_length, int32_t batch,
                                      const float* x, const float* w, const float* r, const float* bias,
                                      const int32_t* sequence_lens, const float* initial_h,
                                      const float* initial_c, const float* p,
                                      float* y, float* y_h, float* y_c, float* reserve);

/*
 * Inference forward from a projection table: the layer's input at step t of sequence b is token ids[t * B + b] of a
 * vocabulary of V, and table [D, V, G*H] holds every token's input projection, X W^T without bias, per direction:
 * for an embedding E [V, I], table[d] = E W[d]^T (mlnr_gemm(ctx, 0, 1, V, G*H, I, 1, E, I, ..., W + d*G*H*I, I, ...,
 * 0, table + d*V*G*H, G*H, ...) gives it with the bits this call's projection would have). Y, Y_h and Y_c are then
 * those of mlnr_rnn_forward on X = E[ids] in inference mode, with the same bits; the per-token projection (2*I*G*H
 * FLOPs) becomes a copy of G*H floats. A token id outside [0, vocabulary) at a valid step fails with INVALID_ARGUMENT
 * naming it; ids past a sequence's length are not read.
 */
MLNR_API mlnr_status mlnr_rnn_forward_table(mlnr_context* context, const mlnr_rnn_desc* desc,
                                            int32_t seq_length, int32_t batch,
                                            const float* table, int32_t vocabulary, const int32_t* ids,
                                            const float* r, const float* bias,
                                            const int32_t* sequence_lens, const float* initial_h,
                                            const float* initial_c, const float* p,
                                            float* y, float* y_h, float* y_c);

/*
 * Backward through time for the forward call that filled reserve (same desc, sizes and inputs). The reserve is
 * consumed: backward writes the gate gradients over its gate slots, so a second backward needs a new forward.
 * dy, dy_h, dy_c: gradients of the loss with respect to Y, Y_h, Y_c (NULL means zero).
 * Accumulates (+=) into dx [T,B,I], dw, dr, dbias, dp, dinitial_h, dinitial_c (each may be NULL).
 */
MLNR_API mlnr_status mlnr_rnn_backward(mlnr_context* context, const mlnr_rnn_desc* desc,
                                       int32_t seq_length, int32_t batch,
                                       const float* x, const float* w, const float* r, const float* bias,
                                       const int32_t* sequence_lens, const float* initial_h,
                                       const float* initial_c, const float* p, float* reserve,
                                       const float* dy, const float* dy_h, const float* dy_c,
                                       float* dx, float* dw, float* dr, float* dbias, float* dp,
                                       float* dinitial_h, float* dinitial_c);

/*
 * C = alpha * op(A) * op(B) + beta * C, row-major; op(A) is [M,K], op(B) is [K,N]. Runs on the context's threads.
 * trans_a, trans_b: 0 or 1. A is stored [M, K] (trans_a: [K, M]), B [K, N] (trans_b: [N, K]), C [M, N], each with
 * its leading dimension >= max(1, its stored columns) as in BLAS; a_length, b_length, c_length are the buffers'
 * lengths in floats, which must hold (rows - 1) * ld + columns where the call reads or writes them (A and B where
 * M, N, K > 0; C where M, N > 0). K = 0 gives C = beta C (0 where beta is 0, whatever C held).
 */
MLNR_API mlnr_status mlnr_gemm(mlnr_context* context, int32_t trans_a, int32_t trans_b,
                               int32_t m, int32_t n, int32_t k, float alpha,
                               const float* a, int32_t lda, int64_t a_length,
                               const float* b, int32_t ldb, int64_t b_length,
                               float beta, float* c, int32_t ldc, int64_t c_length);

/*
 * Token embedding, forward: out [T, B, E] = table [V, E] row ids [T, B] where t < sequence_lens[b], zeros elsewhere
 * (sequence_lens NULL: every step). A token id outside [0, V) at a valid step fails with INVALID_ARGUMENT naming it.
 */
MLNR_API mlnr_status mlnr_embedding_forward(mlnr_context* context, const float* table, int32_t vocabulary,
                                            int32_t size, const int32_t* ids, const int32_t* sequence_lens,
                                            int32_t seq_length, int32_t batch, float* out);

/* Token embedding, backward: dtable [V, E] row ids[t, b] += dout [t, b, :] for every valid step, in (t, b) order. */
MLNR_API mlnr_status mlnr_embedding_backward(mlnr_context* context, float* dtable, int32_t vocabulary, int32_t size,
                                             const int32_t* ids, const int32_t* sequence_lens, int32_t seq_length,
                                             int32_t batch, const float* dout);

/* One Adam step's scalars. step_size = lr / (1 - beta1^t), correction2 = 1 / sqrt(1 - beta2^t), decay = 1 - lr * wd. */
typedef struct mlnr_adam_step {
    float beta1;
    float beta2;
    float epsilon;
    float step_size;
    float correction2;
    float decay;
} mlnr_adam_step;

/* For i < count: m = b1 m + (1-b1) g; v = b2 v + (1-b2) g g; w = w decay - step_size m / (sqrt(v) correction2 + eps). */
MLNR_API mlnr_status mlnr_adam_update(mlnr_context* context, int64_t count, const mlnr_adam_step* step, float* w,
                                      const float* g, float* m, float* v);

/* For i < count: momentum 0: w = g (-lr) + w. Else v = momentum v + g; w -= lr v (nesterov: w -= lr (g + momentum v)).
   nesterov: 0 or 1. velocity may be NULL when momentum is 0. */
MLNR_API mlnr_status mlnr_sgd_update(mlnr_context* context, int64_t count, float learning_rate, float momentum,
                                     int32_t nesterov, float* w, const float* g, float* velocity);

/* x[i] = f(x[i]) for i < n on the calling thread, through the code the cells of the context's path use (the
   vectorised sigmoid/tanh); exposed so that tests can hold the fast activations to their stated error bound. */
MLNR_API mlnr_status mlnr_activation_apply(const mlnr_context* context, const mlnr_activation* f, float* x, int32_t n);

#ifdef __cplusplus
}
#endif

#endif /* MLNETRNN_H */
