// One deadline for a whole operation (a connection's sync, a provider call): every request
// it makes, and every retry wait between them, stops at it, so retries cannot multiply the
// time a slow server holds a worker.
//
// The deadline belongs to the thread doing the operation: the sync service opens a
// DeadlineScope where an operation begins, and HttpClient and CurlTransport, however deep
// under a provider they are, read it from there. Nested scopes keep the earlier deadline.
#pragma once

#include <chrono>
#include <optional>

namespace calsync::net {

using SteadyTime = std::chrono::steady_clock::time_point;

class DeadlineScope {
  public:
    explicit DeadlineScope(std::chrono::milliseconds budget);
    ~DeadlineScope();
    DeadlineScope(const DeadlineScope&) = delete;
    DeadlineScope& operator=(const DeadlineScope&) = delete;

  private:
    std::optional<SteadyTime> previous_;
};

// The deadline of the operation running on this thread, if any.
std::optional<SteadyTime> current_deadline();

// The time left before the current deadline (zero once passed), or `fallback` when there
// is none; never more than `fallback`.
std::chrono::milliseconds time_left(std::chrono::milliseconds fallback);

}  // namespace calsync::net
