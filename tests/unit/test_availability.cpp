// Availability (src/engine/availability.cpp); the brute-force minute-grid properties are in
// test_busy_property.cpp.
#include <catch2/catch.hpp>

#include "calsync/availability.hpp"

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

TEST_CASE("merge_intervals edge cases", "[availability]") {
    SECTION("nothing in, nothing out") {
        CHECK(calsync::merge_intervals({}).empty());
    }
    SECTION("one interval is itself") {
        CHECK(calsync::merge_intervals({minutes(5, 9)}) == std::vector<TimeRange>{minutes(5, 9)});
    }
    SECTION("duplicates collapse") {
        CHECK(calsync::merge_intervals({minutes(5, 9), minutes(5, 9), minutes(5, 9)}) ==
              std::vector<TimeRange>{minutes(5, 9)});
    }
    SECTION("a chain of touching intervals in reverse order is one run") {
        CHECK(calsync::merge_intervals({minutes(30, 40), minutes(20, 30), minutes(10, 20),
                                        minutes(0, 10)}) == std::vector<TimeRange>{minutes(0, 40)});
    }
    SECTION("nested and a long one swallowing later short ones") {
        CHECK(calsync::merge_intervals({minutes(0, 100), minutes(10, 20), minutes(30, 40),
                                        minutes(99, 101), minutes(102, 103)}) ==
              std::vector<TimeRange>{minutes(0, 101), minutes(102, 103)});
    }
    SECTION("reversed and empty ranges vanish, even between real ones") {
        CHECK(calsync::merge_intervals(
                  {minutes(0, 10), minutes(10, 10), minutes(50, 20), minutes(20, 30)}) ==
              std::vector<TimeRange>{minutes(0, 10), minutes(20, 30)});
    }
    SECTION("a gap of one second keeps two runs apart") {
        const TimeRange a{kBase, kBase + std::chrono::seconds(60)};
        const TimeRange b{kBase + std::chrono::seconds(61), kBase + std::chrono::seconds(90)};
        CHECK(calsync::merge_intervals({b, a}) == std::vector<TimeRange>{a, b});
    }
}

TEST_CASE("the index keeps its busy time merged", "[availability]") {
    const AvailabilityIndex index(
        {minutes(30, 40), minutes(0, 10), minutes(5, 15), minutes(40, 45), minutes(60, 60)});
    CHECK(index.busy() == std::vector<TimeRange>{minutes(0, 15), minutes(30, 45)});
    CHECK(AvailabilityIndex().busy().empty());
}

TEST_CASE("is_free edges", "[availability]") {
    const AvailabilityIndex index({minutes(60, 120), minutes(180, 240)});
    SECTION("before, between and after all busy time") {
        CHECK(index.is_free(minutes(-600, -1)));
        CHECK(index.is_free(minutes(130, 170)));
        CHECK(index.is_free(minutes(240, 10000)));
    }
    SECTION("touching either end of a busy run is free") {
        CHECK(index.is_free(minutes(30, 60)));
        CHECK(index.is_free(minutes(120, 150)));
        CHECK(index.is_free(minutes(240, 241)));
    }
    SECTION("a single second of overlap is not") {
        const auto sec = [](int m, int s) {
            return kBase + std::chrono::minutes(m) + std::chrono::seconds(s);
        };
        CHECK_FALSE(index.is_free({sec(59, 1), sec(60, 1)}));
        CHECK_FALSE(index.is_free({sec(119, 59), sec(125, 0)}));
        CHECK_FALSE(index.is_free({sec(239, 59), sec(240, 0)}));
    }
    SECTION("exactly a busy run, inside one, or spanning both") {
        CHECK_FALSE(index.is_free(minutes(60, 120)));
        CHECK_FALSE(index.is_free(minutes(61, 62)));
        CHECK_FALSE(index.is_free(minutes(100, 200)));
    }
    SECTION("an empty range is free even inside busy time") {
        CHECK(index.is_free(minutes(90, 90)));
        CHECK(index.is_free(minutes(100, 80)));
    }
    SECTION("an index with nothing busy") {
        CHECK(AvailabilityIndex().is_free(minutes(0, 100000)));
        CHECK(AvailabilityIndex(std::vector<TimeRange>{}).is_free(minutes(0, 1)));
    }
}

TEST_CASE("free_slots edges", "[availability]") {
    using std::chrono::minutes;
    const auto m = [](int from, int to) { return ::minutes(from, to); };
    SECTION("steps count from within.start, not from the hour") {
        const AvailabilityIndex index({m(60, 90)});
        // Starts 7, 22, then 37 to 82 overlap the busy run, 97 ends at the end of the range.
        CHECK(index.free_slots(m(7, 127), minutes(30), minutes(15)) ==
              std::vector<TimeRange>{m(7, 37), m(22, 52), m(97, 127)});
    }
    SECTION("slots may end where busy time starts and start where it ends") {
        const AvailabilityIndex index({m(60, 90)});
        CHECK(index.free_slots(m(0, 150), minutes(30), minutes(30)) ==
              std::vector<TimeRange>{m(0, 30), m(30, 60), m(90, 120), m(120, 150)});
    }
    SECTION("after busy time the next start is the next step, not the end of the busy run") {
        const AvailabilityIndex index({m(100, 110)});
        CHECK(index.free_slots(m(0, 240), minutes(15), minutes(100)) ==
              std::vector<TimeRange>{m(0, 15), m(200, 215)});
    }
    SECTION("gaps shorter than the duration are skipped") {
        const AvailabilityIndex index({m(30, 50), m(60, 100)});
        CHECK(index.free_slots(m(0, 150), minutes(20), minutes(5)) ==
              std::vector<TimeRange>{m(0, 20), m(5, 25), m(10, 30), m(100, 120), m(105, 125),
                                     m(110, 130), m(115, 135), m(120, 140), m(125, 145),
                                     m(130, 150)});
    }
    SECTION("a range that starts inside busy time") {
        const AvailabilityIndex index({m(0, 60)});
        // Aligned starts after 60 counted from 30: 70 and 90.
        CHECK(index.free_slots(m(30, 120), minutes(30), minutes(20)) ==
              std::vector<TimeRange>{m(70, 100), m(90, 120)});
    }
    SECTION("a duration longer than the range gives nothing; an equal one gives one slot") {
        const AvailabilityIndex index;
        CHECK(index.free_slots(m(0, 50), minutes(60), minutes(5)).empty());
        CHECK(index.free_slots(m(0, 60), minutes(60), minutes(5)) ==
              std::vector<TimeRange>{m(0, 60)});
    }
    SECTION("nothing busy: every step") {
        const AvailabilityIndex index;
        CHECK(index.free_slots(m(0, 60), minutes(20), minutes(10)) ==
              std::vector<TimeRange>{m(0, 20), m(10, 30), m(20, 40), m(30, 50), m(40, 60)});
    }
    SECTION("busy time outside the range does not matter") {
        const AvailabilityIndex index({m(-100, 0), m(60, 200)});
        CHECK(index.free_slots(m(0, 60), minutes(30), minutes(30)) ==
              std::vector<TimeRange>{m(0, 30), m(30, 60)});
    }
}

TEST_CASE("bounded_free_slots: at most the limit, refused beyond it", "[availability]") {
    const AvailabilityIndex index({minutes(60, 90)});
    // 0, 10, 20 ... 170 minus the starts overlapping 60-90: 0..50 and 90..170, 15 windows.
    const auto within = minutes(0, 180);
    SECTION("exactly the limit is the whole answer") {
        auto free = calsync::bounded_free_slots(index, within, std::chrono::minutes(10),
                                                std::chrono::minutes(10), 15);
        REQUIRE(free.ok());
        CHECK(free->size() == 15);
        CHECK(free.value() ==
              index.free_slots(within, std::chrono::minutes(10), std::chrono::minutes(10)));
    }
    SECTION("one more than the limit is an error naming it") {
        auto free = calsync::bounded_free_slots(index, within, std::chrono::minutes(10),
                                                std::chrono::minutes(10), 14);
        REQUIRE_FALSE(free.ok());
        CHECK(free.error().code == calsync::ErrorCode::limit_exceeded);
        CHECK_THAT(free.error().message, Catch::Contains("more than 14 windows"));
    }
    SECTION("busy time does not count: a long busy range with a fine step is fine") {
        const AvailabilityIndex busy_year({{kBase, kBase + std::chrono::hours(24 * 365)}});
        auto free = calsync::bounded_free_slots(
            busy_year, {kBase, kBase + std::chrono::hours(24 * 365) + std::chrono::minutes(3)},
            std::chrono::minutes(1), std::chrono::seconds(1), 1000);
        REQUIRE(free.ok());
        CHECK(free->size() == 121);  // the three free minutes' one-minute windows by seconds
    }
}

TEST_CASE("free_slots stops after at_most windows, the first ones", "[availability]") {
    const AvailabilityIndex index({minutes(60, 90)});
    const auto all =
        index.free_slots(minutes(0, 180), std::chrono::minutes(10), std::chrono::minutes(10));
    const auto first =
        index.free_slots(minutes(0, 180), std::chrono::minutes(10), std::chrono::minutes(10), 4);
    CHECK(first == std::vector<TimeRange>(all.begin(), all.begin() + 4));
}
