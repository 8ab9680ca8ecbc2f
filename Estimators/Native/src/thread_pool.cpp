#include "thread_pool.hpp"

#if defined(__x86_64__) || defined(_M_X64)
#include <immintrin.h>
#define MLNR_PAUSE() _mm_pause()
#else
#define MLNR_PAUSE() std::this_thread::yield()
#endif

namespace mlnr {

namespace {
// About 40 microseconds of spinning before a worker sleeps: enough to catch back-to-back jobs, short enough not to
// steal the core from managed code (the optimizer, the loss) running between kernel calls.
constexpr int kSpinIterations = 2000;
}  // namespace

ThreadPool::ThreadPool(int threads) : threads_(threads < 1 ? 1 : threads) {
    for (int i = 1; i < threads_; ++i) workers_.emplace_back([this, i] { worker_loop(i); });
}

ThreadPool::~ThreadPool() {
    {
        std::lock_guard<std::mutex> lock(mutex_);
        stop_.store(true, std::memory_order_release);
        generation_.fetch_add(1, std::memory_order_acq_rel);
    }
    wake_.notify_all();
    for (auto& w : workers_) w.join();
}

void ThreadPool::run(int n, const std::function<void(int)>& fn) {
    if (n <= 1 || threads_ == 1) {
        for (int i = 0; i < n; ++i) fn(i);
        return;
    }
    if (n > threads_) n = threads_;
    error_ = nullptr;
    job_ = &fn;
    job_width_ = n;
    pending_.store(threads_ - 1, std::memory_order_release);
    {
        std::lock_guard<std::mutex> lock(mutex_);
        generation_.fetch_add(1, std::memory_order_acq_rel);
    }
    wake_.notify_all();
    try {
        fn(0);
    } catch (...) {
        std::lock_guard<std::mutex> lock(error_mutex_);
        if (!error_) error_ = std::current_exception();
    }
    while (pending_.load(std::memory_order_acquire) != 0) MLNR_PAUSE();
    job_ = nullptr;
    if (error_) std::rethrow_exception(error_);
}

void ThreadPool::worker_loop(int index) {
    uint64_t seen = 0;
    for (;;) {
        int spins = 0;
        while (generation_.load(std::memory_order_acquire) == seen && spins < kSpinIterations) {
            MLNR_PAUSE();
            ++spins;
        }
        if (generation_.load(std::memory_order_acquire) == seen) {
            std::unique_lock<std::mutex> lock(mutex_);
            wake_.wait(lock, [&] { return generation_.load(std::memory_order_acquire) != seen; });
        }
        seen = generation_.load(std::memory_order_acquire);
        if (stop_.load(std::memory_order_acquire)) return;
        if (index < job_width_) {
            try {
                (*job_)(index);
            } catch (...) {
                std::lock_guard<std::mutex> lock(error_mutex_);
                if (!error_) error_ = std::current_exception();
            }
        }
        pending_.fetch_sub(1, std::memory_order_acq_rel);
    }
}

}  // namespace mlnr
