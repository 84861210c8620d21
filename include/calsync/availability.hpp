// Answers "is this time free?" over merged busy intervals.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <vector>

#include "calsync/civil_time.hpp"
#include "calsync/result.hpp"

namespace calsync {

class AvailabilityIndex {
  public:
    AvailabilityIndex() = default;
    // Any intervals, in any order, overlapping or not: they are merged here.
    explicit AvailabilityIndex(std::vector<TimeRange> busy);

    // True when `range` overlaps no busy interval. O(log n). An empty range is free.
    bool is_free(const TimeRange& range) const;
    // Every free window of `duration` inside `within` whose start is within.start plus a
    // whole number of `step`s, in order; the first `at_most` of them. Skips over busy
    // intervals without testing every step inside them.
    std::vector<TimeRange> free_slots(
        const TimeRange& within, std::chrono::seconds duration, std::chrono::seconds step,
        std::size_t at_most = std::numeric_limits<std::size_t>::max()) const;

    const std::vector<TimeRange>& busy() const { return busy_; }

  private:
    std::vector<TimeRange> busy_;  // sorted, disjoint, non-adjacent
    // The same intervals in Eytzinger order (a binary search tree laid out breadth first,
    // 1-based): the search reads one cache line per four levels instead of one per level.
    std::vector<std::int64_t> ends_;
    std::vector<std::int64_t> starts_;
};

// The most free windows one answer of the C ABI holds. The caller's range and step decide
// the count (a one-second step over ten years would be 315 million windows, 14 GB of
// JSON); a year of 15-minute starts is 35,040.
constexpr std::size_t kMaxFreeWindows = 100'000;

// index.free_slots(), refused with Error limit_exceeded (naming the limit) when the answer
// would hold more than `max_windows`; no more than that many are ever made.
Result<std::vector<TimeRange>> bounded_free_slots(const AvailabilityIndex& index,
                                                  const TimeRange& within,
                                                  std::chrono::seconds duration,
                                                  std::chrono::seconds step,
                                                  std::size_t max_windows = kMaxFreeWindows);

// Sorts and merges intervals; touching intervals ([a,b) and [b,c)) become one.
std::vector<TimeRange> merge_intervals(std::vector<TimeRange> ranges);

}  // namespace calsync
