// When a connection's next sync is due (pure: "now" and the random source are arguments).
#pragma once

#include <chrono>
#include <optional>
#include <random>

#include "calsync/civil_time.hpp"
#include "calsync/sync.hpp"

namespace calsync::sync {

// After a good sync: a uniformly random moment in [min_interval, max_interval] from now,
// so many connections synced together spread out instead of hitting a service at once.
Instant next_after_success(Instant now, const ScheduleSettings& settings, std::mt19937_64& random);

// After the `failures`-th failure in a row: first_retry doubled per earlier failure, at
// most max_backoff, with full jitter over its upper half (so retries neither stampede nor
// come back at once); a server's Retry-After is waited out when it is longer.
Instant next_after_failure(Instant now, int failures,
                           std::optional<std::chrono::seconds> retry_after,
                           const ScheduleSettings& settings, std::mt19937_64& random);

}  // namespace calsync::sync
