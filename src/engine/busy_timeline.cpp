#include "engine/busy_timeline.hpp"

#include <algorithm>
#include <utility>

namespace calsync {

void BusyTimeline::bump(std::int64_t at, int by) {
    auto [it, inserted] = deltas_.try_emplace(at, by);
    if (!inserted) {
        it->second += by;
        if (it->second == 0)
            deltas_.erase(it);
    }
}

void BusyTimeline::add(const TimeRange& r) {
    if (r.empty())
        return;
    bump(to_unix(r.start), +1);
    bump(to_unix(r.end), -1);
}

void BusyTimeline::remove(const TimeRange& r) {
    if (r.empty())
        return;
    bump(to_unix(r.start), -1);
    bump(to_unix(r.end), +1);
}

void BusyTimeline::add_all(const std::vector<TimeRange>& ranges) {
    std::vector<std::pair<std::int64_t, int>> points;
    points.reserve(ranges.size() * 2 + deltas_.size());
    for (const TimeRange& r : ranges) {
        if (r.empty())
            continue;
        points.emplace_back(to_unix(r.start), +1);
        points.emplace_back(to_unix(r.end), -1);
    }
    points.insert(points.end(), deltas_.begin(), deltas_.end());
    std::sort(points.begin(), points.end());
    std::map<std::int64_t, int> rebuilt;
    for (std::size_t i = 0; i < points.size();) {
        std::size_t j = i;
        int sum = 0;
        for (; j < points.size() && points[j].first == points[i].first; ++j)
            sum += points[j].second;
        if (sum != 0)
            rebuilt.emplace_hint(rebuilt.end(), points[i].first, sum);
        i = j;
    }
    deltas_ = std::move(rebuilt);
}

std::vector<TimeRange> BusyTimeline::merged() const {
    std::vector<TimeRange> out;
    int depth = 0;
    std::int64_t open = 0;
    for (const auto& [at, delta] : deltas_) {
        const int before = depth;
        depth += delta;
        if (before == 0 && depth > 0)
            open = at;
        if (before > 0 && depth == 0)
            out.push_back(TimeRange{instant_from_unix(open), instant_from_unix(at)});
    }
    return out;
}

}  // namespace calsync
