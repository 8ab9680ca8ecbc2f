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
// of the group's first `cols` columns, C = alpha acc + beta C. A chain of FMAs into one accumulator waits on the
// previous one (latency about 4 cycles), so a tile needs 8 or more independent accumulators to keep the FMA unit busy:
// few rows take more panels at once (1 row: 4 panels, 8 accumulators), which is what makes batch-1 inference and the
// short tails of ragged batches run at the load rate instead of the FMA latency. A is [M, K] (element (r, p) at
// a[r * lda + p]) or, with TransA, stored as [K, M] (at a[p * lda + r]: the weight gradients' dG^T). Each element of
// C is one accumulator summed over k in order, so its bits do not depend on the tile, the panel group or the cut.
template <int R, int P, bool TransA>
__attribute__((target("avx512f"))) void tile(const float* a, int lda, const float* panel, long panel_stride, int k,
                                              float alpha, float beta, float* c, int ldc, int cols) {
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
            const __m512 av = _mm512_set1_ps(TransA ? a[static_cast<long>(p) * lda + r] : a[static_cast<long>(r) * lda + p]);
            for (int q = 0; q < 2 * P; ++q) acc[r][q] = _mm512_fmadd_ps(av, b[q], acc[r][q]);
        }
    }
    const __m512 alpha_v = _mm512_set1_ps(alpha), beta_v = _mm512_set1_ps(beta);
    for (int q = 0; q < 2 * P; ++q) {
        const int left = cols - 16 * q;
        if (left <= 0) break;
        const __mmask16 mask = left >= 16 ? 0xFFFF : static_cast<__mmask16>((1u << left) - 1);
        for (int r = 0; r < R; ++r) {
            float* out = c + static_cast<long>(r) * ldc + 16 * q;
            __m512 v = acc[r][q];
            if (alpha != 1.0f) v = _mm512_mul_ps(v, alpha_v);
            if (beta == 1.0f) v = _mm512_add_ps(v, _mm512_maskz_loadu_ps(mask, out));
            else if (beta != 0.0f) v = _mm512_fmadd_ps(beta_v, _mm512_maskz_loadu_ps(mask, out), v);
            _mm512_mask_storeu_ps(out, mask, v);
        }
    }
}

using TileFunction = void (*)(const float*, int, const float*, long, int, float, float, float*, int, int);
// kTiles<TransA>[R][P]: R rows (1..8) against P panels (1..4).
template <int R, bool T>
constexpr TileFunction kRow[5] = {nullptr, tile<R, 1, T>, tile<R, 2, T>, tile<R, 3, T>, tile<R, 4, T>};
template <bool T>
constexpr const TileFunction* kTiles[9] = {nullptr,      kRow<1, T>, kRow<2, T>, kRow<3, T>, kRow<4, T>,
                                           kRow<5, T>, kRow<6, T>, kRow<7, T>, kRow<8, T>};
// Panels per tile for a tile of R rows: at least 8 accumulators where registers allow.
constexpr int kPanelsFor[9] = {0, 4, 2, 2, 1, 1, 1, 1, 1};

// C[M, N] = alpha A B + beta C over the packed panels of B (K x N). Rows in chunks of 64 so the chunk of A stays in
// cache while every panel of B passes over it; within a chunk, one panel at a time against every full 8-row tile. A
// chunk's last, short tile takes several panels at once (kPanelsFor), at the start of each group of panels, so the
// group is in cache for the full tiles.
template <bool TransA>
void run_tiles(int m, const float* a, int lda, const float* panels_base, int k, int n, float alpha, float beta,
               float* c, int ldc) {
    constexpr int kRowChunk = 64;
    auto rows_of_a = [&](int r) { return TransA ? a + r : a + static_cast<long>(r) * lda; };
    const int panels = (n + kPanel - 1) / kPanel;
    const long panel_stride = static_cast<long>(k) * kPanel;
    for (int r0 = 0; r0 < m; r0 += kRowChunk) {
        const int r1 = m - r0 < kRowChunk ? m : r0 + kRowChunk;
        const int full_end = r0 + (r1 - r0) / 8 * 8;
        const int short_rows = r1 - full_end;
        const int group = kPanelsFor[short_rows];
        for (int p = 0; p < panels; ++p) {
            const float* panel = panels_base + p * panel_stride;
            if (short_rows > 0 && p % group == 0) {
                const int in_group = panels - p < group ? panels - p : group;
                kTiles<TransA>[short_rows][in_group](rows_of_a(full_end), lda, panel, panel_stride, k, alpha, beta,
                                                     c + static_cast<long>(full_end) * ldc + p * kPanel, ldc,
                                                     n - p * kPanel);
            }
            const int cols = n - p * kPanel < kPanel ? n - p * kPanel : kPanel;
            for (int r = r0; r < full_end; r += 8)
                kTiles<TransA>[8][1](rows_of_a(r), lda, panel, panel_stride, k, alpha, beta,
                                     c + static_cast<long>(r) * ldc + p * kPanel, ldc, cols);
        }
    }
}

// run_tiles for A as stored: [M, K], or [K, M] with trans_a.
void run_tiles_for(bool trans_a, int m, const float* a, int lda, const PackedMatrix& b, float alpha, float beta,
                   float* c, int ldc) {
    if (trans_a) run_tiles<true>(m, a, lda, b.panels, b.k, b.n, alpha, beta, c, ldc);
    else run_tiles<false>(m, a, lda, b.panels, b.k, b.n, alpha, beta, c, ldc);
}
#endif

}  // namespace

void pack_layout(PackedMatrix& out, const float* source, int ld, int k, int n, bool transposed) {
    out.k = k;
    out.n = n;
    out.source = source;
    out.source_ld = ld;
    out.source_transposed = transposed;
    out.panels = nullptr;
#if defined(__x86_64__)
    if (!kHasAvx512) return;
    // Grown only: a resize up after a smaller call would zero-fill the regrown part, on every call that alternates
    // between shapes (a worker packing X, then h_prev, for the weight gradients).
    const size_t floats = static_cast<size_t>(panel_count(out)) * k * kPanel + 16;
    if (out.storage.size() < floats) out.storage.resize(floats);
    // Aligned to 64 bytes: every panel row is then one cache line, and the tiles' loads never straddle two.
    const auto address = reinterpret_cast<uintptr_t>(out.storage.data());
    out.panels = out.storage.data() + ((64 - address % 64) % 64) / sizeof(float);
#endif
}

int panel_count(const PackedMatrix& out) { return (out.n + kPanel - 1) / kPanel; }

void pack_panels(const PackedMatrix& out, int first, int last) {
    if (!out.panels) return;
    const int k = out.k, n = out.n, ld = out.source_ld;
    for (int p = first; p < last; ++p) {
        float* panel = out.panels + static_cast<size_t>(p) * k * kPanel;
        const int cols = n - p * kPanel < kPanel ? n - p * kPanel : kPanel;
        if (out.source_transposed) {
            // Column col of B is row col of the source: read it contiguously, write it down the panel.
            for (int j = 0; j < cols; ++j) {
                const float* src = out.source + static_cast<long>(p * kPanel + j) * ld;
                for (int kk = 0; kk < k; ++kk) panel[static_cast<size_t>(kk) * kPanel + j] = src[kk];
            }
        } else {
            for (int kk = 0; kk < k; ++kk)
                std::memcpy(panel + static_cast<size_t>(kk) * kPanel, out.source + static_cast<long>(kk) * ld + p * kPanel,
                            sizeof(float) * cols);
        }
        if (cols < kPanel)  // the last panel's missing columns multiply as zeros
            for (int kk = 0; kk < k; ++kk)
                std::memset(panel + static_cast<size_t>(kk) * kPanel + cols, 0, sizeof(float) * (kPanel - cols));
    }
}

void pack_share(const PackedMatrix& out, int worker, int workers) {
    int first, last;
    split_rows(panel_count(out), workers, worker, first, last);
    pack_panels(out, first, last);
}

void pack(PackedMatrix& out, const float* source, int ld, int k, int n, bool transposed) {
    pack_layout(out, source, ld, k, n, transposed);
    pack_panels(out, 0, panel_count(out));
}

void packed_gemm(int m, const float* a, int lda, const PackedMatrix& b, float beta, float* c, int ldc) {
    if (m <= 0 || b.n <= 0) return;
#if defined(__x86_64__)
    if (kHasAvx512 && b.k > 0) {
        run_tiles<false>(m, a, lda, b.panels, b.k, b.n, 1.0f, beta, c, ldc);
        return;
    }
#endif
    gemm_serial(false, b.source_transposed, m, b.n, b.k, 1.0f, a, lda, b.source, b.source_ld, beta, c, ldc);
}

void gemm_on_worker(mlnr_context& ctx, int worker, bool trans_a, bool trans_b, int m, int n, int k, float alpha,
                    const float* a, int lda, const float* b, int ldb, float beta, float* c, int ldc) {
#if defined(__x86_64__)
    if (kHasAvx512 && k > 0) {
        if (m <= 0 || n <= 0) return;
        PackedMatrix& packed = ctx.gemm_panels[worker];
        pack(packed, b, ldb, k, n, trans_b);
        run_tiles_for(trans_a, m, a, lda, packed, alpha, beta, c, ldc);
        return;
    }
#endif
    (void)ctx, (void)worker;
    gemm_serial(trans_a, trans_b, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc);
}

bool packed_gemm_general(mlnr_context& ctx, bool trans_a, bool trans_b, int m, int n, int k, float alpha,
                         const float* a, int lda, const float* b, int ldb, float beta, float* c, int ldc) {
#if defined(__x86_64__)
    if (!kHasAvx512 || k <= 0) return false;
    if (m <= 0 || n <= 0) return true;
    const int panels = (n + kPanel - 1) / kPanel;
    int workers = ctx.pool.size();
    if (static_cast<long long>(m) * n * k < (1LL << 20)) workers = 1;
    // Columns of op(B) [n0, n0 + cols): columns of B, or rows of B when it is stored transposed.
    auto columns_of_b = [&](int n0) { return trans_b ? b + static_cast<long>(n0) * ldb : b + n0; };
    auto rows_of_a = [&](int r) { return trans_a ? a + r : a + static_cast<long>(r) * lda; };
    auto tiles = [&](int rows, const float* a_rows, const PackedMatrix& packed, float* c_block) {
        run_tiles_for(trans_a, rows, a_rows, lda, packed, alpha, beta, c_block, ldc);
    };
    if (workers > 1 && m >= n && m >= 32 * workers) {
        // More rows of C than columns (a weight gradient dY^T X with more outputs than inputs, a head's dX = dY W over
        // T*B rows): A is the large operand. Cut the rows of C and let each worker pack all of B itself: each row of A
        // is then read by one worker only, where cutting B's panels has every worker stream all of A (for the
        // recurrent layers' dG^T X at 2 threads that was 1.5x slower per row than on one; for W3's head dX, 1.5x
        // slower than on one thread). With A stored transposed the cuts are whole cache lines of it (16 columns).
        const int unit = trans_a ? 16 : 8;
        ctx.pool.run_tasks(workers, workers, [&](int piece, int w) {
            int begin, end;
            split_rows((m + unit - 1) / unit, workers, piece, begin, end);
            const int r0 = begin * unit, r1 = end * unit < m ? end * unit : m;
            if (r1 <= r0) return;
            PackedMatrix& packed = ctx.gemm_panels[w];
            pack(packed, b, ldb, k, n, trans_b);
            tiles(r1 - r0, rows_of_a(r0), packed, c + static_cast<long>(r0) * ldc);
        });
        return true;
    }
    if (panels >= workers) {
        // One task per panel of 32 columns: the thread that takes it packs it into its own buffer and runs every row
        // against it, so B is packed once, in parallel, with no barrier between packing and multiplying.
        ctx.pool.run_tasks(workers, panels, [&](int p, int w) {
            const int n0 = p * kPanel, cols = n - n0 < kPanel ? n - n0 : kPanel;
            PackedMatrix& panel = ctx.gemm_panels[w];
            pack(panel, columns_of_b(n0), ldb, k, cols, trans_b);
            tiles(m, a, panel, c + n0);
        });
        return true;
    }
    // Fewer panels than workers (a narrow B: a head's few outputs): pack B here, cut the rows of C in multiples of 8.
    PackedMatrix& packed = ctx.gemm_panels[0];
    pack(packed, b, ldb, k, n, trans_b);
    const int row_tiles = (m + 7) / 8;
    if (row_tiles < 2 * workers) workers = 1;
    ctx.pool.run_tasks(workers, workers, [&](int piece, int) {
        int begin, end;
        split_rows(row_tiles, workers, piece, begin, end);
        const int r0 = begin * 8, r1 = end * 8 < m ? end * 8 : m;
        tiles(r1 - r0, rows_of_a(r0), packed, c + static_cast<long>(r0) * ldc);
    });
    return true;
#else
    (void)ctx, (void)trans_a, (void)trans_b, (void)m, (void)n, (void)k, (void)alpha, (void)a, (void)lda, (void)b,
        (void)ldb, (void)beta, (void)c, (void)ldc;
    return false;
#endif
}

}  // namespace mlnr
