// Abandoning work in flight: a sync service being destroyed (calsync_client_free) cancels
// the reads it started, and every transfer and retry wait given the signal stops at once
// instead of running out its timeout (a feed that never answers held a thread for 120 s).
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <mutex>

namespace calsync {

class CancelSignal {
  public:
    // Once set, it stays set. Wakes every sleep_for() at once.
    void cancel() {
        {
            std::lock_guard<std::mutex> lock(mutex_);
            cancelled_.store(true, std::memory_order_release);
        }
        woken_.notify_all();
    }
    bool cancelled() const { return cancelled_.load(std::memory_order_acquire); }
    // Sleeps for `duration` or until cancel(), whichever comes first; false if cancelled.
    bool sleep_for(std::chrono::milliseconds duration) const {
        std::unique_lock<std::mutex> lock(mutex_);
        return !woken_.wait_for(lock, duration, [this] { return cancelled(); });
    }

  private:
    std::atomic<bool> cancelled_{false};
    mutable std::mutex mutex_;
    mutable std::condition_variable woken_;
};

}  // namespace calsync
