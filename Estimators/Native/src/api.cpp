// The C ABI surface: argument checks, error capture and dispatch. No C++ exception leaves this file.
#include "mlnetrnn.h"

#include <cblas.h>

#include <exception>
#include <new>
#include <stdexcept>
#include <string>

namespace {

thread_local std::string g_last_error;

struct invalid_argument : std::runtime_error {
    using std::runtime_error::runtime_error;
};
struct unsupported : std::runtime_error {
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
    } catch (const unsupported& e) {
        g_last_error = std::string(function) + ": " + e.what();
        return MLNR_ERROR_UNSUPPORTED;
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

}  // namespace

struct mlnr_context {
    int32_t num_threads;
};

extern "C" {

int32_t mlnr_abi_version(void) { return MLNR_ABI_VERSION; }

const char* mlnr_last_error(void) { return g_last_error.c_str(); }

mlnr_status mlnr_context_create(int32_t num_threads, mlnr_context** out_context) {
    return guarded(__func__, [&] {
        if (!out_context) throw invalid_argument("out_context is NULL");
        if (num_threads < 1) throw invalid_argument("num_threads must be >= 1, got " + std::to_string(num_threads));
        *out_context = new mlnr_context{num_threads};
    });
}

mlnr_status mlnr_context_destroy(mlnr_context* context) {
    return guarded(__func__, [&] { delete context; });
}

mlnr_status mlnr_context_num_threads(const mlnr_context* context, int32_t* out_threads) {
    return guarded(__func__, [&] {
        if (!context || !out_threads) throw invalid_argument("context and out_threads must not be NULL");
        *out_threads = context->num_threads;
    });
}

mlnr_status mlnr_rnn_reserve_size(const mlnr_rnn_desc*, int32_t, int32_t, int64_t*) {
    return guarded(__func__, [&] { throw unsupported("the recurrent kernel is not built yet"); });
}

mlnr_status mlnr_rnn_forward(mlnr_context*, const mlnr_rnn_desc*, int32_t, int32_t, const float*, const float*,
                             const float*, const float*, const int32_t*, const float*, const float*, const float*,
                             float*, float*, float*, float*) {
    return guarded(__func__, [&] { throw unsupported("the recurrent kernel is not built yet"); });
}

mlnr_status mlnr_rnn_backward(mlnr_context*, const mlnr_rnn_desc*, int32_t, int32_t, const float*, const float*,
                              const float*, const float*, const int32_t*, const float*, const float*, const float*,
                              const float*, const float*, const float*, const float*, float*, float*, float*,
                              float*, float*, float*, float*) {
    return guarded(__func__, [&] { throw unsupported("the recurrent kernel is not built yet"); });
}

mlnr_status mlnr_gemm(mlnr_context* context, int32_t trans_a, int32_t trans_b, int32_t m, int32_t n, int32_t k,
                      float alpha, const float* a, int32_t lda, const float* b, int32_t ldb, float beta, float* c,
                      int32_t ldc) {
    return guarded(__func__, [&] {
        if (!context) throw invalid_argument("context is NULL");
        if (m < 0 || n < 0 || k < 0) throw invalid_argument("negative GEMM size");
        if (m == 0 || n == 0) return;
        cblas_sgemm(CblasRowMajor, trans_a ? CblasTrans : CblasNoTrans, trans_b ? CblasTrans : CblasNoTrans, m, n, k,
                    alpha, a, lda, b, ldb, beta, c, ldc);
    });
}

}  // extern "C"
