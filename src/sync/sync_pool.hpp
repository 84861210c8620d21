// A bounded pool of threads that run syncs: one per SyncService (and one per fleet
// worker), started lazily up to its size and kept, instead of a pool per run_due call
// (issue 16, item 3).
#pragma once

#include <condition_variable>
#include <cstddef>
#include <deque>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

namespace calsync::sync {

class SyncPool {
  public:
    explicit SyncPool(std::size_t threads);
    // Drops the tasks not started, waits for the running ones.
    ~SyncPool();
    SyncPool(const SyncPool&) = delete;
    SyncPool& operator=(const SyncPool&) = delete;

    // Runs `task` on a pool thread, in the order submitted; a thread is started when every
    // started one is busy and fewer than `threads` are.
    void submit(std::function<void()> task);
    std::size_t size() const { return size_; }

  private:
    void run();

    const std::size_t size_;
    std::mutex mutex_;
    std::condition_variable wake_;
    std::deque<std::function<void()>> queue_;
    std::vector<std::thread> threads_;
    std::size_t idle_ = 0;
    bool stopping_ = false;
};

}  // namespace calsync::sync
