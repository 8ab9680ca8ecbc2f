// GEMM through the kernel's own micro-kernels over B packed in panels of 32 columns: AVX-512 (8x32 register tiles),
// AVX2+FMA (3x32) or plain C++ (1x32), one per path (isa.hpp). Against a constant right-hand matrix packed once: the
// recurrent weights of a layer are multiplied at every step of a call, so packing them per step (what a BLAS does on
// each call) is wasted work. gemm_parallel takes any GEMM (mlnr_gemm: the head's) and packs B itself.
//
// Every element of C is one accumulator summed over k in order (k = 0, 1, ...), whatever the tile, the panel group,
// the rows beside it or the thread that runs it: so a result has the same bits on any thread count, and the avx512
// and avx2 paths, both with a fused multiply-add per term, give the same bits. The scalar path multiplies and adds in
// two roundings (a fused multiply-add in software costs 200x; see gemm_tile_scalar.hpp): its sums are other roundings
// of the same terms, within the dot product's error bound.
#pragma once

#include <vector>

#include "isa.hpp"

struct mlnr_context;

namespace mlnr {

constexpr int kPanel = 32;

// ceil(a / b) for a >= 0, b > 0, without the overflow of (a + b - 1) / b near INT32_MAX.
constexpr int ceil_div(int a, int b) { return a / b + (a % b != 0 ? 1 : 0); }

// B [K, N] stored as panels of 32 columns: panel p holds rows k = 0..K-1 of columns 32p..32p+31, zero-padded.
// With `paired`, panels 2g and 2g + 1 are interleaved by k instead (pair g: K rows of 64 floats, the first panel's
// 32 then the second's), so that a one-row product reads one contiguous stream into four accumulators (see
// packed_gemm). The vector paths pair panels; the scalar path does not (kPairedPanels).
struct PackedMatrix {
    int k = 0;
    int n = 0;
    const float* source = nullptr;  // the unpacked B
    int source_ld = 0;
    bool source_transposed = false;  // B = source^T
    bool paired = false;
    std::vector<float> storage;  // holds the panels
    float* panels = nullptr;     // 64-byte aligned, inside storage

    int panel_count() const { return ceil_div(n, kPanel); }
    // Panels the storage holds: paired, a whole last pair (its second panel zeros where the count is odd).
    int stored_panels() const { return paired ? 2 * ceil_div(panel_count(), 2) : panel_count(); }
    // Floats from one panel to the next (unpaired).
    long panel_stride() const { return static_cast<long>(k) * kPanel; }
    // Floats from one row k of a panel to the next.
    int row_stride() const { return paired ? 2 * kPanel : kPanel; }
    // Where panel p starts (its row 0).
    long panel_offset(int p) const {
        return paired ? static_cast<long>(p / 2) * 2 * panel_stride() + (p % 2) * kPanel : p * panel_stride();
    }
};

}  // namespace mlnr

#if defined(MLNR_ISA)
MLNR_ISA_BEGIN

// Whether this path pairs panels (PackedMatrix::paired) where asked: a one-row product over paired panels streaming
// from L2 runs about 8% faster than over single ones on the avx512 path (Benchmarks/probes/one_row_product.cpp), and
// W4 batch 1 25% faster on the avx2 path, whose one-row tile had four accumulators.
#if defined(MLNR_ISA_AVX512) || defined(MLNR_ISA_AVX2)
constexpr bool kPairedPanels = true;
#else
constexpr bool kPairedPanels = false;
#endif

// Packs B = op(source) where source is [K, N] (or [N, K] when transposed) with leading dimension ld.
void pack(PackedMatrix& out, const float* source, int ld, int k, int n, bool transposed);

// The same in parts, so that the workers of a call can pack one matrix together: pack_layout records B and sizes the
// storage (it may allocate: call it before the workers start); pack_panels fills panels [first, last) and
// pack_share worker w's share of them (neither allocates). With `paired` (honoured where kPairedPanels), the panels
// are paired: for a B that multiplies one row at a time (batch-1 steps); packed_gemm takes either layout, with the
// same bits.
void pack_layout(PackedMatrix& out, const float* source, int ld, int k, int n, bool transposed, bool paired = false);
void pack_panels(const PackedMatrix& out, int first, int last);
void pack_share(const PackedMatrix& out, int worker, int workers);

// Packs B [K, N] whose column j is row rows[j] of source (K floats each, ld apart), or zeros where rows[j] < 0: a
// layer's weights for a subset of its units (forward_units), each gate's slice padded to whole panels; paired as
// pack_layout.
void pack_rows(PackedMatrix& out, const float* source, int ld, int k, const int* rows, int n, bool paired = false);

// C[M, N] = A[M, K] B + beta C, A row-major with leading dimension lda.
void packed_gemm(int m, const float* a, int lda, const PackedMatrix& b, float beta, float* c, int ldc);

// C[M, N] = A[M, k0:k1] B[k0:k1, :], continuing from C where `resume` (C as the call for the preceding range left it):
// a product cut into calls over consecutive ranges of k, 0 to K, gives the bits of one packed_gemm with beta 0 (each
// accumulator goes through memory exactly between calls and sums its terms in the same order).
void packed_gemm_part(int m, const float* a, int lda, const PackedMatrix& b, int k0, int k1, bool resume, float* c,
                      int ldc);

// C[M, N] = alpha op(A) op(B) + beta C (BLAS semantics, row-major) on the context's workers: B packed per call, by
// panels of 32 columns that the workers take dynamically, each packing its own. k = 0 gives beta C (0 where beta is
// 0, whatever C held).
void gemm_parallel(mlnr_context& ctx, bool trans_a, bool trans_b, int m, int n, int k, float alpha, const float* a,
                   int lda, const float* b, int ldb, float beta, float* c, int ldc);

// The same product on one worker only (the calling thread, which is worker `worker` of the context's pool): B is
// packed into that worker's own panel buffer.
void gemm_on_worker(mlnr_context& ctx, int worker, bool trans_a, bool trans_b, int m, int n, int k, float alpha,
                    const float* a, int lda, const float* b, int ldb, float beta, float* c, int ldc);

MLNR_ISA_END
#endif
