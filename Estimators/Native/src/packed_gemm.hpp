// GEMM through the kernel's own AVX-512 micro-kernel (8x32 register tiles over panels of 32 columns of B). Against a
// constant right-hand matrix packed once: the recurrent weights of a layer are multiplied at every step of a call, so
// packing them per step (what a BLAS does on each call) is wasted work. packed_gemm_general takes any GEMM (the input
// projection, the weight gradients, the head's) and packs B itself. Where AVX-512 is missing, all of them fall back to
// the BLAS: the kernel's speed then does not hang on which micro-kernels the BLAS picked for the CPU (Debian's
// OpenBLAS 0.3.21 runs its AVX2 kernels on AMD Zen 5, at half the AVX-512 rate).
#pragma once

#include <vector>

namespace mlnr {

// B [K, N] stored as panels of 32 columns: panel p holds rows k = 0..K-1 of columns 32p..32p+31, zero-padded.
struct PackedMatrix {
    int k = 0;
    int n = 0;
    const float* source = nullptr;  // the unpacked B (for the fallback)
    int source_ld = 0;
    bool source_transposed = false;  // B = source^T
    std::vector<float> storage;  // holds the panels
    float* panels = nullptr;     // 64-byte aligned, inside storage
};

// Packs B = op(source) where source is [K, N] (or [N, K] when transposed) with leading dimension ld.
void pack(PackedMatrix& out, const float* source, int ld, int k, int n, bool transposed);

// The same in parts, so that the workers of a call can pack one matrix together: pack_layout records B and sizes the
// storage (it may allocate: call it before the workers start); pack_panels fills panels [first, last) and
// pack_share worker w's share of them (neither allocates; both do nothing where the packed kernel does not run).
void pack_layout(PackedMatrix& out, const float* source, int ld, int k, int n, bool transposed);
int panel_count(const PackedMatrix& out);
void pack_panels(const PackedMatrix& out, int first, int last);
void pack_share(const PackedMatrix& out, int worker, int workers);

// C[M, N] = A[M, K] B + beta C, A row-major with leading dimension lda.
void packed_gemm(int m, const float* a, int lda, const PackedMatrix& b, float beta, float* c, int ldc);

}  // namespace mlnr

struct mlnr_context;

namespace mlnr {

// C[M, N] = alpha op(A) op(B) + beta C (BLAS semantics, row-major) on the context's workers: B packed per call, by
// panels of 32 columns that the workers take dynamically, each packing its own. Each element of C is summed by one
// thread in the order of k, so the result has the same bits for any thread count. Returns false, touching nothing,
// where the packed kernel does not run (no AVX-512, or k = 0): the caller then uses the BLAS.
bool packed_gemm_general(mlnr_context& ctx, bool trans_a, bool trans_b, int m, int n, int k, float alpha,
                         const float* a, int lda, const float* b, int ldb, float beta, float* c, int ldc);

// The same product on one worker only (the calling thread, which is worker `worker` of the context's pool): B is
// packed into that worker's own panel buffer. Falls back to the BLAS (single-threaded) where the packed kernel
// does not run.
void gemm_on_worker(mlnr_context& ctx, int worker, bool trans_a, bool trans_b, int m, int n, int k, float alpha,
                    const float* a, int lda, const float* b, int ldb, float beta, float* c, int ldc);

}  // namespace mlnr
