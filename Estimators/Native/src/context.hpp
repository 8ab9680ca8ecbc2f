// The mlnr_context behind the C ABI: the code path it runs on, the worker threads and the scratch memory a call grows
// on demand.
#pragma once

#include <cstddef>
#include <vector>

#include "packed_gemm.hpp"
#include "thread_pool.hpp"

namespace mlnr {
struct Kernels;
}

struct mlnr_context {
    mlnr_context(int threads, const mlnr::Kernels* path)
        : kernels(path), pool(threads), per_worker(pool.size()), per_worker_state(pool.size()),
          gemm_panels(pool.size()), unit_panels(2 * pool.size()) {}

    // The path every call on this context runs (dispatch.hpp).
    const mlnr::Kernels* kernels;

    mlnr::ThreadPool pool;

    // Compact rows per chunk of steps (see chunk_steps); 0 = automatic (about 1 MiB of rows).
    long chunk_rows = 0;

    // Scratch reused across calls (never shrunk): per worker, one block of scratch and one of state (see rnn.hpp: the
    // worker's recurrent state from chunk to chunk).
    std::vector<std::vector<float>> per_worker;
    std::vector<std::vector<float>> per_worker_state;

    // The recurrent weights of the current call, packed once for the per-step GEMMs (two for GRU lbr=0).
    mlnr::PackedMatrix packed_main;
    mlnr::PackedMatrix packed_candidate;
    // The input weights of the current call: W^T for the forward's projection X W^T, W for backward's dX = dG W.
    mlnr::PackedMatrix packed_input;
    // One per worker: the panels of B that packed_gemm_general packs per call.
    std::vector<mlnr::PackedMatrix> gemm_panels;
    // Two per worker: the slices of R^T and W^T of the units a worker owns in batch-1 inference (forward_units).
    std::vector<mlnr::PackedMatrix> unit_panels;

    // Safe to call from worker `worker` while the others call it for themselves.
    float* worker_floats(int worker, size_t n) {
        auto& v = per_worker[worker];
        if (v.size() < n) v.resize(n);
        return v.data();
    }

    // Worker `worker`'s state block: safe to call from that worker while the others call it for themselves. Contents
    // persist between calls of the same size (the worker's state from chunk to chunk).
    float* state_floats(int worker, size_t n) {
        auto& v = per_worker_state[worker];
        if (v.size() < n) v.resize(n);
        return v.data();
    }
};
