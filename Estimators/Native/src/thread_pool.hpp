// A small fork-join pool: run(n, fn) calls fn(0..n-1) on the caller and n-1 workers and returns when all are done.
// Workers spin briefly between jobs (the step loop issues jobs back to back), then sleep on a condition variable,
// so an idle context costs no CPU. One job at a time; the owning context is used by one thread at a time.
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

namespace mlnr {

class ThreadPool {
public:
    explicit ThreadPool(int threads);
    ~ThreadPool();
    ThreadPool(const ThreadPool&) = delete;
    ThreadPool& operator=(const ThreadPool&) = delete;

    int size() const { return threads_; }

    // Calls fn(i) for i in [0, n), n <= size(); fn(0) runs on the calling thread.
    void run(int n, const std::function<void(int)>& fn);

private:
    void worker_loop(int index);

    int threads_;
    std::vector<std::thread> workers_;
    const std::function<void(int)>* job_ = nullptr;
    int job_width_ = 0;
    std::atomic<uint64_t> generation_{0};
    std::atomic<int> pending_{0};
    std::atomic<bool> stop_{false};
    std::mutex mutex_;
    std::condition_variable wake_;
    std::exception_ptr error_;
    std::mutex error_mutex_;
};

}  // namespace mlnr
