// A small fork-join pool: run(n, fn) calls fn(0..n-1) on the caller and n-1 workers and returns when all are done.
// Workers spin about a millisecond between jobs (a training step issues jobs nearly back to back), then sleep on a
// condition variable, so an idle context costs no CPU. One job at a time; the owning context is used by one thread at a
// time. run_tasks hands out tasks dynamically (the parallel GEMMs): on a host that slows one core (another process, a
// hypervisor taking the vCPU for milliseconds) the other threads take more of the tasks instead of waiting at the join.
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <mutex>
#include <stdexcept>
#include <thread>
#include <vector>

namespace mlnr {

// The operating system refused a worker thread (std::thread's std::system_error: a process or memory limit); the pool
// that threw it has stopped and joined the workers it had started.
struct ThreadStartFailure : std::runtime_error {
    using std::runtime_error::runtime_error;
};

class ThreadPool {
public:
    // Starts threads - 1 workers (the calling thread is the first of the `threads`); throws ThreadStartFailure.
    explicit ThreadPool(int threads);
    ~ThreadPool();
    ThreadPool(const ThreadPool&) = delete;
    ThreadPool& operator=(const ThreadPool&) = delete;

    int size() const { return threads_; }

    // Calls fn(i) for i in [0, n), n <= size(); fn(0) runs on the calling thread.
    void run(int n, const std::function<void(int)>& fn);

    // Calls fn(task, thread) for every task in [0, tasks) on up to `width` threads (thread 0 is the caller); each
    // thread takes the lowest task not yet taken, so tasks start in order and a slowed thread simply takes fewer.
    // Which thread runs a task varies from call to call: fn must give the same result whichever runs it.
    void run_tasks(int width, int tasks, const std::function<void(int, int)>& fn) {
        if (tasks <= 0) return;
        std::atomic<int> next{0};
        run(width < tasks ? width : tasks, [&](int thread) {
            for (int t; (t = next.fetch_add(1, std::memory_order_relaxed)) < tasks;) fn(t, thread);
        });
    }

private:
    void worker_loop(int index);
    void stop_workers();

    int threads_;
    std::vector<std::thread> workers_;
    const std::function<void(int)>* job_ = nullptr;
    int job_width_ = 0;
    std::atomic<uint64_t> generation_{0};
    std::atomic<int> pending_{0};
    std::atomic<bool> stop_{false};
    std::mutex mutex_;
    std::condition_variable wake_;
    std::condition_variable done_;  // the caller sleeps on it at the join after spinning (caller_waiting_)
    bool caller_waiting_ = false;   // guarded by mutex_
    std::exception_ptr error_;
    std::mutex error_mutex_;
};

// A barrier among the n threads of one ThreadPool::run(n, ...) job (they all run at once, one index per thread), for
// jobs with phases: the workers pack the recurrent weights together, wait, then all use them. Waiters spin, yielding
// now and then. A thread that leaves the job by an exception calls abandon() first (see abandoning below): waits then return
// false at once instead of waiting for a thread that will not come, and the job ends with that exception.
class JobBarrier {
public:
    explicit JobBarrier(int threads) : threads_(threads) {}
    // Returns when all `threads` threads have called it (true), or when the job was abandoned (false).
    bool wait();
    void abandon() { abandoned_.store(true, std::memory_order_release); }

private:
    const int threads_;
    std::atomic<int> arrived_{0};
    std::atomic<int> generation_{0};
    std::atomic<bool> abandoned_{false};
};

// A barrier for the threads of a job that meet at every step of a loop (batch-1 inference, forward_units): each
// thread publishes how many steps it has finished in its own cache line (arrive) and waits, when it needs their
// results, until another thread has finished as many (wait_for). A step then costs each thread one write of its own
// line and one read of each other's, where JobBarrier's shared counter and generation move between the cores several
// times; and a thread can work on what it already has before it waits.
class StepBarrier {
public:
    explicit StepBarrier(int threads) : done_(threads) {}
    // Thread `thread` has finished `steps` steps.
    void arrive(int thread, int64_t steps) { done_[thread].value.store(steps, std::memory_order_release); }
    // Returns when thread `other` has finished `steps` steps (true), or when the job was abandoned (false).
    bool wait_for(int other, int64_t steps);
    void abandon() { abandoned_.store(true, std::memory_order_release); }

private:
    struct alignas(64) Count {
        std::atomic<int64_t> value{0};
    };
    std::vector<Count> done_;
    std::atomic<bool> abandoned_{false};
};

// Rows [begin, end) of `total` for worker w of `workers`.
inline void split_rows(int total, int workers, int w, int& begin, int& end) {
    begin = static_cast<int>(static_cast<long long>(total) * w / workers);
    end = static_cast<int>(static_cast<long long>(total) * (w + 1) / workers);
}

// Calls body() and abandons the barrier if it throws (then rethrows).
template <typename Barrier, typename F>
void abandoning(Barrier& barrier, F&& body) {
    try {
        body();
    } catch (...) {
        barrier.abandon();
        throw;
    }
}

}  // namespace mlnr
