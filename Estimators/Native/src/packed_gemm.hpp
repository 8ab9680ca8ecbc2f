// GEMM against a constant right-hand matrix packed once: the recurrent weights of a layer are multiplied at every
// step of a call, so packing them per step (what a BLAS does on each call) is wasted work. On AVX-512 machines
// packed_gemm runs an 8x32 register-tiled kernel over the packed panels; elsewhere it falls back to the BLAS on the
// unpacked matrix.
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

// C[M, N] = A[M, K] B + beta C (beta 0 or 1), A row-major with leading dimension lda.
void packed_gemm(int m, const float* a, int lda, const PackedMatrix& b, float beta, float* c, int ldc);

}  // namespace mlnr

struct mlnr_context;

namespace mlnr {

// packed_gemm with the rows of A and C split across the context's workers (in multiples of 8 rows).
void packed_gemm_parallel(mlnr_context& ctx, int m, const float* a, int lda, const PackedMatrix& b, float beta, float* c, int ldc);

}  // namespace mlnr
