#include "calsync/availability.hpp"

#include <algorithm>
#include <string>

namespace calsync {

std::vector<TimeRange> merge_intervals(std::vector<TimeRange> ranges) {
    ranges.erase(
        std::remove_if(ranges.begin(), ranges.end(), [](const TimeRange& r) { return r.empty(); }),
        ranges.end());
    std::sort(ranges.begin(), ranges.end());
    std::vector<TimeRange> merged;
    for (const TimeRange& r : ranges) {
        if (!merged.empty() && r.start <= merged.back().end) {
            merged.back().end = std::max(merged.back().end, r.end);
        } else {
            merged.push_back(r);
        }
    }
    return merged;
}

AvailabilityIndex::AvailabilityIndex(std::vector<TimeRange> busy)
    : busy_(merge_intervals(std::move(busy))) {}

bool AvailabilityIndex::is_free(const TimeRange& range) const {
    if (range.empty())
        return true;
    // The first busy interval ending after range.start is the only one that can overlap
    // without an earlier one doing so (the intervals are disjoint and sorted).
    auto it = std::upper_bound(busy_.begin(), busy_.end(), range.start,
                               [](Instant t, const TimeRange& b) { return t < b.end; });
    return it == busy_.end() || it->start >= range.end;
}

std::vector<TimeRange> AvailabilityIndex::free_slots(const TimeRange& within,
                                                     std::chrono::seconds duration,
                                                     std::chrono::seconds step,
                                                     std::size_t at_most) const {
    std::vector<TimeRange> out;
    if (duration.count() <= 0 || step.count() <= 0)
        return out;
    auto it = std::upper_bound(busy_.begin(), busy_.end(), within.start,
                               [](Instant t, const TimeRange& b) { return t < b.end; });
    Instant t = within.start;
    while (t + duration <= within.end && out.size() < at_most) {
        while (it != busy_.end() && it->end <= t)
            ++it;
        const TimeRange candidate{t, t + duration};
        if (it == busy_.end() || it->start >= candidate.end) {
            out.push_back(candidate);
            t += step;
            continue;
        }
        // Jump to the first step-aligned start at or after the end of the blocking interval.
        const auto behind = it->end - within.start;
        const auto steps = (behind.count() + step.count() - 1) / step.count();
        t = within.start + step * steps;
    }
    return out;
}

Result<std::vector<TimeRange>> bounded_free_slots(const AvailabilityIndex& index,
                                                  const TimeRange& within,
                                                  std::chrono::seconds duration,
                                                  std::chrono::seconds step,
                                                  std::size_t max_windows) {
    // One more than allowed tells "too many" from "exactly the limit" without making more.
    std::vector<TimeRange> free = index.free_slots(within, duration, step, max_windows + 1);
    if (free.size() > max_windows)
        return make_error(ErrorCode::limit_exceeded,
                          "free slots: the answer would hold more than " +
                              std::to_string(max_windows) +
                              " windows (the limit of one answer); ask for a shorter range or "
                              "a longer step");
    return free;
}

}  // namespace calsync
