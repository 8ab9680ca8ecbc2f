#include "thread_pool.hpp"

#include <string>
#include <system_error>

#include "denormals.hpp"

#if defined(__x86_64__) || defined(_M_X64)
#include <immintrin.h>
#define MLNR_PAUSE() _mm_pause()
#else
#define MLNR_PAUSE() std::this_thread::yield()
#endif

namespace mlnr {

namespace {
// About a millisecond of spinning (each spin a pause, every 256th a yield of the core) before a worker sleeps:
// enough to span the managed code between two kernel calls of a training step (the head, the loss), so the next
// call finds the worker awake. Waking a sleeping worker costs a futex wake and a reschedule, 0.1-0.2 ms in this
// project's VMs: with 50 microseconds of spin, W3 at 2 threads (6 kernel calls per 7 ms step) ran 1-13% slower
// (6 paired runs, median 4%). The yields hand the core to any other thread that needs it.
constexpr int kSpinIterations = 40000;
// At the join the caller waits for its own job: about a millisecond too.
constexpr int kJoinSpinIterations = 40000;

// One spin of a wait loop: a pause, and every 256th time a yield of the core. The yield matters when the kernel put
// two of our threads on one core (it does, when another process keeps the other core busy): the waiter then hands
// the core to the thread it waits for instead of spinning through its time slice.
inline void spin_once(int spins) {
    MLNR_PAUSE();
    if ((spins & 255) == 255) std::this_thread::yield();
}
}  // namespace

ThreadPool::ThreadPool(int threads) : threads_(threads < 1 ? 1 : threads) {
    workers_.reserve(static_cast<size_t>(threads_ - 1));
    for (int i = 1; i < threads_; ++i) {
        try {
            workers_.emplace_back([this, i] { worker_loop(i); });
        } catch (const std::system_error& e) {
            // A std::thread still joinable when destroyed ends the process: stop and join the ones started.
            stop_workers();
            throw ThreadStartFailure("could not start worker thread " + std::to_string(i) + " of the " +
                                     std::to_string(threads_ - 1) + " a context of " + std::to_string(threads_) +
                                     " threads needs (" + e.what() + "): the process or user is at its limit of "
                                     "threads (ulimit -u, cgroup pids.max) or memory; ask for fewer threads");
        }
    }
}

ThreadPool::~ThreadPool() { stop_workers(); }

void ThreadPool::stop_workers() {
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
    // Wait for the workers: spin (yielding now and then), then sleep. This matters when another process keeps a
    // core busy: a pure spin here holds this core while the worker waits for its turn, where a yield or an idle
    // core lets the kernel run the worker. W1 training at 2 threads beside a CPU hog pinned to one core: 533-683
    // sequences/s with the pure spin, 725-786 with this (1 thread there: 856-870; quiet: no change).
    for (int spins = 0; pending_.load(std::memory_order_acquire) != 0 && spins < kJoinSpinIterations; ++spins) spin_once(spins);
    if (pending_.load(std::memory_order_acquire) != 0) {
        std::unique_lock<std::mutex> lock(mutex_);
        caller_waiting_ = true;
        done_.wait(lock, [&] { return pending_.load(std::memory_order_acquire) == 0; });
        caller_waiting_ = false;
    }
    job_ = nullptr;
    if (error_) std::rethrow_exception(error_);
}

void ThreadPool::worker_loop(int index) {
    flush_denormals_on_this_thread();
    uint64_t seen = 0;
    for (;;) {
        int spins = 0;
        while (generation_.load(std::memory_order_acquire) == seen && spins < kSpinIterations) {
            spin_once(spins);
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
        if (pending_.fetch_sub(1, std::memory_order_acq_rel) == 1) {
            // The last worker out wakes the caller if it went to sleep (the flag is read under the mutex the
            // caller holds from its check of pending_ until it sleeps, so the wake cannot be missed).
            std::lock_guard<std::mutex> lock(mutex_);
            if (caller_waiting_) done_.notify_one();
        }
    }
}

bool StepBarrier::wait_for(int other, int64_t steps) {
    for (int spins = 0; done_[other].value.load(std::memory_order_acquire) < steps; ++spins) {
        if (abandoned_.load(std::memory_order_acquire)) return false;
        spin_once(spins);
    }
    return true;
}

bool JobBarrier::wait() {
    if (abandoned_.load(std::memory_order_acquire)) return false;
    const int generation = generation_.load(std::memory_order_acquire);
    if (arrived_.fetch_add(1, std::memory_order_acq_rel) == threads_ - 1) {
        arrived_.store(0, std::memory_order_relaxed);
        generation_.fetch_add(1, std::memory_order_acq_rel);
        return true;
    }
    for (int spins = 0; generation_.load(std::memory_order_acquire) == generation; ++spins) {
        if (abandoned_.load(std::memory_order_acquire)) return false;
        spin_once(spins);
    }
    return true;
}

}  // namespace mlnr
