// The packed GEMM's driver (packed_gemm.hpp), compiled once per path (isa.hpp) around that path's micro-kernel.
#include "packed_gemm.hpp"

#include <array>
#include <cstdint>
#include <cstring>
#include <utility>

#if defined(__x86_64__)
#include <immintrin.h>
#endif

#include "context.hpp"
#include "gemm_tile_avx2.hpp"
#include "gemm_tile_avx512.hpp"
#include "gemm_tile_scalar.hpp"

MLNR_ISA_BEGIN

namespace {

using TileFunction = void (*)(const float*, int, const float*, long, int, float, float, float*, int, int, bool);

// kTiles<TransA>[R][P]: the path's tile of R rows (1..kTileRows) against P panels (1..kMaxPanels).
template <bool T, int R, int... P>
constexpr std::array<TileFunction, kMaxPanels + 1> row_of(std::integer_sequence<int, P...>) {
    return {nullptr, &tile<R, P + 1, T>...};
}
template <bool T, int... R>
constexpr std::array<std::array<TileFunction, kMaxPanels + 1>, kTileRows + 1> table_of(std::integer_sequence<int, R...>) {
    return {{{}, row_of<T, R + 1>(std::make_integer_sequence<int, kMaxPanels>())...}};
}
template <bool T>
constexpr auto kTiles = table_of<T>(std::make_integer_sequence<int, kTileRows>());

// Panels up to this size are taken to stay in L1 while a short tile passes over them (run_tiles).
constexpr long kCachedPanelBytes = 64 * 1024;

// C[M, N] = alpha A B + beta C over the packed panels of B (K x N, panels panel_stride floats apart; with `resume`,
// the tiles' sums start from C: alpha 1 and beta 0 only, see packed_gemm_part). Rows in chunks of about 64 (whole
// tiles) so the chunk of A stays in cache while every panel of B passes over it; within a chunk, one panel at a time
// against every full tile of kTileRows rows. A chunk's last, short tile takes several panels at once (kPanelsFor,
// unless they stream from L2: below), at the start of each group of panels, so the group is in cache for the full
// tiles.
template <bool TransA>
void run_tiles(int m, const float* a, int lda, const float* panels_base, long panel_stride, int k, int n, float alpha,
               float beta, float* c, int ldc, bool resume = false) {
    constexpr int kRowChunk = 64 / kTileRows * kTileRows;
    auto rows_of_a = [&](int r) { return TransA ? a + r : a + static_cast<long>(r) * lda; };
    const int panels = ceil_div(n, kPanel);
    // Whether the panels stream from L2: a short tile of one or two rows then takes one panel at a time, which
    // streams faster than several side by side (one row, 384 KiB of panels: 75 against 65 GFLOP/s; W4 batch 1 at 1
    // thread 0.45-0.48 -> 0.42 ms); where the panels are in L1, several at once hide the FMA latency better (one row,
    // 48 KiB: 150 against 89).
    const bool streamed = static_cast<long>(k) * panels * kPanel * static_cast<long>(sizeof(float)) > kCachedPanelBytes;
    for (int r0 = 0; r0 < m; r0 += kRowChunk) {
        const int r1 = m - r0 < kRowChunk ? m : r0 + kRowChunk;
        const int full_end = r0 + (r1 - r0) / kTileRows * kTileRows;
        const int short_rows = r1 - full_end;
        const int group = short_rows <= 2 && streamed ? 1 : kPanelsFor[short_rows];
        for (int p = 0; p < panels; ++p) {
            const float* panel = panels_base + p * panel_stride;
            if (short_rows > 0 && p % group == 0) {
                const int in_group = panels - p < group ? panels - p : group;
                kTiles<TransA>[short_rows][in_group](rows_of_a(full_end), lda, panel, panel_stride, k, alpha, beta,
                                                     c + static_cast<long>(full_end) * ldc + p * kPanel, ldc,
                                                     n - p * kPanel, resume);
            }
            const int cols = n - p * kPanel < kPanel ? n - p * kPanel : kPanel;
            for (int r = r0; r < full_end; r += kTileRows)
                kTiles<TransA>[kTileRows][1](rows_of_a(r), lda, panel, panel_stride, k, alpha, beta,
                                             c + static_cast<long>(r) * ldc + p * kPanel, ldc, cols, resume);
        }
    }
}

// run_tiles for A as stored: [M, K], or [K, M] with trans_a.
void run_tiles_for(bool trans_a, int m, const float* a, int lda, const PackedMatrix& b, float alpha, float beta,
                   float* c, int ldc) {
    if (trans_a) run_tiles<true>(m, a, lda, b.panels, b.panel_stride(), b.k, b.n, alpha, beta, c, ldc);
    else run_tiles<false>(m, a, lda, b.panels, b.panel_stride(), b.k, b.n, alpha, beta, c, ldc);
}

// C = beta C for a product with no terms (k = 0): BLAS leaves C untouched only for beta = 1; 0 where beta is 0.
void scale_rows(int m, int n, float beta, float* c, int ldc) {
    for (int i = 0; i < m; ++i) {
        float* row = c + static_cast<long>(i) * ldc;
        for (int j = 0; j < n; ++j) row[j] = beta == 0.0f ? 0.0f : beta * row[j];
    }
}

// Column j of a panel is a row of the source: panel[kk, j] = rows[j][kk] for j < cols, zero where rows[j] is null
// (B stored transposed, or pack_rows' chosen rows); the panel's rows lie `row_stride` floats apart (kPanel, or twice
// that for paired panels). Blocks of 8 x 8 go through registers (8 row loads, a transpose, 8
// panel-row stores) where the path has AVX2 and the 8 rows all exist, the rest one element at a time; only data moves,
// so the panel has the same bits either way (inference packs R^T on every call: docs/kernel.md).
void gather_into_panel(const float* const* rows, int k, int cols, float* panel, int row_stride) {
    int j0 = 0;
#if defined(MLNR_ISA_AVX512) || defined(MLNR_ISA_AVX2)
    for (; j0 + 8 <= cols; j0 += 8) {
        bool all = true;
        for (int i = 0; i < 8; ++i) all = all && rows[j0 + i] != nullptr;
        if (!all) break;
        const float* const* block = rows + j0;
        int kk = 0;
        for (; kk + 8 <= k; kk += 8) {
            __m256 r[8];
            for (int i = 0; i < 8; ++i) r[i] = _mm256_loadu_ps(block[i] + kk);
            // Pairs of rows interleaved, then pairs of pairs, then the 128-bit halves exchanged: row i of the block
            // becomes column i.
            __m256 t[8], u[8];
            for (int i = 0; i < 8; i += 2) {
                t[i] = _mm256_unpacklo_ps(r[i], r[i + 1]);
                t[i + 1] = _mm256_unpackhi_ps(r[i], r[i + 1]);
            }
            for (int i = 0; i < 8; i += 4) {
                u[i] = _mm256_shuffle_ps(t[i], t[i + 2], 0x44);
                u[i + 1] = _mm256_shuffle_ps(t[i], t[i + 2], 0xEE);
                u[i + 2] = _mm256_shuffle_ps(t[i + 1], t[i + 3], 0x44);
                u[i + 3] = _mm256_shuffle_ps(t[i + 1], t[i + 3], 0xEE);
            }
            float* out = panel + static_cast<size_t>(kk) * row_stride + j0;
            for (int i = 0; i < 4; ++i) {
                _mm256_storeu_ps(out + static_cast<size_t>(i) * row_stride, _mm256_permute2f128_ps(u[i], u[i + 4], 0x20));
                _mm256_storeu_ps(out + static_cast<size_t>(i + 4) * row_stride, _mm256_permute2f128_ps(u[i], u[i + 4], 0x31));
            }
        }
        for (; kk < k; ++kk)
            for (int i = 0; i < 8; ++i) panel[static_cast<size_t>(kk) * row_stride + j0 + i] = block[i][kk];
    }
#endif
    for (int j = j0; j < cols; ++j) {
        const float* src = rows[j];
        for (int kk = 0; kk < k; ++kk) panel[static_cast<size_t>(kk) * row_stride + j] = src ? src[kk] : 0.0f;
    }
}

}  // namespace

void pack_layout(PackedMatrix& out, const float* source, int ld, int k, int n, bool transposed, bool paired) {
    out.k = k;
    out.n = n;
    out.source = source;
    out.source_ld = ld;
    out.source_transposed = transposed;
    out.paired = paired && kPairedPanels;
    // Grown only: a resize up after a smaller call would zero-fill the regrown part, on every call that alternates
    // between shapes (a worker packing X, then h_prev, for the weight gradients).
    const size_t floats = static_cast<size_t>(out.stored_panels()) * k * kPanel + 16;
    if (out.storage.size() < floats) out.storage.resize(floats);
    // Aligned to 64 bytes: every panel row is then one cache line, and the tiles' loads never straddle two.
    const auto address = reinterpret_cast<uintptr_t>(out.storage.data());
    out.panels = out.storage.data() + ((64 - address % 64) % 64) / sizeof(float);
}

void pack_panels(const PackedMatrix& out, int first, int last) {
    const int k = out.k, n = out.n, ld = out.source_ld, rs = out.row_stride();
    for (int p = first; p < last; ++p) {
        float* panel = out.panels + out.panel_offset(p);
        const int cols = n - p * kPanel < kPanel ? n - p * kPanel : kPanel;
        if (out.source_transposed) {
            // Column col of B is row col of the source.
            const float* rows[kPanel];
            for (int j = 0; j < cols; ++j) rows[j] = out.source + static_cast<long>(p * kPanel + j) * ld;
            gather_into_panel(rows, k, cols, panel, rs);
        } else {
            for (int kk = 0; kk < k; ++kk)
                std::memcpy(panel + static_cast<size_t>(kk) * rs, out.source + static_cast<long>(kk) * ld + p * kPanel,
                            sizeof(float) * cols);
        }
        // The last panel's missing columns multiply as zeros, and so does the missing second panel of a last pair.
        const int pad = cols < kPanel ? kPanel - cols : 0;
        const int phantom = out.paired && p % 2 == 0 && p + 1 == out.panel_count() ? kPanel : 0;
        if (pad + phantom > 0)
            for (int kk = 0; kk < k; ++kk)
                std::memset(panel + static_cast<size_t>(kk) * rs + cols, 0, sizeof(float) * (pad + phantom));
    }
}

void pack_rows(PackedMatrix& out, const float* source, int ld, int k, const int* rows, int n, bool paired) {
    pack_layout(out, source, ld, k, n, true, paired);
    // Paired with an odd count, the last pair's missing panel is packed too, as zeros (its columns are all >= n).
    for (int p = 0; p < out.stored_panels(); ++p) {
        const float* panel_rows[kPanel];
        for (int j = 0; j < kPanel; ++j) {
            const int col = p * kPanel + j;
            panel_rows[j] = col < n && rows[col] >= 0 ? source + static_cast<long>(rows[col]) * ld : nullptr;
        }
        gather_into_panel(panel_rows, k, kPanel, out.panels + out.panel_offset(p), out.row_stride());
    }
}

void pack_share(const PackedMatrix& out, int worker, int workers) {
    int first, last;
    split_rows(out.panel_count(), workers, worker, first, last);
    pack_panels(out, first, last);
}

void pack(PackedMatrix& out, const float* source, int ld, int k, int n, bool transposed) {
    pack_layout(out, source, ld, k, n, transposed);
    pack_panels(out, 0, out.panel_count());
}

#if defined(MLNR_ISA_AVX512) || defined(MLNR_ISA_AVX2)
// C[M, N] = A[M, k0:k1] B[k0:k1, :] + beta C over paired panels: row by row, pair by pair (a batch-1 step, one row).
static void paired_rows(int m, const float* a, int lda, const PackedMatrix& b, int k0, int k1, float beta,
                        bool resume, float* c, int ldc) {
    const long pair_stride = 2 * b.panel_stride();
    for (int r = 0; r < m; ++r)
        for (int g = 0; g * 2 * kPanel < b.n; ++g) {
            const int cols = b.n - g * 2 * kPanel < 2 * kPanel ? b.n - g * 2 * kPanel : 2 * kPanel;
            const float* pair = b.panels + g * pair_stride + static_cast<long>(k0) * 2 * kPanel;
            row_of_pair(a + static_cast<long>(r) * lda + k0, pair, k1 - k0, beta,
                        c + static_cast<long>(r) * ldc + g * 2 * kPanel, cols, resume);
        }
}
#endif

void packed_gemm(int m, const float* a, int lda, const PackedMatrix& b, float beta, float* c, int ldc) {
    if (m <= 0 || b.n <= 0) return;
    if (b.k <= 0) {
        scale_rows(m, b.n, beta, c, ldc);
        return;
    }
#if defined(MLNR_ISA_AVX512) || defined(MLNR_ISA_AVX2)
    if (b.paired) return paired_rows(m, a, lda, b, 0, b.k, beta, false, c, ldc);
#endif
    run_tiles<false>(m, a, lda, b.panels, b.panel_stride(), b.k, b.n, 1.0f, beta, c, ldc);
}

void packed_gemm_part(int m, const float* a, int lda, const PackedMatrix& b, int k0, int k1, bool resume, float* c,
                      int ldc) {
    if (m <= 0 || b.n <= 0 || k1 <= k0) {
        if (!resume) scale_rows(m, b.n, 0.0f, c, ldc);
        return;
    }
#if defined(MLNR_ISA_AVX512) || defined(MLNR_ISA_AVX2)
    if (b.paired) return paired_rows(m, a, lda, b, k0, k1, 0.0f, resume, c, ldc);
#endif
    run_tiles<false>(m, a + k0, lda, b.panels + static_cast<long>(k0) * kPanel, b.panel_stride(), k1 - k0, b.n, 1.0f,
                     0.0f, c, ldc, resume);
}

void gemm_on_worker(mlnr_context& ctx, int worker, bool trans_a, bool trans_b, int m, int n, int k, float alpha,
                    const float* a, int lda, const float* b, int ldb, float beta, float* c, int ldc) {
    if (m <= 0 || n <= 0) return;
    if (k <= 0) {
        scale_rows(m, n, beta, c, ldc);
        return;
    }
    PackedMatrix& packed = ctx.gemm_panels[worker];
    pack(packed, b, ldb, k, n, trans_b);
    run_tiles_for(trans_a, m, a, lda, packed, alpha, beta, c, ldc);
}

void gemm_parallel(mlnr_context& ctx, bool trans_a, bool trans_b, int m, int n, int k, float alpha, const float* a,
                   int lda, const float* b, int ldb, float beta, float* c, int ldc) {
    if (m <= 0 || n <= 0) return;
    if (k <= 0) {
        scale_rows(m, n, beta, c, ldc);
        return;
    }
    const int panels = ceil_div(n, kPanel);
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
            split_rows(ceil_div(m, unit), workers, piece, begin, end);
            const int r0 = begin * unit, r1 = static_cast<long>(end) * unit < m ? end * unit : m;
            if (r1 <= r0) return;
            PackedMatrix& packed = ctx.gemm_panels[w];
            pack(packed, b, ldb, k, n, trans_b);
            tiles(r1 - r0, rows_of_a(r0), packed, c + static_cast<long>(r0) * ldc);
        });
        return;
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
        return;
    }
    // Fewer panels than workers (a narrow B: a head's few outputs): pack B here, cut the rows of C in multiples of 8.
    PackedMatrix& packed = ctx.gemm_panels[0];
    pack(packed, b, ldb, k, n, trans_b);
    const int row_tiles = ceil_div(m, 8);
    if (row_tiles < 2 * workers) workers = 1;
    ctx.pool.run_tasks(workers, workers, [&](int piece, int) {
        int begin, end;
        split_rows(row_tiles, workers, piece, begin, end);
        const int r0 = begin * 8, r1 = static_cast<long>(end) * 8 < m ? end * 8 : m;
        tiles(r1 - r0, rows_of_a(r0), packed, c + static_cast<long>(r0) * ldc);
    });
}

MLNR_ISA_END
