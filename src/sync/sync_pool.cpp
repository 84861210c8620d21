#include "sync/sync_pool.hpp"

namespace calsync::sync {

SyncPool::SyncPool(std::size_t threads) : size_(threads < 1 ? 1 : threads) {}

SyncPool::~SyncPool() {
    {
        std::lock_guard<std::mutex> lock(mutex_);
        stopping_ = true;
        queue_.clear();
    }
    wake_.notify_all();
    for (std::thread& t : threads_)
        t.join();
}

void SyncPool::submit(std::function<void()> task) {
    {
        std::lock_guard<std::mutex> lock(mutex_);
        queue_.push_back(std::move(task));
        if (idle_ < queue_.size() && threads_.size() < size_)
            threads_.emplace_back([this] { run(); });
    }
    wake_.notify_one();
}

void SyncPool::run() {
    std::unique_lock<std::mutex> lock(mutex_);
    for (;;) {
        ++idle_;
        wake_.wait(lock, [this] { return stopping_ || !queue_.empty(); });
        --idle_;
        if (stopping_)
            return;
        std::function<void()> task = std::move(queue_.front());
        queue_.pop_front();
        lock.unlock();
        try {
            task();
        } catch (...) {
            // A task reports its own failures; one that throws loses only itself.
        }
        lock.lock();
    }
}

}  // namespace calsync::sync
