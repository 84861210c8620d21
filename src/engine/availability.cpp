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

namespace {

// Fills the Eytzinger layout: node k's left child is 2k, its right child 2k + 1.
std::size_t lay_out(const std::vector<TimeRange>& sorted, std::size_t next, std::size_t k,
                    std::vector<std::int64_t>* starts, std::vector<std::int64_t>* ends) {
    if (k >= ends->size())
        return next;
    next = lay_out(sorted, next, 2 * k, starts, ends);
    (*starts)[k] = to_unix(sorted[next].start);
    (*ends)[k] = to_unix(sorted[next].end);
    return lay_out(sorted, next + 1, 2 * k + 1, starts, ends);
}

}  // namespace

AvailabilityIndex::AvailabilityIndex(std::vector<TimeRange> busy)
    : busy_(merge_intervals(std::move(busy))), ends_(busy_.size() + 1), starts_(busy_.size() + 1) {
    lay_out(busy_, 0, 1, &starts_, &ends_);
}

bool AvailabilityIndex::is_free(const TimeRange& range) const {
    if (range.empty())
        return true;
    // The first busy interval ending after range.start is the only one that can overlap
    // without an earlier one doing so (the intervals are disjoint and sorted).
    if (busy_.empty())
        return true;
    const std::int64_t t = to_unix(range.start);
    const std::size_t n = busy_.size();
    std::size_t k = 1;
    while (k <= n) {
        // Four levels down, the 16 candidate nodes share one or two cache lines.
        __builtin_prefetch(ends_.data() + std::min(16 * k, n));
        k = 2 * k + (ends_[k] <= t ? 1 : 0);
    }
    // The path went right past the answer; the answer is where it last went left.
    k >>= __builtin_ctzll(~static_cast<unsigned long long>(k)) + 1;
    return k == 0 || starts_[k] >= to_unix(range.end);
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
