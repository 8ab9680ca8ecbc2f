// The kernel's code paths (isa.hpp) behind one table of entry points each, and which one a context runs on
// (dispatch.cpp says how a path is chosen).
#pragma once

#include <cstdint>
#include <string>

#include "activation.hpp"
#include "elementwise.hpp"
#include "rnn.hpp"

struct mlnr_context;

namespace mlnr {

// One path's entry points: what the C ABI calls.
struct Kernels {
    const char* name;  // "avx512", "avx2" or "scalar": MLNETRNN_KERNEL_ISA's values
    void (*forward)(mlnr_context& ctx, const Layer& layer, int seq_length, int batch, const Tensors& in, float* y,
                    float* y_h, float* y_c, float* reserve);
    void (*backward)(mlnr_context& ctx, const Layer& layer, int seq_length, int batch, const Tensors& in,
                     float* reserve, const Gradients& g);
    void (*gemm)(mlnr_context& ctx, bool trans_a, bool trans_b, int m, int n, int k, float alpha, const float* a,
                 int lda, const float* b, int ldb, float beta, float* c, int ldc);
    void (*embedding_forward)(mlnr_context& ctx, const float* table, int size, const int32_t* ids,
                              const int32_t* lens, int T, int B, float* out);
    void (*embedding_backward)(mlnr_context& ctx, float* dtable, int vocabulary, int size, const int32_t* ids,
                               const int32_t* lens, int T, int B, const float* dout);
    void (*adam_update)(mlnr_context& ctx, int64_t n, const AdamStep& s, float* w, const float* g, float* m,
                        float* v);
    void (*sgd_update)(mlnr_context& ctx, int64_t n, float learning_rate, float momentum, bool nesterov, float* w,
                       const float* g, float* velocity);
    void (*activate)(const Activation& f, float* x, int n);
};

namespace avx512 {
extern const Kernels kernels;
}
namespace avx2 {
extern const Kernels kernels;
}
namespace scalar {
extern const Kernels kernels;
}

// The path `name` names ("avx512", "avx2" or "scalar"); NULL or "" for the process's path (below). Where that path
// cannot run (an unknown name, a CPU without its instructions), returns NULL and says why in *error.
const Kernels* kernels_named(const char* name, std::string* error);

// The process's path: the best the CPU runs, or the one MLNETRNN_KERNEL_ISA names (read once, when the library
// loads). NULL where MLNETRNN_KERNEL_ISA names a path that cannot run; *error then says why.
const Kernels* process_kernels(std::string* error);

}  // namespace mlnr
