// The scalar path's GEMM micro-kernel (packed_gemm.cpp runs it over the panels): plain C++, which the compiler
// vectorises for the baseline's SSE2 across the panel's 32 columns.
//
// Multiply and add round separately here (compiled with -ffp-contract=off: no compiler may fuse them either), where
// the avx512 and avx2 tiles fuse them. The baseline has no FMA instruction: std::fma is then glibc's software fmaf,
// which measured 0.07 GFLOP/s on this kernel's panels against 15 GFLOP/s for the separate multiply and add (an exact
// fused multiply-add emulated in double precision: 1 GFLOP/s). So the scalar path's sums are other roundings of the
// same terms, in the same order: within the dot product's forward error bound of the avx512 and avx2 paths' bits.
#pragma once

#include "isa.hpp"

#if defined(MLNR_ISA_SCALAR)
#include "packed_gemm.hpp"

MLNR_ISA_BEGIN

// C rows [0, R) x the columns of one panel: acc += A[r, k] * panel[k, 0..31] over all k, then C = alpha acc + beta C
// for the first `cols` columns. A is [M, K] (element (r, p) at a[r * lda + p]) or, with TransA, stored as [K, M]
// (at a[p * lda + r]). `resume`: as the avx512 tile's.
template <int R, int P, bool TransA>
void tile(const float* a, int lda, const float* panel, long panel_stride, int k, float alpha, float beta, float* c,
          int ldc, int cols, bool resume) {
    static_assert(P == 1, "the scalar tile takes one panel");
    (void)panel_stride;
    float acc[R][kPanel] = {};
    for (int r = 0; resume && r < R; ++r)
        for (int j = 0; j < cols && j < kPanel; ++j) acc[r][j] = c[static_cast<long>(r) * ldc + j];
    for (int p = 0; p < k; ++p) {
        const float* b = panel + static_cast<long>(p) * kPanel;
        for (int r = 0; r < R; ++r) {
            const float av = TransA ? a[static_cast<long>(p) * lda + r] : a[static_cast<long>(r) * lda + p];
            for (int j = 0; j < kPanel; ++j) acc[r][j] = acc[r][j] + av * b[j];
        }
    }
    for (int r = 0; r < R; ++r) {
        float* out = c + static_cast<long>(r) * ldc;
        for (int j = 0; j < cols && j < kPanel; ++j) {
            float v = acc[r][j];
            if (alpha != 1.0f) v = v * alpha;
            if (beta == 1.0f) v = v + out[j];
            else if (beta != 0.0f) v = beta * out[j] + v;
            out[j] = v;
        }
    }
}

constexpr int kTileRows = 1;
constexpr int kMaxPanels = 1;
constexpr int kPanelsFor[kTileRows + 1] = {0, 1};

MLNR_ISA_END
#endif
