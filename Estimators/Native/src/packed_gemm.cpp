#include "packed_gemm.hpp"

#include <cstdint>
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

// C rows [0, R) x the columns of P consecutive panels: acc += A[r, k] * panel_q[k, 0..31] over all k; masked stores
// of the group's first `cols` columns. A chain of FMAs into one accumulator waits on the previous one (latency about
// 4 cycles), so a tile needs 8 or more independent accumulators to keep the FMA unit busy: few rows take more panels
// at once (1 row: 4 panels, 8 accumulators), which is what makes batch-1 inference and the short tails of ragged
// batches run at the load rate instead of the FMA latency.
template <int R, int P>
__attribute__((target("avx512f"))) void tile(const float* a, int lda, const float* panel, long panel_stride, int k,
                                              float beta, float* c, int ldc, int cols) {
    __m512 acc[R][2 * P];
    for (int r = 0; r < R; ++r)
        for (int q = 0; q < 2 * P; ++q) acc[r][q] = _mm512_setzero_ps();
    for (int p = 0; p < k; ++p) {
        __m512 b[2 * P];
        for (int q = 0; q < P; ++q) {
            b[2 * q] = _mm512_load_ps(panel + q * panel_stride + p * kPanel);
            b[2 * q + 1] = _mm512_load_ps(panel + q * panel_stride + p * kPanel + 16);
        }
        for (int r = 0; r < R; ++r) {
            const __m512 av = _mm512_set1_ps(a[static_cast<long>(r) * lda + p]);
            for (int q = 0; q < 2 * P; ++q) acc[r][q] = _mm512_fmadd_ps(av, b[q], acc[r][q]);
        }
    }
    for (int q = 0; q < 2 * P; ++q) {
        const int left = cols - 16 * q;
        if (left <= 0) break;
        const __mmask16 mask = left >= 16 ? 0xFFFF : static_cast<__mmask16>((1u << left) - 1);
        for (int r = 0; r < R; ++r) {
            float* out = c + static_cast<long>(r) * ldc + 16 * q;
            __m512 v = acc[r][q];
            if (beta != 0.0f) v = _mm512_add_ps(v, _mm512_maskz_loadu_ps(mask, out));
            _mm512_mask_storeu_ps(out, mask, v);
        }
    }
}

using TileFunction = void (*)(const float*, int, const float*, long, int, float, float*, int, int);
// kTiles[R][P]: R rows (1..8) against P panels (1..4).
template <int R>
constexpr TileFunction kRow[5] = {nullptr, tile<R, 1>, tile<R, 2>, tile<R, 3>, tile<R, 4>};
const TileFunction* const kTiles[9] = {nullptr, kRow<1>, kRow<2>, kRow<3>, kRow<4>, kRow<5>, kRow<6>, kRow<7>, kRow<8>};
// Panels per tile for a tile of R rows: at least 8 accumulators where registers allow.
constexpr int kPanelsFor[9] = {0, 4, 2, 2, 1, 1, 1, 1, 1};
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
    out.storage.resize(static_cast<size_t>(panels) * k * kPanel + 16);
    // Aligned to 64 bytes: every panel row is then one cache line, and the tiles' loads never straddle two.
    const auto address = reinterpret_cast<uintptr_t>(out.storage.data());
    out.panels = out.storage.data() + ((64 - address % 64) % 64) / sizeof(float);
    for (int p = 0; p < panels; ++p) {
        float* panel = out.panels + static_cast<size_t>(p) * k * kPanel;
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
        // chunk, one panel at a time against every full 8-row tile. A chunk's last, short tile takes several panels
        // at once (kPanelsFor), at the start of each group of panels, so the group is in cache for the full tiles.
        constexpr int kRowChunk = 64;
        const int panels = (b.n + kPanel - 1) / kPanel;
        const long panel_stride = static_cast<long>(b.k) * kPanel;
        for (int r0 = 0; r0 < m; r0 += kRowChunk) {
            const int r1 = m - r0 < kRowChunk ? m : r0 + kRowChunk;
            const int full_end = r0 + (r1 - r0) / 8 * 8;
            const int short_rows = r1 - full_end;
            const int group = kPanelsFor[short_rows];
            for (int p = 0; p < panels; ++p) {
                const float* panel = b.panels + p * panel_stride;
                if (short_rows > 0 && p % group == 0) {
                    const int in_group = panels - p < group ? panels - p : group;
                    kTiles[short_rows][in_group](a + static_cast<long>(full_end) * lda, lda, panel, panel_stride, b.k,
                                                 beta, c + static_cast<long>(full_end) * ldc + p * kPanel, ldc,
                                                 b.n - p * kPanel);
                }
                const int cols = b.n - p * kPanel < kPanel ? b.n - p * kPanel : kPanel;
                for (int r = r0; r < full_end; r += 8)
                    kTiles[8][1](a + static_cast<long>(r) * lda, lda, panel, panel_stride, b.k, beta,
                                 c + static_cast<long>(r) * ldc + p * kPanel, ldc, cols);
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
    ctx.pool.run_tasks(workers, workers, [&](int piece, int) {  // pieces taken dynamically, see gemm.hpp
        int begin, end;
        split_rows(tiles, workers, piece, begin, end);
        const int r0 = begin * 8, r1 = end * 8 < m ? end * 8 : m;
        packed_gemm(r1 - r0, a + static_cast<long>(r0) * lda, lda, b, beta, c + static_cast<long>(r0) * ldc, ldc);
    });
}

}  // namespace mlnr
