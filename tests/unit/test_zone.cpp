// Time zones (src/core/zone.cpp, zone_catalog.cpp). Expected instants are worked out from
// the zone rules by hand and were checked against Python's zoneinfo on Debian's tzdata.
#include <catch2/catch.hpp>
#include <thread>

#include "calsync/zone.hpp"

using calsync::CivilDateTime;
using calsync::find_iana_zone;
using calsync::format_rfc3339;
using calsync::TimeZone;

namespace {

std::string instant_of(const char* zone, CivilDateTime local) {
    return format_rfc3339(find_iana_zone(zone).value()->to_instant(local));
}

CivilDateTime local(int y, int mo, int d, int h, int mi) {
    return {{y, mo, d}, h, mi, 0};
}

calsync::Instant at(const char* text) {
    return calsync::parse_rfc3339(text).value();
}

int offset_at(const char* zone, const char* instant) {
    return find_iana_zone(zone).value()->offset_at(at(instant));
}

}  // namespace

TEST_CASE("IANA zones from the system database", "[zone]") {
    SECTION("Berlin in winter and summer") {
        CHECK(instant_of("Europe/Berlin", local(2026, 1, 15, 12, 0)) == "2026-01-15T11:00:00Z");
        CHECK(instant_of("Europe/Berlin", local(2026, 7, 15, 12, 0)) == "2026-07-15T10:00:00Z");
    }
    SECTION("the spring gap reads with the offset before it (RFC 5545 3.3.5)") {
        CHECK(instant_of("Europe/Berlin", local(2026, 3, 29, 2, 30)) == "2026-03-29T01:30:00Z");
        CHECK(instant_of("America/New_York", local(2026, 3, 8, 2, 30)) == "2026-03-08T07:30:00Z");
    }
    SECTION("the autumn overlap takes the first occurrence") {
        CHECK(instant_of("Europe/Berlin", local(2026, 10, 25, 2, 30)) == "2026-10-25T00:30:00Z");
        CHECK(instant_of("America/New_York", local(2026, 11, 1, 1, 30)) == "2026-11-01T05:30:00Z");
    }
    SECTION("half-hour DST (Lord Howe: +10:30 in winter, +11:00 in summer)") {
        CHECK(instant_of("Australia/Lord_Howe", local(2026, 7, 1, 12, 0)) ==
              "2026-07-01T01:30:00Z");
        CHECK(instant_of("Australia/Lord_Howe", local(2026, 1, 1, 12, 0)) ==
              "2026-01-01T01:00:00Z");
    }
    SECTION("start of a DST day and local time back from an instant") {
        auto berlin = find_iana_zone("Europe/Berlin").value();
        CHECK(format_rfc3339(berlin->start_of_day({2026, 3, 29})) == "2026-03-28T23:00:00Z");
        const auto t = calsync::parse_rfc3339("2026-03-29T01:30:00Z").value();
        CHECK(calsync::format_local(berlin->to_local(t)) == "2026-03-29T03:30:00");
        CHECK(berlin->offset_at(t) == 7200);
    }
    SECTION("UTC names and libical's prefixed TZIDs") {
        CHECK(find_iana_zone("Etc/UTC").value()->name() == "UTC");
        CHECK(instant_of("/freeassociation.sourceforge.net/Europe/Berlin",
                         local(2026, 1, 15, 12, 0)) == "2026-01-15T11:00:00Z");
    }
    SECTION("unknown names are an unknown_zone error naming them") {
        for (const char* bad : {"Mars/Olympus_Mons", "../../etc/passwd", ""}) {
            auto z = find_iana_zone(bad);
            REQUIRE_FALSE(z.ok());
            CHECK(z.error().code == calsync::ErrorCode::unknown_zone);
            CHECK_THAT(z.error().message, Catch::Contains(std::string("'") + bad + "'"));
        }
    }
}

TEST_CASE("the offset in force at an instant", "[zone]") {
    SECTION("winter and summer") {
        CHECK(offset_at("Europe/Berlin", "2026-01-15T12:00:00Z") == 3600);
        CHECK(offset_at("Europe/Berlin", "2026-07-15T12:00:00Z") == 7200);
        CHECK(offset_at("America/New_York", "2026-01-15T12:00:00Z") == -18000);
        CHECK(offset_at("America/New_York", "2026-07-15T12:00:00Z") == -14400);
        // Southern hemisphere: summer in January.
        CHECK(offset_at("Australia/Lord_Howe", "2026-01-15T12:00:00Z") == 39600);
        CHECK(offset_at("Australia/Lord_Howe", "2026-07-15T12:00:00Z") == 37800);
        CHECK(offset_at("Asia/Kathmandu", "2026-07-15T12:00:00Z") == 20700);  // +05:45
    }
    SECTION("the change happens at the exact second (EU: 01:00 UTC on the last Sunday)") {
        CHECK(offset_at("Europe/Berlin", "2026-03-29T00:59:59Z") == 3600);
        CHECK(offset_at("Europe/Berlin", "2026-03-29T01:00:00Z") == 7200);
        CHECK(offset_at("Europe/Berlin", "2026-10-25T00:59:59Z") == 7200);
        CHECK(offset_at("Europe/Berlin", "2026-10-25T01:00:00Z") == 3600);
        // US: 02:00 local, which is 07:00Z in March (EST) and 06:00Z in November (EDT).
        CHECK(offset_at("America/New_York", "2026-03-08T06:59:59Z") == -18000);
        CHECK(offset_at("America/New_York", "2026-03-08T07:00:00Z") == -14400);
        CHECK(offset_at("America/New_York", "2026-11-01T05:59:59Z") == -14400);
        CHECK(offset_at("America/New_York", "2026-11-01T06:00:00Z") == -18000);
    }
    SECTION("history: the rules of the year, not today's") {
        // 1995: the EU summer time still ended on the last Sunday of September (the 24th).
        CHECK(instant_of("Europe/Berlin", local(1995, 9, 30, 12, 0)) == "1995-09-30T11:00:00Z");
        // West Germany had no summer time from 1950 to 1979.
        CHECK(instant_of("Europe/Berlin", local(1975, 7, 1, 12, 0)) == "1975-07-01T11:00:00Z");
    }
}

TEST_CASE("local times around a change", "[zone]") {
    auto berlin = find_iana_zone("Europe/Berlin").value();
    SECTION("both instants of the autumn overlap show the same wall time") {
        CHECK(calsync::format_local(berlin->to_local(at("2026-10-25T00:30:00Z"))) ==
              "2026-10-25T02:30:00");
        CHECK(calsync::format_local(berlin->to_local(at("2026-10-25T01:30:00Z"))) ==
              "2026-10-25T02:30:00");
    }
    SECTION("the edges of the gap: 01:59:59 is still winter, 03:00 already summer") {
        CHECK(format_rfc3339(berlin->to_instant({{2026, 3, 29}, 1, 59, 59})) ==
              "2026-03-29T00:59:59Z");
        CHECK(format_rfc3339(berlin->to_instant({{2026, 3, 29}, 2, 0, 0})) ==
              "2026-03-29T01:00:00Z");
        CHECK(format_rfc3339(berlin->to_instant({{2026, 3, 29}, 3, 0, 0})) ==
              "2026-03-29T01:00:00Z");
    }
    SECTION("the edges of the overlap: 02:00 is the first, 03:00 only exists once") {
        CHECK(format_rfc3339(berlin->to_instant({{2026, 10, 25}, 2, 0, 0})) ==
              "2026-10-25T00:00:00Z");
        CHECK(format_rfc3339(berlin->to_instant({{2026, 10, 25}, 2, 59, 59})) ==
              "2026-10-25T00:59:59Z");
        CHECK(format_rfc3339(berlin->to_instant({{2026, 10, 25}, 3, 0, 0})) ==
              "2026-10-25T02:00:00Z");
    }
    SECTION("every quarter hour of 2026 survives the round trip, except in the gap") {
        for (std::int64_t s = calsync::civil_seconds({{2026, 1, 1}, 0, 0, 0});
             s < calsync::civil_seconds({{2027, 1, 1}, 0, 0, 0}); s += 900) {
            const CivilDateTime wall = calsync::civil_from_seconds(s);
            const auto instant = berlin->to_instant(wall);
            if (wall.date == calsync::CivilDate{2026, 3, 29} && wall.hour == 2) {
                // Nonexistent: read with the winter offset (+01:00).
                REQUIRE(calsync::to_unix(instant) == s - 3600);
            } else {
                INFO(calsync::format_local(wall));
                REQUIRE(berlin->to_local(instant) == wall);
            }
        }
    }
    SECTION("Lord Howe's half-hour gap and overlap") {
        // First Sunday of October 2026 (the 4th): 02:00 +10:30 jumps to 02:30 +11:00; a
        // nonexistent 02:15 is read with +10:30.
        CHECK(instant_of("Australia/Lord_Howe", local(2026, 10, 4, 2, 15)) ==
              "2026-10-03T15:45:00Z");
        // First Sunday of April 2026 (the 5th): 02:00 +11:00 falls back to 01:30 +10:30;
        // 01:45 happens twice, first at +11:00.
        CHECK(instant_of("Australia/Lord_Howe", local(2026, 4, 5, 1, 45)) ==
              "2026-04-04T14:45:00Z");
    }
}

TEST_CASE("start of day on days that change", "[zone]") {
    SECTION("Berlin's DST days are 23 and 25 hours long") {
        auto berlin = find_iana_zone("Europe/Berlin").value();
        CHECK(format_rfc3339(berlin->start_of_day({2026, 10, 25})) == "2026-10-24T22:00:00Z");
        CHECK(berlin->start_of_day({2026, 3, 30}) - berlin->start_of_day({2026, 3, 29}) ==
              std::chrono::hours(23));
        CHECK(berlin->start_of_day({2026, 10, 26}) - berlin->start_of_day({2026, 10, 25}) ==
              std::chrono::hours(25));
    }
    SECTION("Havana changes at midnight, so the day starts in a gap or an overlap") {
        auto havana = find_iana_zone("America/Havana").value();
        // 8 March 2026: 00:00 CST (-05:00) jumps to 01:00 CDT. The nonexistent midnight is
        // read with -05:00: 05:00Z, the instant the day really begins.
        CHECK(format_rfc3339(havana->start_of_day({2026, 3, 8})) == "2026-03-08T05:00:00Z");
        // 1 November 2026: 01:00 CDT falls back to 00:00 CST; the first midnight is at
        // -04:00.
        CHECK(format_rfc3339(havana->start_of_day({2026, 11, 1})) == "2026-11-01T04:00:00Z");
    }
}

TEST_CASE("a zone given as a transition table", "[zone]") {
    // +01:00 from 1 March 2026 00:00Z, back to UTC from 1 June 2026 00:00Z; given out of
    // order on purpose.
    const TimeZone zone("Test/Table", 0,
                        {{calsync::to_unix(at("2026-06-01T00:00:00Z")), 0},
                         {calsync::to_unix(at("2026-03-01T00:00:00Z")), 3600}});
    CHECK(zone.name() == "Test/Table");
    CHECK(zone.offset_at(at("2026-02-28T23:59:59Z")) == 0);
    CHECK(zone.offset_at(at("2026-03-01T00:00:00Z")) == 3600);
    CHECK(zone.offset_at(at("2026-06-01T00:00:00Z")) == 0);
    // Wall clocks skip 00:00-01:00 on 1 March: 00:30 is read with the offset before (0).
    CHECK(format_rfc3339(zone.to_instant(local(2026, 3, 1, 0, 30))) == "2026-03-01T00:30:00Z");
    // Wall clocks show 00:00-01:00 on 1 June twice: first at +01:00.
    CHECK(format_rfc3339(zone.to_instant(local(2026, 6, 1, 0, 30))) == "2026-05-31T23:30:00Z");
    CHECK(format_rfc3339(zone.to_instant(local(2026, 4, 1, 12, 0))) == "2026-04-01T11:00:00Z");
}

TEST_CASE("UTC under its IANA names", "[zone]") {
    for (const char* name : {"UTC", "Etc/UTC", "GMT"}) {
        INFO(name);
        auto z = find_iana_zone(name);
        REQUIRE(z.ok());
        CHECK(z.value()->offset_at(at("2026-07-01T12:00:00Z")) == 0);
        CHECK(format_rfc3339(z.value()->to_instant(local(2026, 7, 1, 12, 0))) ==
              "2026-07-01T12:00:00Z");
    }
    CHECK(TimeZone::utc()->name() == "UTC");
    CHECK(TimeZone::utc()->offset_at(at("2026-07-01T12:00:00Z")) == 0);
}

TEST_CASE("prefixed TZIDs written by other clients", "[zone]") {
    for (const char* name : {"/freeassociation.sourceforge.net/Tzfile/Europe/Berlin",
                             "/mozilla.org/20050126_1/Europe/Berlin"}) {
        INFO(name);
        auto z = find_iana_zone(name);
        REQUIRE(z.ok());
        CHECK(format_rfc3339(z.value()->to_instant(local(2026, 7, 15, 12, 0))) ==
              "2026-07-15T10:00:00Z");
    }
}

TEST_CASE("names that are not zones", "[zone]") {
    for (const char* bad : {"Europe/Berlinn", "Not A Zone", "Europe", "/Europe/Nowhere"}) {
        auto z = find_iana_zone(bad);
        INFO(bad);
        REQUIRE_FALSE(z.ok());
        CHECK(z.error().code == calsync::ErrorCode::unknown_zone);
        CHECK_THAT(z.error().message, Catch::Contains(std::string("'") + bad + "'"));
    }
}

TEST_CASE("zones are cached and can be looked up from several threads", "[zone]") {
    const auto first = find_iana_zone("Europe/Berlin").value();
    CHECK(find_iana_zone("Europe/Berlin").value() == first);

    const char* names[] = {"Europe/Berlin", "America/New_York", "Asia/Tokyo",
                           "Australia/Lord_Howe"};
    std::vector<calsync::ZonePtr> seen[4];
    std::vector<std::thread> threads;
    for (int i = 0; i < 4; ++i) {
        threads.emplace_back([&, i] {
            for (int k = 0; k < 200; ++k) {
                auto z = find_iana_zone(names[(i + k) % 4]);
                seen[i].push_back(z.ok() ? z.value() : nullptr);
            }
        });
    }
    for (auto& t : threads)
        t.join();
    for (int i = 0; i < 4; ++i) {
        for (int k = 0; k < 200; ++k) {
            REQUIRE(seen[i][k] != nullptr);
            CHECK(seen[i][k] == find_iana_zone(names[(i + k) % 4]).value());
        }
    }
}
