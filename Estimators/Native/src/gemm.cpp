#include "gemm.hpp"

#include <cblas.h>

#include "packed_gemm.hpp"

namespace mlnr {

void gemm_serial(bool trans_a, bool trans_b, int m, int n, int k, float alpha, const float* a, int lda, const float* b,
                 int ldb, float beta, float* c, int ldc) {
    if (m <= 0 || n <= 0) return;
    if (k <= 0) {
        // BLAS leaves C untouched for k = 0 only when beta = 1; make the result explicit.
        for (int i = 0; i < m; ++i)
            for (int j = 0; j < n; ++j) c[static_cast<long>(i) * ldc + j] = beta == 0.0f ? 0.0f : beta * c[static_cast<long>(i) * ldc + j];
        return;
    }
    cblas_sgemm(CblasRowMajor, trans_a ? CblasTrans : CblasNoTrans, trans_b ? CblasTrans : CblasNoTrans, m, n, k, alpha,
                a, lda, b, ldb, beta, c, ldc);
}

void gemm_parallel(mlnr_context& ctx, bool trans_a, bool trans_b, int m, int n, int k, float alpha, const float* a,
                   int lda, const float* b, int ldb, float beta, float* c, int ldc) {
    if (packed_gemm_general(ctx, trans_a, trans_b, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc)) return;
    // Below about a million multiply-adds one thread is faster than waking the others.
    const long long work = static_cast<long long>(m) * n * (k > 0 ? k : 1);
    int workers = ctx.pool.size();
    if (work < (1LL << 20) || m < 2 * workers) workers = 1;
    if (workers == 1) {
        gemm_serial(trans_a, trans_b, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc);
        return;
    }
    ctx.pool.run_tasks(workers, workers, [&](int piece, int) {
        int begin, end;
        split_rows(m, workers, piece, begin, end);
        // Rows of op(A): rows of A, or columns of A when transposed.
        const float* a_block = trans_a ? a + begin : a + static_cast<long>(begin) * lda;
        gemm_serial(trans_a, trans_b, end - begin, n, k, alpha, a_block, lda, b, ldb, beta,
                    c + static_cast<long>(begin) * ldc, ldc);
    });
}

}  // namespace mlnr
