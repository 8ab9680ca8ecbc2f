// GEMM on the context's workers: C[M,N] = alpha op(A) op(B) + beta C, row-major. Where AVX-512 runs, the kernel's own
// packed micro-kernel (packed_gemm_general: same bits for any thread count). Elsewhere OpenBLAS, cut by rows of C
// into one piece per worker, which the workers take dynamically (ThreadPool::run_tasks): a worker that wakes late finds
// its piece taken by the caller instead of holding up the join. That cut depends only on the shape, so a result does
// not depend on which worker ran what (other cuts change OpenBLAS's bits for some rows). Every worker calls OpenBLAS
// single-threaded (the context sets OpenBLAS to one thread, so its own pool never competes with ours).
#pragma once

#include "context.hpp"

namespace mlnr {

void gemm_serial(bool trans_a, bool trans_b, int m, int n, int k, float alpha, const float* a, int lda, const float* b,
                 int ldb, float beta, float* c, int ldc);

void gemm_parallel(mlnr_context& ctx, bool trans_a, bool trans_b, int m, int n, int k, float alpha, const float* a,
                   int lda, const float* b, int ldb, float beta, float* c, int ldc);

// Rows [begin, end) of `total` for worker w of `workers`.
inline void split_rows(int total, int workers, int w, int& begin, int& end) {
    begin = static_cast<int>(static_cast<long long>(total) * w / workers);
    end = static_cast<int>(static_cast<long long>(total) * (w + 1) / workers);
}

}  // namespace mlnr
