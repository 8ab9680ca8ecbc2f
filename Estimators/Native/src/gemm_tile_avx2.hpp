// The avx2 path's GEMM micro-kernel (packed_gemm.cpp runs it over the panels), sized for the 16 ymm registers.
#pragma once

#include "isa.hpp"

#if defined(MLNR_ISA_AVX2)
#include <immintrin.h>

#include "packed_gemm.hpp"

MLNR_ISA_BEGIN

// out[0, min(left, 8)) = v + beta out: the tiles' last step, a whole vector or the first `left` lanes.
inline void store_sums(float* out, __m256 v, int left, float beta) {
    if (left >= 8) {
        if (beta == 1.0f) v = _mm256_add_ps(v, _mm256_loadu_ps(out));
        else if (beta != 0.0f) v = _mm256_fmadd_ps(_mm256_set1_ps(beta), _mm256_loadu_ps(out), v);
        _mm256_storeu_ps(out, v);
    } else {
        const __m256i mask = _mm256_cmpgt_epi32(_mm256_set1_epi32(left), _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7));
        if (beta == 1.0f) v = _mm256_add_ps(v, _mm256_maskload_ps(out, mask));
        else if (beta != 0.0f) v = _mm256_fmadd_ps(_mm256_set1_ps(beta), _mm256_maskload_ps(out, mask), v);
        _mm256_maskstore_ps(out, mask, v);
    }
}

// C rows [0, R) x the columns of P consecutive panels (4 ymm each): acc += A[r, k] * panel_q[k, 0..31] over all k;
// masked stores of the group's first `cols` columns, C = alpha acc + beta C, in the avx512 tile's order of operations
// (gemm_tile_avx512.hpp: the same bits). Registers: 4 R P accumulators, R broadcasts of A and one vector of B at a
// time: the full tile, 3 rows x 1 panel, takes 12 + 3 + 1 = 16; one row takes 3 panels (12 accumulators). With two
// FMA units of latency 4, 8 or more independent accumulators keep them busy. A is [M, K] (element (r, p) at
// a[r * lda + p]) or, with TransA, stored as [K, M] (at a[p * lda + r]). `resume`: as the avx512 tile's.
template <int R, int P, bool TransA>
void tile(const float* a, int lda, const float* panel, long panel_stride, int k, float alpha, float beta, float* c,
          int ldc, int cols, bool resume) {
    __m256 acc[R][4 * P];
    for (int q = 0; q < 4 * P; ++q) {
        const __m256i mask = _mm256_cmpgt_epi32(_mm256_set1_epi32(cols - 8 * q), _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7));
        for (int r = 0; r < R; ++r)
            acc[r][q] = resume ? _mm256_maskload_ps(c + static_cast<long>(r) * ldc + 8 * q, mask) : _mm256_setzero_ps();
    }
    for (int p = 0; p < k; ++p) {
        __m256 av[R];
        for (int r = 0; r < R; ++r)
            av[r] = _mm256_broadcast_ss(TransA ? a + static_cast<long>(p) * lda + r : a + static_cast<long>(r) * lda + p);
        for (int q = 0; q < 4 * P; ++q) {
            const __m256 b = _mm256_load_ps(panel + (q / 4) * panel_stride + p * kPanel + 8 * (q % 4));
            for (int r = 0; r < R; ++r) acc[r][q] = _mm256_fmadd_ps(av[r], b, acc[r][q]);
        }
    }
    // The sums go through memory once: with all 16 registers taken by the loop, GCC 12 otherwise keeps a copy of
    // every accumulator on the stack, stored at every k (12 stores per 12 FMAs: half the speed).
    alignas(32) float sums[R][4 * P * 8];
#pragma GCC unroll 16
    for (int r = 0; r < R; ++r)
#pragma GCC unroll 16
        for (int q = 0; q < 4 * P; ++q) _mm256_store_ps(&sums[r][8 * q], acc[r][q]);
#pragma GCC unroll 16
    for (int q = 0; q < 4 * P; ++q) {
        const int left = cols - 8 * q;
        if (left <= 0) break;
        for (int r = 0; r < R; ++r) {
            __m256 v = _mm256_load_ps(&sums[r][8 * q]);
            if (alpha != 1.0f) v = _mm256_mul_ps(v, _mm256_set1_ps(alpha));
            store_sums(c + static_cast<long>(r) * ldc + 8 * q, v, left, beta);
        }
    }
}

// One row of C [1, cols <= 64] = a [1, K] times a pair of panels interleaved by k (PackedMatrix::paired), C = acc +
// beta C: eight accumulators fed from one contiguous stream, as the avx512 path's row_of_pair (the same sums and
// epilogue as tile<1, P>, so the same bits); with `resume` (beta 0 only) the accumulators start from C. tile<1, 1>,
// what a batch-1 step ran over panels streaming from L2, has four: W4 batch 1 on this path (MLNETRNN_KERNEL_ISA=avx2)
// went from 0.435 to 0.331 ms at 1 thread, 0.313 to 0.280 at 2.
inline void row_of_pair(const float* a, const float* pair, int k, float beta, float* c, int cols, bool resume = false) {
    __m256 acc[8];
    for (int q = 0; q < 8; ++q) {
        const __m256i mask = _mm256_cmpgt_epi32(_mm256_set1_epi32(cols - 8 * q), _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7));
        acc[q] = resume ? _mm256_maskload_ps(c + 8 * q, mask) : _mm256_setzero_ps();
    }
    for (int p = 0; p < k; ++p) {
        const __m256 av = _mm256_broadcast_ss(a + p);
        const float* row = pair + static_cast<long>(p) * 2 * kPanel;
        for (int q = 0; q < 8; ++q) acc[q] = _mm256_fmadd_ps(av, _mm256_load_ps(row + 8 * q), acc[q]);
    }
    for (int q = 0; q < 8 && cols - 8 * q > 0; ++q) store_sums(c + 8 * q, acc[q], cols - 8 * q, beta);
}

constexpr int kTileRows = 3;
constexpr int kMaxPanels = 3;
constexpr int kPanelsFor[kTileRows + 1] = {0, 3, 1, 1};

MLNR_ISA_END
#endif
