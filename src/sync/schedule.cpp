#include "sync/schedule.hpp"

#include <algorithm>

namespace calsync::sync {

Instant next_after_success(Instant now, const ScheduleSettings& settings, std::mt19937_64& random) {
    const auto low = std::chrono::duration_cast<std::chrono::seconds>(settings.min_interval);
    const auto high =
        std::max(low, std::chrono::duration_cast<std::chrono::seconds>(settings.max_interval));
    std::uniform_int_distribution<std::int64_t> pick(low.count(), high.count());
    return now + std::chrono::seconds(pick(random));
}

Instant next_after_failure(Instant now, int failures,
                           std::optional<std::chrono::seconds> retry_after,
                           const ScheduleSettings& settings, std::mt19937_64& random) {
    const std::int64_t cap =
        std::chrono::duration_cast<std::chrono::seconds>(settings.max_backoff).count();
    std::int64_t delay = std::max<std::int64_t>(1, settings.first_retry.count());
    for (int i = 1; i < failures && delay < cap; ++i)
        delay *= 2;
    delay = std::min(delay, cap);
    std::uniform_int_distribution<std::int64_t> pick(delay / 2, delay);
    std::int64_t wait = pick(random);
    if (retry_after && retry_after->count() > wait)
        wait = retry_after->count();
    return now + std::chrono::seconds(wait);
}

}  // namespace calsync::sync
