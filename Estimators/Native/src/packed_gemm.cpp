#include "packed_gemm.hpp"

#include <cstring>

#include "context.hpp"
#include "gemm.hpp"

#if defined(__x86_64__)
#include <immintrin.h>
#endif

namespace mlnr {

namespace {

constexpr int kPanel = 32;

#if defined(__x86_64__)
const bool kHasAvx512 = __builtin_cpu_supports("avx512f");

// C rows [0, R) x panel columns: acc += A[r, k] * P[k, 0..31] over all k; masked store of `cols` columns.
template <int R>
__attribute__((target("avx512f"))) void tile(const float* a, int lda, const float* panel, int k, float beta, float* c,
                                              int ldc, int cols) {
    __m512 acc0[R], acc1[R];
    for (int r = 0; r < R; ++r) {
        acc0[r] = _mm512_setzero_ps();
        acc1[r] = _mm512_setzero_ps();
    }
    for (int p = 0; p < k; ++p) {
        const __m512 b0 = _mm512_loadu_ps(panel + p * kPanel);
        const __m512 b1 = _mm512_loadu_ps(panel + p * kPanel + 16);
        for (int r = 0; r < R; ++r) {
            const __m512 av = _mm512_set1_ps(a[static_cast<long>(r) * lda + p]);
            acc0[r] = _mm512_fmadd_ps(av, b0, acc0[r]);
            acc1[r] = _mm512_fmadd_ps(av, b1, acc1[r]);
        }
    }
    const __mmask16 m0 = cols >= 16 ? 0xFFFF : static_cast<__mmask16>((1u << cols) - 1);
    const __mmask16 m1 = cols >= 32 ? 0xFFFF : (cols <= 16 ? 0 : static_cast<__mmask16>((1u << (cols - 16)) - 1));
    for (int r = 0; r < R; ++r) {
        float* row = c + static_cast<long>(r) * ldc;
        if (beta != 0.0f) {
            acc0[r] = _mm512_add_ps(acc0[r], _mm512_maskz_loadu_ps(m0, row));
            acc1[r] = _mm512_add_ps(acc1[r], _mm512_maskz_loadu_ps(m1, row + 16));
        }
        _mm512_mask_storeu_ps(row, m0, acc0[r]);
        _mm512_mask_storeu_ps(row + 16, m1, acc1[r]);
    }
}

using TileFunction = void (*)(const float*, int, const float*, int, float, float*, int, int);
const TileFunction kTiles[9] = {nullptr, tile<1>, tile<2>, tile<3>, tile<4>, tile<5>, tile<6>, tile<7>, tile<8>};
#endif

}  // namespace

void pack(PackedMatrix& out, const float* source, int ld, int k, int n, bool transposed) {
    out.k = k;
    out.n = n;
    out.source = source;
    out.source_ld = ld;
    out.source_transposed = transposed;
#if defined(__x86_64__)
    if (!kHasAvx512) return;
    const int panels = (n + kPanel - 1) / kPanel;
    out.panels.resize(static_cast<size_t>(panels) * k * kPanel);
    for (int p = 0; p < panels; ++p) {
        float* panel = out.panels.data() + static_cast<size_t>(p) * k * kPanel;
        const int cols = n - p * kPanel < kPanel ? n - p * kPanel : kPanel;
        if (transposed) {
            // Column col of B is row col of the source: read it contiguously, write it down the panel.
            for (int j = 0; j < cols; ++j) {
                const float* src = source + static_cast<long>(p * kPanel + j) * ld;
                for (int kk = 0; kk < k; ++kk) panel[static_cast<size_t>(kk) * kPanel + j] = src[kk];
            }
        } else {
            for (int kk = 0; kk < k; ++kk)
                std::memcpy(panel + static_cast<size_t>(kk) * kPanel, source + static_cast<long>(kk) * ld + p * kPanel,
                            sizeof(float) * cols);
        }
        if (cols < kPanel)  // the last panel's missing columns multiply as zeros
            for (int kk = 0; kk < k; ++kk)
                std::memset(panel + static_cast<size_t>(kk) * kPanel + cols, 0, sizeof(float) * (kPanel - cols));
    }
#endif
}

void packed_gemm(int m, const float* a, int lda, const PackedMatrix& b, float beta, float* c, int ldc) {
    if (m <= 0 || b.n <= 0) return;
#if defined(__x86_64__)
    if (kHasAvx512 && b.k > 0) {
        // Rows in chunks of 64 so the chunk of A stays in cache while every panel of B passes over it; within a
        // chunk, one panel at a time against every 8-row tile.
        constexpr int kRowChunk = 64;
        const int panels = (b.n + kPanel - 1) / kPanel;
        for (int r0 = 0; r0 < m; r0 += kRowChunk) {
            const int r1 = m - r0 < kRowChunk ? m : r0 + kRowChunk;
            for (int p = 0; p < panels; ++p) {
                const float* panel = b.panels.data() + static_cast<size_t>(p) * b.k * kPanel;
                const int cols = b.n - p * kPanel < kPanel ? b.n - p * kPanel : kPanel;
                for (int r = r0; r < r1; r += 8) {
                    const int rows = r1 - r < 8 ? r1 - r : 8;
                    kTiles[rows](a + static_cast<long>(r) * lda, lda, panel, b.k, beta,
                                 c + static_cast<long>(r) * ldc + p * kPanel, ldc, cols);
                }
            }
        }
        return;
    }
#endif
    gemm_serial(false, b.source_transposed, m, b.n, b.k, 1.0f, a, lda, b.source, b.source_ld, beta, c, ldc);
}

void packed_gemm_parallel(mlnr_context& ctx, int m, const float* a, int lda, const PackedMatrix& b, float beta, float* c, int ldc) {
    const int tiles = (m + 7) / 8;
    int workers = ctx.pool.size();
    if (static_cast<long long>(m) * b.n * b.k < (1LL << 20) || tiles < 2 * workers) workers = 1;
    if (workers == 1) {
        packed_gemm(m, a, lda, b, beta, c, ldc);
        return;
    }
    ctx.pool.run(workers, [&](int w) {
        int begin, end;
        split_rows(tiles, workers, w, begin, end);
        const int r0 = begin * 8, r1 = end * 8 < m ? end * 8 : m;
        packed_gemm(r1 - r0, a + static_cast<long>(r0) * lda, lda, b, beta, c + static_cast<long>(r0) * ldc, ldc);
    });
}

}  // namespace mlnr
