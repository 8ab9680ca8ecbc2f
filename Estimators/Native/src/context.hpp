// The mlnr_context behind the C ABI: the worker threads and the scratch memory a call grows on demand.
#pragma once

#include <cstddef>
#include <vector>

#include "packed_gemm.hpp"
#include "thread_pool.hpp"

struct mlnr_context {
    explicit mlnr_context(int threads) : pool(threads), per_worker(pool.size()), gemm_panels(pool.size()) {}

    mlnr::ThreadPool pool;

    // Compact rows per chunk of steps (see chunk_steps); 0 = automatic (about 1 MiB of rows).
    long chunk_rows = 0;

    // Scratch reused across calls (never shrunk): one shared block, one block per worker, one per row group (see
    // rnn.hpp: a group's recurrent state between chunks, whichever worker runs it).
    std::vector<float> shared;
    std::vector<std::vector<float>> per_worker;
    std::vector<std::vector<float>> per_group;

    // The recurrent weights of the current call, packed once for the per-step GEMMs (two for GRU lbr=0).
    mlnr::PackedMatrix packed_main;
    mlnr::PackedMatrix packed_candidate;
    // The input weights of the current call: W^T for the forward's projection X W^T, W for backward's dX = dG W.
    mlnr::PackedMatrix packed_input;
    // One per worker: the panels of B that packed_gemm_general packs per call.
    std::vector<mlnr::PackedMatrix> gemm_panels;

    float* shared_floats(size_t n) {
        if (shared.size() < n) shared.resize(n);
        return shared.data();
    }

    // Safe to call from worker `worker` while the others call it for themselves.
    float* worker_floats(int worker, size_t n) {
        auto& v = per_worker[worker];
        if (v.size() < n) v.resize(n);
        return v.data();
    }

    // Call on the calling thread, before the workers run: room for `groups` group blocks.
    void prepare_groups(int groups) {
        if (per_group.size() < static_cast<size_t>(groups)) per_group.resize(groups);
    }

    // Safe to call for group g from the one worker running it while others call it for other groups. Contents
    // persist between calls of the same size (the group's state from chunk to chunk).
    float* group_floats(int group, size_t n) {
        auto& v = per_group[group];
        if (v.size() < n) v.resize(n);
        return v.data();
    }
};
