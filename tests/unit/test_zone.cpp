// Time zones (src/core/zone.cpp, zone_catalog.cpp) and civil time (civil_time.cpp).
#include <catch2/catch.hpp>

#include "calsync/zone.hpp"

using calsync::CivilDateTime;
using calsync::find_iana_zone;
using calsync::format_rfc3339;

namespace {

std::string instant_of(const char* zone, CivilDateTime local) {
    return format_rfc3339(find_iana_zone(zone).value()->to_instant(local));
}

CivilDateTime local(int y, int mo, int d, int h, int mi) {
    return {{y, mo, d}, h, mi, 0};
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

TEST_CASE("civil time", "[civil_time]") {
    SECTION("day numbers round-trip, leap years included") {
        for (std::int64_t d = -800000; d < 800000; d += 997)
            REQUIRE(calsync::days_from_civil(calsync::civil_from_days(d)) == d);
        CHECK(calsync::days_from_civil({1970, 1, 1}) == 0);
        CHECK(calsync::days_from_civil({2000, 3, 1}) - calsync::days_from_civil({2000, 2, 28}) ==
              2);
        CHECK(calsync::days_in_month(2100, 2) == 28);
        CHECK(calsync::iso_weekday({2026, 1, 1}) == 3);  // a Thursday; 0 is Monday
    }
    SECTION("RFC 3339 with Z, offsets and fractions") {
        CHECK(format_rfc3339(calsync::parse_rfc3339("2026-03-29T03:30:00+02:00").value()) ==
              "2026-03-29T01:30:00Z");
        CHECK(format_rfc3339(calsync::parse_rfc3339("2026-03-29T01:30:00.250Z").value()) ==
              "2026-03-29T01:30:00Z");
        auto bad = calsync::parse_rfc3339("2026-02-30T00:00:00Z");
        REQUIRE_FALSE(bad.ok());
        CHECK_THAT(bad.error().message, Catch::Contains("2026-02-30T00:00:00Z"));
        CHECK_FALSE(calsync::parse_rfc3339("2026-03-29T01:30:00").ok());  // no zone
    }
}
