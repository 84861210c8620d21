// windows_zones.cpp (src/core) and the table generated from CLDR at build time.
#include <catch2/catch.hpp>
#include <set>
#include <string>

#include "calsync/zone.hpp"
#include "core/windows_zones.hpp"

using calsync::iana_from_windows;
using calsync::kWindowsZoneCount;
using calsync::kWindowsZones;

TEST_CASE("windows zones: names Graph writes map to CLDR's territory-001 zone") {
    CHECK(iana_from_windows("Pacific Standard Time") == "America/Los_Angeles");
    CHECK(iana_from_windows("W. Europe Standard Time") == "Europe/Berlin");
    CHECK(iana_from_windows("GMT Standard Time") == "Europe/London");
    CHECK(iana_from_windows("AUS Eastern Standard Time") == "Australia/Sydney");
    // Not the US territory's zone, nor the "ZZ" alias PST8PDT: the 001 default.
    CHECK(iana_from_windows("Pacific Standard Time (Mexico)") == "America/Tijuana");
    CHECK(iana_from_windows("UTC") == "Etc/UTC");
}

TEST_CASE("windows zones: unknown and near-miss names are not guessed") {
    CHECK_FALSE(iana_from_windows("Pacific Standard Time ").has_value());
    CHECK_FALSE(iana_from_windows("pacific standard time").has_value());
    CHECK_FALSE(iana_from_windows("tzone://Microsoft/Custom").has_value());
    CHECK_FALSE(iana_from_windows("").has_value());
}

TEST_CASE("windows zones: the generated table is whole and every zone is in tzdata") {
    // CLDR 41 (Debian 12's unicode-cldr-core) has 139 Windows names.
    CHECK(kWindowsZoneCount >= 130);
    std::set<std::string> names;
    for (std::size_t i = 0; i < kWindowsZoneCount; ++i) {
        INFO(kWindowsZones[i].windows);
        CHECK(names.insert(kWindowsZones[i].windows).second);  // one entry per name
        CHECK(calsync::find_iana_zone(kWindowsZones[i].iana).ok());
    }
}
