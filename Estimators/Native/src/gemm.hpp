// GEMM on the context's workers: C[M,N] = alpha op(A) op(B) + beta C, row-major, cut by rows of C into pieces the
// workers take dynamically (the cut depends only on the shape, so a result does not depend on which worker ran what); every worker
// calls OpenBLAS single-threaded (the context sets OpenBLAS to one thread, so its own pool never competes with ours).
#pragma once

#include "context.hpp"

namespace mlnr {

void gemm_serial(bool trans_a, bool trans_b, int m, int n, int k, float alpha, const float* a, int lda, const float* b,
                 int ldb, float beta, float* c, int ldc);

void gemm_parallel(mlnr_context& ctx, bool trans_a, bool trans_b, int m, int n, int k, float alpha, const float* a,
                   int lda, const float* b, int ldb, float beta, float* c, int ldc);

// How many pieces a parallel GEMM of `units` rows (or tiles) cuts into for `workers` threads to take dynamically
// (ThreadPool::run_tasks), each at least min_units: one per worker unless MLNR_GEMM_PIECES asks for more. Taken
// dynamically, a worker that wakes late finds its piece already taken by the caller instead of holding up the join.
// More pieces did not measure faster, and a different cut changes OpenBLAS's bits for some rows (and with them a
// training run's result), so the default keeps the cut the kernel always had.
int gemm_pieces(int units, int workers, int min_units);

// Rows [begin, end) of `total` for worker w of `workers`.
inline void split_rows(int total, int workers, int w, int& begin, int& end) {
    begin = static_cast<int>(static_cast<long long>(total) * w / workers);
    end = static_cast<int>(static_cast<long long>(total) * (w + 1) / workers);
}

}  // namespace mlnr
