// Properties of the busy time against a brute-force minute grid (std::vector<bool>):
// merge_intervals, AvailabilityIndex (src/engine/availability.cpp) and the import engine's
// merged busy intervals (src/engine/busy_timeline.cpp). Fixed seeds, so a failure repeats.
#include <catch2/catch.hpp>
#include <random>

#include "calsync/availability.hpp"
#include "calsync/engine.hpp"

using calsync::AvailabilityIndex;
using calsync::TimeRange;

namespace {

const calsync::Instant kBase = calsync::parse_rfc3339("2026-01-05T00:00:00Z").value();

TimeRange minutes(int from, int to) {
    return {kBase + std::chrono::minutes(from), kBase + std::chrono::minutes(to)};
}

}  // namespace

TEST_CASE("merged intervals and is_free agree with a minute grid (property)",
          "[availability][property]") {
    std::mt19937 rng(7);
    constexpr int kMinutes = 3 * 24 * 60;
    auto pick = [&](int lo, int hi) { return std::uniform_int_distribution<int>(lo, hi)(rng); };
    for (int round = 0; round < 200; ++round) {
        std::vector<bool> grid(kMinutes, false);
        std::vector<TimeRange> ranges;
        const int n = pick(0, 40);
        for (int i = 0; i < n; ++i) {
            const int a = pick(0, kMinutes - 1);
            const int b = std::min(kMinutes, a + pick(0, 300));
            ranges.push_back(minutes(a, b));
            for (int m = a; m < b; ++m)
                grid[m] = true;
        }
        // The grid's runs of busy minutes, built without the code under test.
        std::vector<TimeRange> runs;
        for (int m = 0; m < kMinutes; ++m) {
            if (!grid[m])
                continue;
            int end = m;
            while (end < kMinutes && grid[end])
                ++end;
            runs.push_back(minutes(m, end));
            m = end;
        }
        REQUIRE(calsync::merge_intervals(ranges) == runs);

        const AvailabilityIndex index(ranges);
        for (int q = 0; q < 200; ++q) {
            const int a = pick(0, kMinutes - 1);
            const int b = std::min(kMinutes, a + pick(1, 240));
            bool free = true;
            for (int m = a; m < b && free; ++m)
                free = !grid[m];
            REQUIRE(index.is_free(minutes(a, b)) == free);
        }
    }
}

TEST_CASE("the engine's busy intervals agree with a minute grid of its slots (property)",
          "[availability][property]") {
    std::mt19937 rng(11);
    auto pick = [&](int lo, int hi) { return std::uniform_int_distribution<int>(lo, hi)(rng); };
    calsync::BlockingPolicy policy;
    policy.window = minutes(0, 3 * 24 * 60);
    for (int round = 0; round < 50; ++round) {
        auto engine = calsync::ImportEngine::create(policy);
        REQUIRE(engine.ok());
        std::vector<bool> grid(3 * 24 * 60, false);
        std::vector<calsync::Event> events;
        for (int i = 0; i < 30; ++i) {
            calsync::Event e;
            e.id = std::to_string(i);
            e.calendar_id = i % 2 == 0 ? "a" : "b";
            const int a = pick(0, 3 * 24 * 60 - 200);
            const int b = a + pick(1, 180);
            e.start = calsync::EventTime::at_utc(minutes(a, a).start);
            e.end = calsync::EventTime::at_utc(minutes(b, b).start);
            for (int m = a; m < b; ++m)
                grid[m] = true;
            events.push_back(e);
        }
        engine->load(events);
        std::vector<bool> from_busy(grid.size(), false);
        for (const TimeRange& r : engine->busy()) {
            for (auto t = r.start; t < r.end; t += std::chrono::minutes(1))
                from_busy[(t - kBase) / std::chrono::minutes(1)] = true;
        }
        REQUIRE(from_busy == grid);
    }
}

TEST_CASE("free_slots agree with a minute grid (property)", "[availability][property]") {
    std::mt19937 rng(29);
    constexpr int kMinutes = 2 * 24 * 60;
    auto pick = [&](int lo, int hi) { return std::uniform_int_distribution<int>(lo, hi)(rng); };
    for (int round = 0; round < 300; ++round) {
        std::vector<bool> grid(kMinutes, false);
        std::vector<TimeRange> ranges;
        const int n = pick(0, 25);
        for (int i = 0; i < n; ++i) {
            const int a = pick(0, kMinutes - 1);
            const int b = std::min(kMinutes, a + pick(1, 180));
            ranges.push_back(minutes(a, b));
            for (int m = a; m < b; ++m)
                grid[m] = true;
        }
        const AvailabilityIndex index(ranges);
        const int from = pick(0, kMinutes / 2);
        const int to = pick(from, kMinutes);
        const int duration = pick(1, 120);
        const int step = pick(1, 90);
        std::vector<TimeRange> expected;
        for (int s = from; s + duration <= to; s += step) {
            bool free = true;
            for (int m = s; m < s + duration && free; ++m)
                free = !grid[m];
            if (free)
                expected.push_back(minutes(s, s + duration));
        }
        INFO("round " << round << ": [" << from << ", " << to << ") duration " << duration
                      << " step " << step);
        REQUIRE(index.free_slots(minutes(from, to), std::chrono::minutes(duration),
                                 std::chrono::minutes(step)) == expected);
    }
}

TEST_CASE("the engine's slots and busy time agree with a minute grid of the events (property)",
          "[availability][property]") {
    // Single events with every status, transparency and answer: the grid marks only the
    // minutes of events that must block under the default policy, worked out here from
    // the rules (cancelled, transparent, declined and exported never block).
    std::mt19937 rng(13);
    auto pick = [&](int lo, int hi) { return std::uniform_int_distribution<int>(lo, hi)(rng); };
    constexpr int kMinutes = 3 * 24 * 60;
    calsync::BlockingPolicy policy;
    policy.window = minutes(0, kMinutes);
    for (int round = 0; round < 60; ++round) {
        auto engine = calsync::ImportEngine::create(policy);
        REQUIRE(engine.ok());
        std::vector<bool> grid(kMinutes, false);
        std::vector<calsync::Event> events;
        std::size_t blocking = 0;
        for (int i = 0; i < 25; ++i) {
            calsync::Event e;
            e.id = std::to_string(i);
            e.calendar_id = i % 3 == 0 ? "a" : "b";
            // Some events reach over either edge of the window.
            const int a = pick(-120, kMinutes - 1);
            const int b = a + pick(1, 240);
            e.start = calsync::EventTime::at_utc(minutes(a, a).start);
            e.end = calsync::EventTime::at_utc(minutes(b, b).start);
            bool blocks = true;
            switch (pick(0, 9)) {
                case 0:
                    e.status = calsync::EventStatus::cancelled;
                    blocks = false;
                    break;
                case 1:
                    e.transparency = calsync::Transparency::transparent;
                    blocks = false;
                    break;
                case 2:
                    e.owner_response = calsync::Response::declined;
                    blocks = false;
                    break;
                case 3:
                    e.export_marker = "appt-" + e.id;
                    blocks = false;
                    break;
                case 4:
                    e.status = calsync::EventStatus::tentative;
                    break;
                case 5:
                    e.owner_response = calsync::Response::needs_action;
                    break;
                default:
                    break;
            }
            if (blocks && b > 0 && a < kMinutes) {
                ++blocking;
                for (int m = std::max(a, 0); m < std::min(b, kMinutes); ++m)
                    grid[m] = true;
            }
            events.push_back(e);
        }
        // Half the rounds load at once, half one event at a time.
        if (round % 2 == 0) {
            engine->load(events);
        } else {
            for (const auto& e : events)
                engine->upsert(e);
        }
        REQUIRE(engine->slot_count() == blocking);
        // Busy time inside the window, minute by minute.
        std::vector<bool> from_busy(grid.size(), false);
        for (const TimeRange& r : engine->busy()) {
            for (auto t = r.start; t < r.end; t += std::chrono::minutes(1)) {
                const auto m = (t - kBase) / std::chrono::minutes(1);
                if (m >= 0 && m < kMinutes)
                    from_busy[m] = true;
            }
        }
        REQUIRE(from_busy == grid);
        // And the slots alone give the same grid.
        std::vector<bool> from_slots(grid.size(), false);
        for (const auto& s : engine->slots()) {
            for (auto t = s.range.start; t < s.range.end; t += std::chrono::minutes(1)) {
                const auto m = (t - kBase) / std::chrono::minutes(1);
                if (m >= 0 && m < kMinutes)
                    from_slots[m] = true;
            }
        }
        REQUIRE(from_slots == grid);
    }
}
