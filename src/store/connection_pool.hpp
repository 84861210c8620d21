// Database connections a fleet's views hand back when they close, kept for the next view.
// A worker opens a view per lease; without this each sync started a PostgreSQL backend
// (a fork, a catalogue warm-up, its statements planned again), which the fleet benchmark
// found costing more than the sync itself. A connection comes back only when it is idle
// (no transaction open, the session healthy); a session the server dropped while pooled
// is not detected until its next statement fails, which fails that one call.
#pragma once

#include <cstddef>
#include <functional>
#include <mutex>
#include <utility>
#include <vector>

#include "calsync/result.hpp"

namespace calsync::store {

// Db: a move-only connection with `bool idle() const`.
template <class Db>
class ConnectionPool {
  public:
    using Connect = std::function<Result<Db>()>;

    ConnectionPool(Connect connect, std::size_t max_idle)
        : connect_(std::move(connect)), max_idle_(max_idle) {}

    // A kept connection when there is one, else a new one.
    Result<Db> take() {
        {
            std::lock_guard<std::mutex> lock(mutex_);
            if (!idle_.empty()) {
                Db db = std::move(idle_.back());
                idle_.pop_back();
                return db;
            }
        }
        return connect_();
    }

    // Keeps `db` for a later take() when it is idle and fewer than max_idle are kept;
    // otherwise it closes here.
    void give_back(Db db) {
        if (!db.idle())
            return;
        std::lock_guard<std::mutex> lock(mutex_);
        if (idle_.size() < max_idle_)
            idle_.push_back(std::move(db));
    }

    std::size_t idle_count() const {
        std::lock_guard<std::mutex> lock(mutex_);
        return idle_.size();
    }

  private:
    Connect connect_;
    const std::size_t max_idle_;
    mutable std::mutex mutex_;
    std::vector<Db> idle_;
};

}  // namespace calsync::store
