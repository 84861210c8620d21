// Availability (src/engine/availability.cpp), with a property test against a brute-force
// minute grid.
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

TEST_CASE("merge_intervals", "[availability]") {
    SECTION("overlapping, touching, nested and unsorted become disjoint runs") {
        const auto merged =
            calsync::merge_intervals({minutes(50, 60), minutes(0, 10), minutes(10, 20),
                                      minutes(5, 8), minutes(30, 40), minutes(35, 45)});
        CHECK(merged == std::vector<TimeRange>{minutes(0, 20), minutes(30, 45), minutes(50, 60)});
    }
    SECTION("empty ranges vanish") {
        CHECK(calsync::merge_intervals({minutes(5, 5)}).empty());
    }
}

TEST_CASE("is_free", "[availability]") {
    const AvailabilityIndex index({minutes(60, 120), minutes(180, 240)});
    CHECK(index.is_free(minutes(0, 60)));     // ends where busy starts
    CHECK(index.is_free(minutes(120, 180)));  // between two busy runs, touching both
    CHECK_FALSE(index.is_free(minutes(119, 121)));
    CHECK_FALSE(index.is_free(minutes(0, 300)));  // covers a whole busy run
    CHECK_FALSE(index.is_free(minutes(200, 210)));
    CHECK(index.is_free(minutes(70, 70)));  // empty range
}

TEST_CASE("free_slots", "[availability]") {
    const AvailabilityIndex index({minutes(60, 90)});
    SECTION("step-aligned to the start of the range, skipping busy time") {
        const auto free =
            index.free_slots(minutes(0, 180), std::chrono::minutes(30), std::chrono::minutes(20));
        // Starts 0, 20, 40 (ends 70: busy), 60, 80 busy; 100, 120, 140; 160 ends 190: out.
        std::vector<TimeRange> expected{minutes(0, 30), minutes(20, 50), minutes(100, 130),
                                        minutes(120, 150), minutes(140, 170)};
        CHECK(free == expected);
    }
    SECTION("a slot ending exactly at the end of the range is included") {
        CHECK(index.free_slots(minutes(90, 150), std::chrono::minutes(60),
                               std::chrono::minutes(60)) ==
              std::vector<TimeRange>{minutes(90, 150)});
    }
    SECTION("none when the range is busy") {
        CHECK(index.free_slots(minutes(60, 90), std::chrono::minutes(10), std::chrono::minutes(5))
                  .empty());
    }
}

TEST_CASE("merged intervals and is_free agree with a minute grid (property)", "[availability]") {
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
          "[availability]") {
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
