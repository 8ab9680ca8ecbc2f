// The avx512 path's GEMM micro-kernel (packed_gemm.cpp runs it over the panels).
#pragma once

#include "isa.hpp"

#if defined(MLNR_ISA_AVX512)
#include <immintrin.h>

#include "packed_gemm.hpp"

MLNR_ISA_BEGIN

// The lanes of a vector of 16 that hold columns: all where `left` (the columns from it on) is 16 or more, none where
// it is 0 or less.
__attribute__((target("avx512f"))) inline __mmask16 lanes_of(int left) {
    return left >= 16 ? 0xFFFF : left <= 0 ? 0 : static_cast<__mmask16>((1u << left) - 1);
}

// out[lanes of mask] = v + beta out: the tiles' last step.
__attribute__((target("avx512f"))) inline void store_sums(float* out, __m512 v, __mmask16 mask, float beta) {
    if (beta == 1.0f) v = _mm512_add_ps(v, _mm512_maskz_loadu_ps(mask, out));
    else if (beta != 0.0f) v = _mm512_fmadd_ps(_mm512_set1_ps(beta), _mm512_maskz_loadu_ps(mask, out), v);
    _mm512_mask_storeu_ps(out, mask, v);
}

// C rows [0, R) x the columns of P consecutive panels: acc += A[r, k] * panel_q[k, 0..31] over all k; masked stores of
// the group's first `cols` columns, C = alpha acc + beta C. A chain of FMAs into one accumulator waits on the previous
// one (latency about 4 cycles), so a tile needs 8 or more independent accumulators to keep the FMA unit busy: few rows
// take more panels at once (1 row: 4 panels, 8 accumulators), which is what makes batch-1 inference and the short tails
// of ragged batches run at the load rate instead of the FMA latency. With `resume`, the accumulators start from C as an
// earlier call over the preceding k left it (alpha 1, beta 0: the sums as they were, exactly), so a product can be cut
// into calls over consecutive ranges of k with the bits of one call (packed_gemm_part). A is [M, K] (element (r, p) at
// a[r * lda + p]) or, with TransA, stored as [K, M] (at a[p * lda + r]: the weight gradients' dG^T). Each element of C
// is one accumulator summed over k in order, so its bits do not depend on the tile, the panel group or the cut.
template <int R, int P, bool TransA>
__attribute__((target("avx512f"))) void tile(const float* a, int lda, const float* panel, long panel_stride, int k,
                                              float alpha, float beta, float* c, int ldc, int cols, bool resume) {
    __m512 acc[R][2 * P];
    for (int q = 0; q < 2 * P; ++q) {
        const __mmask16 mask = lanes_of(cols - 16 * q);
        for (int r = 0; r < R; ++r)
            acc[r][q] = resume ? _mm512_maskz_loadu_ps(mask, c + static_cast<long>(r) * ldc + 16 * q) : _mm512_setzero_ps();
    }
    for (int p = 0; p < k; ++p) {
        __m512 b[2 * P];
        for (int q = 0; q < P; ++q) {
            b[2 * q] = _mm512_load_ps(panel + q * panel_stride + p * kPanel);
            b[2 * q + 1] = _mm512_load_ps(panel + q * panel_stride + p * kPanel + 16);
        }
        for (int r = 0; r < R; ++r) {
            const __m512 av = _mm512_set1_ps(TransA ? a[static_cast<long>(p) * lda + r] : a[static_cast<long>(r) * lda + p]);
            for (int q = 0; q < 2 * P; ++q) acc[r][q] = _mm512_fmadd_ps(av, b[q], acc[r][q]);
        }
    }
    const __m512 alpha_v = _mm512_set1_ps(alpha);
    for (int q = 0; q < 2 * P && cols - 16 * q > 0; ++q) {
        const __mmask16 mask = lanes_of(cols - 16 * q);
        for (int r = 0; r < R; ++r) {
            __m512 v = acc[r][q];
            if (alpha != 1.0f) v = _mm512_mul_ps(v, alpha_v);
            store_sums(c + static_cast<long>(r) * ldc + 16 * q, v, mask, beta);
        }
    }
}

// One row of C [1, cols <= 64] = a [1, K] times a pair of panels interleaved by k (PackedMatrix::paired: rows of 64
// floats), C = acc + beta C. Four accumulators fed from one contiguous stream: where the panels stream from L2 (a
// batch-1 step), this runs about 8% faster than tile<1, 1> over the two panels one after the other, and faster than
// tile<1, 4>'s four streams. The same sums as tile<1, P> (one accumulator per element over k in order, then the same
// epilogue with alpha 1), so the same bits; with `resume` (beta 0 only) the accumulators start from C, as tile's do.
__attribute__((target("avx512f"))) inline void row_of_pair(const float* a, const float* pair, int k, float beta,
                                                           float* c, int cols, bool resume = false) {
    __m512 acc[4];
    for (int q = 0; q < 4; ++q)
        acc[q] = resume ? _mm512_maskz_loadu_ps(lanes_of(cols - 16 * q), c + 16 * q) : _mm512_setzero_ps();
    for (int p = 0; p < k; ++p) {
        const __m512 av = _mm512_set1_ps(a[p]);
        const float* row = pair + static_cast<long>(p) * 2 * kPanel;
        for (int q = 0; q < 4; ++q) acc[q] = _mm512_fmadd_ps(av, _mm512_load_ps(row + 16 * q), acc[q]);
    }
    for (int q = 0; q < 4 && cols - 16 * q > 0; ++q) store_sums(c + 16 * q, acc[q], lanes_of(cols - 16 * q), beta);
}

// A full tile: 8 rows x 1 panel (16 accumulators of the 32 zmm registers). Panels per tile for a short tile of R rows:
// at least 8 accumulators where registers allow.
constexpr int kTileRows = 8;
constexpr int kMaxPanels = 4;
constexpr int kPanelsFor[kTileRows + 1] = {0, 4, 2, 2, 1, 1, 1, 1, 1};

MLNR_ISA_END
#endif
