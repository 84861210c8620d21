// Merged busy time that can be updated one interval at a time.
#pragma once

#include <cstdint>
#include <map>
#include <vector>

#include "calsync/civil_time.hpp"

namespace calsync {

// Keeps, per boundary instant, how many intervals start minus how many end there; the
// merged intervals are the stretches where the running count is positive. Adding or
// removing one interval is O(log n); nothing else is recomputed.
class BusyTimeline {
  public:
    void add(const TimeRange& r);
    void remove(const TimeRange& r);
    // Adds many intervals with one sort instead of one tree insertion each.
    void add_all(const std::vector<TimeRange>& ranges);
    void clear() { deltas_.clear(); }
    std::vector<TimeRange> merged() const;

  private:
    void bump(std::int64_t at, int by);
    std::map<std::int64_t, int> deltas_;
};

}  // namespace calsync
