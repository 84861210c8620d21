// Civil time (src/core/civil_time.cpp): day numbers, weekdays and the RFC 3339 / ISO 8601
// text forms. Expected day numbers were worked out by hand and checked against Python's
// proleptic Gregorian `date`.
#include <catch2/catch.hpp>

#include "calsync/civil_time.hpp"

using calsync::CivilDate;
using calsync::CivilDateTime;
using calsync::days_from_civil;
using calsync::format_rfc3339;
using calsync::parse_rfc3339;

namespace {

// The Gregorian rule written out here, so the walk below does not lean on the code under
// test for month lengths.
bool leap(int y) {
    return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

CivilDate next_day(CivilDate d) {
    static const int kLength[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    const int length = d.month == 2 && leap(d.year) ? 29 : kLength[d.month - 1];
    if (++d.day > length) {
        d.day = 1;
        if (++d.month > 12) {
            d.month = 1;
            ++d.year;
        }
    }
    return d;
}

std::string rfc3339(const char* text) {
    auto t = parse_rfc3339(text);
    REQUIRE(t.ok());
    return format_rfc3339(t.value());
}

}  // namespace

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

TEST_CASE("day numbers of known dates", "[civil_time]") {
    CHECK(days_from_civil({1969, 12, 31}) == -1);
    // 56 years of 365 days plus 14 leap days (1972 ... 2024).
    CHECK(days_from_civil({2026, 1, 1}) == 20454);
    // 2000-01-01 is day 10957; January has 31 days and February 2000 has 29.
    CHECK(days_from_civil({2000, 3, 1}) == 11017);
    CHECK(days_from_civil({1600, 3, 1}) == -135080);
    CHECK(days_from_civil({1, 1, 1}) == -719162);
    CHECK(calsync::civil_from_days(-1) == CivilDate{1969, 12, 31});
    CHECK(calsync::civil_from_days(20454) == CivilDate{2026, 1, 1});
    CHECK(calsync::civil_from_days(-719162) == CivilDate{1, 1, 1});
}

TEST_CASE("consecutive day numbers are consecutive dates, 1600 to 2400", "[civil_time]") {
    // Walks 800 years a day at a time with the Gregorian rule written out above: every
    // century year, every 400-year exception and every month end is crossed.
    CivilDate date{1600, 3, 1};
    for (std::int64_t n = days_from_civil(date); date.year < 2400; ++n) {
        REQUIRE(calsync::civil_from_days(n) == date);
        REQUIRE(days_from_civil(date) == n);
        date = next_day(date);
    }
}

TEST_CASE("leap years and month lengths", "[civil_time]") {
    SECTION("the 4, 100 and 400 year rules") {
        CHECK(calsync::days_in_month(2024, 2) == 29);
        CHECK(calsync::days_in_month(2026, 2) == 28);
        CHECK(calsync::days_in_month(1900, 2) == 28);
        CHECK(calsync::days_in_month(2000, 2) == 29);
        CHECK(calsync::days_in_month(2026, 4) == 30);
        CHECK(calsync::days_in_month(2026, 12) == 31);
    }
    SECTION("29 February exists only in leap years") {
        CHECK(calsync::is_valid_date({2024, 2, 29}));
        CHECK(calsync::is_valid_date({2000, 2, 29}));
        CHECK_FALSE(calsync::is_valid_date({1900, 2, 29}));
        CHECK_FALSE(calsync::is_valid_date({2026, 2, 29}));
        CHECK_FALSE(calsync::is_valid_date({2026, 4, 31}));
        CHECK_FALSE(calsync::is_valid_date({2026, 13, 1}));
        CHECK_FALSE(calsync::is_valid_date({2026, 0, 1}));
        CHECK_FALSE(calsync::is_valid_date({2026, 1, 0}));
    }
    SECTION("day counts across the end of February") {
        CHECK(days_from_civil({2024, 3, 1}) - days_from_civil({2024, 2, 28}) == 2);
        CHECK(days_from_civil({2026, 3, 1}) - days_from_civil({2026, 2, 28}) == 1);
        CHECK(days_from_civil({1900, 3, 1}) - days_from_civil({1900, 2, 28}) == 1);
        CHECK(days_from_civil({2025, 1, 1}) - days_from_civil({2024, 1, 1}) == 366);
        CHECK(days_from_civil({2101, 1, 1}) - days_from_civil({2100, 1, 1}) == 365);
    }
    SECTION("add_days crosses months and years both ways") {
        CHECK(calsync::add_days({2024, 2, 28}, 1) == CivilDate{2024, 2, 29});
        CHECK(calsync::add_days({2026, 12, 31}, 1) == CivilDate{2027, 1, 1});
        CHECK(calsync::add_days({2026, 3, 1}, -1) == CivilDate{2026, 2, 28});
        CHECK(calsync::add_days({2026, 1, 1}, 365) == CivilDate{2027, 1, 1});
    }
}

TEST_CASE("ISO weekdays", "[civil_time]") {
    // 0 = Monday ... 6 = Sunday.
    CHECK(calsync::iso_weekday({1970, 1, 1}) == 3);   // Thursday
    CHECK(calsync::iso_weekday({2026, 1, 5}) == 0);   // Monday
    CHECK(calsync::iso_weekday({2026, 3, 29}) == 6);  // Sunday, Europe's spring change
    CHECK(calsync::iso_weekday({2000, 1, 1}) == 5);   // Saturday
    CHECK(calsync::iso_weekday({2024, 2, 29}) == 3);  // Thursday
    // Before the epoch the day number is negative.
    CHECK(calsync::iso_weekday({1969, 12, 28}) == 6);  // Sunday
    CHECK(calsync::iso_weekday({1969, 12, 29}) == 0);  // Monday
    CHECK(calsync::iso_weekday({1600, 1, 1}) == 5);    // Saturday
}

TEST_CASE("civil seconds", "[civil_time]") {
    CHECK(calsync::civil_seconds({{1970, 1, 1}, 0, 0, 0}) == 0);
    CHECK(calsync::civil_seconds({{2026, 3, 29}, 1, 30, 0}) == 1774747800);
    CHECK(calsync::civil_from_seconds(1774747800) == CivilDateTime{{2026, 3, 29}, 1, 30, 0});
    // The second before the epoch is the last of 31 December 1969, not a negative time.
    CHECK(calsync::civil_from_seconds(-1) == CivilDateTime{{1969, 12, 31}, 23, 59, 59});
    CHECK(calsync::civil_from_seconds(-86400) == CivilDateTime{{1969, 12, 31}, 0, 0, 0});
}

TEST_CASE("civil dates and times order as the calendar does", "[civil_time]") {
    CHECK(CivilDate{2026, 1, 31} < CivilDate{2026, 2, 1});
    CHECK(CivilDate{2025, 12, 31} < CivilDate{2026, 1, 1});
    CHECK_FALSE(CivilDate{2026, 2, 1} < CivilDate{2026, 2, 1});
    CHECK(CivilDateTime{{2026, 1, 1}, 23, 59, 59} < CivilDateTime{{2026, 1, 2}, 0, 0, 0});
    CHECK(CivilDateTime{{2026, 1, 1}, 9, 0, 0} < CivilDateTime{{2026, 1, 1}, 9, 0, 1});
    CHECK_FALSE(CivilDateTime{{2026, 1, 1}, 9, 0, 0} < CivilDateTime{{2026, 1, 1}, 8, 59, 59});
}

TEST_CASE("format_rfc3339", "[civil_time]") {
    CHECK(format_rfc3339(calsync::instant_from_unix(0)) == "1970-01-01T00:00:00Z");
    CHECK(format_rfc3339(calsync::instant_from_unix(1774747800)) == "2026-03-29T01:30:00Z");
    CHECK(format_rfc3339(calsync::instant_from_unix(-1)) == "1969-12-31T23:59:59Z");
    CHECK(format_rfc3339(calsync::instant_from_unix(951782400)) == "2000-02-29T00:00:00Z");
}

TEST_CASE("parse_rfc3339 accepts Z, numeric offsets and fractions", "[civil_time]") {
    SECTION("Z, in either case (RFC 3339 5.6 allows lower-case t and z)") {
        CHECK(calsync::to_unix(parse_rfc3339("2026-03-29T01:30:00Z").value()) == 1774747800);
        CHECK(rfc3339("2026-03-29t01:30:00z") == "2026-03-29T01:30:00Z");
    }
    SECTION("numeric offsets are subtracted, crossing the date line of UTC") {
        CHECK(rfc3339("2026-03-29T07:00:00+05:30") == "2026-03-29T01:30:00Z");
        CHECK(rfc3339("2026-03-28T20:30:00-05:00") == "2026-03-29T01:30:00Z");
        CHECK(rfc3339("2026-01-01T01:00:00+02:00") == "2025-12-31T23:00:00Z");
        CHECK(rfc3339("2026-03-29T01:30:00+00:00") == "2026-03-29T01:30:00Z");
        // RFC 3339 4.3: -00:00 is UTC with the local offset unknown.
        CHECK(rfc3339("2026-03-29T01:30:00-00:00") == "2026-03-29T01:30:00Z");
    }
    SECTION("fractional seconds are dropped, never rounded up") {
        CHECK(rfc3339("2026-03-29T01:30:00.5Z") == "2026-03-29T01:30:00Z");
        CHECK(rfc3339("2026-03-29T01:30:59.999999Z") == "2026-03-29T01:30:59Z");
        CHECK(rfc3339("2026-03-29T03:30:00.123+02:00") == "2026-03-29T01:30:00Z");
    }
    SECTION("format and parse are inverse") {
        for (std::int64_t s = -100000007; s < 4000000000; s += 98765431) {
            const auto t = calsync::instant_from_unix(s);
            REQUIRE(parse_rfc3339(format_rfc3339(t)).value() == t);
        }
    }
}

TEST_CASE("parse_rfc3339 rejects anything else with an error naming the input", "[civil_time]") {
    const char* garbage = GENERATE(as<const char*>{}, "", "hello", "2026-03-29",
                                   "2026-03-29T01:30:00",        // no zone designator
                                   "2026-03-29T01:30Z",          // no seconds
                                   "2026-03-29 01:30:00Z",       // space, not T
                                   "2026-3-29T01:30:00Z",        // one-digit month
                                   "2026-13-01T00:00:00Z",       // month 13
                                   "2026-02-29T00:00:00Z",       // 2026 is not a leap year
                                   "2026-04-31T00:00:00Z",       // April has 30 days
                                   "2026-03-29T24:00:00Z",       // hour 24
                                   "2026-03-29T01:60:00Z",       // minute 60
                                   "2026-03-29T01:30:00+0200",   // offset without colon
                                   "2026-03-29T01:30:00+02",     // offset without minutes
                                   "2026-03-29T01:30:00+24:00",  // offset out of range
                                   "2026-03-29T01:30:00.Z",      // a dot without digits
                                   "2026-03-29T01:30:00Zjunk",   // trailing text
                                   "2026-03-29T01:30:00Z ",      // trailing space
                                   "x2026-03-29T01:30:00Z");     // leading text
    auto t = parse_rfc3339(garbage);
    INFO("input: '" << garbage << "'");
    REQUIRE_FALSE(t.ok());
    CHECK(t.error().code == calsync::ErrorCode::parse);
    CHECK_THAT(t.error().message, Catch::Contains(std::string("'") + garbage + "'"));
}

TEST_CASE("parse_date and format_date", "[civil_time]") {
    SECTION("a valid date") {
        auto d = calsync::parse_date("2024-02-29");
        REQUIRE(d.ok());
        CHECK(d.value() == CivilDate{2024, 2, 29});
        CHECK(calsync::format_date({2026, 5, 1}) == "2026-05-01");
        CHECK(calsync::format_date({7, 1, 2}) == "0007-01-02");  // four-digit year, padded
    }
    SECTION("malformed or impossible dates") {
        for (const char* bad : {"", "2026-5-1", "20260501", "2026-02-29", "2026-05-32",
                                "2026-05-01T00:00:00", "2026/05/01", "2026-05-01 "}) {
            auto d = calsync::parse_date(bad);
            INFO("input: '" << bad << "'");
            REQUIRE_FALSE(d.ok());
            CHECK(d.error().code == calsync::ErrorCode::parse);
            CHECK_THAT(d.error().message, Catch::Contains(std::string("'") + bad + "'"));
        }
    }
    SECTION("an impossible date says which part is wrong") {
        CHECK(calsync::parse_date("2026-02-30").error().message ==
              "'2026-02-30' is not a date (February has 28 days in 2026)");
        CHECK(calsync::parse_date("2028-02-30").error().message ==
              "'2028-02-30' is not a date (February has 29 days in 2028)");
        CHECK(calsync::parse_date("2026-13-45").error().message ==
              "'2026-13-45' is not a date (there is no month 13)");
        CHECK(calsync::parse_date("2026-04-00").error().message ==
              "'2026-04-00' is not a date (there is no day 0)");
    }
}

TEST_CASE("parse_local and format_local", "[civil_time]") {
    SECTION("a wall-clock time, even one a DST gap would skip") {
        auto t = calsync::parse_local("2026-03-29T02:30:00");
        REQUIRE(t.ok());
        CHECK(t.value() == CivilDateTime{{2026, 3, 29}, 2, 30, 0});
        CHECK(calsync::format_local({{2026, 1, 5}, 9, 5, 7}) == "2026-01-05T09:05:07");
    }
    SECTION("a zone designator or a missing part is refused") {
        for (const char* bad :
             {"2026-03-29T02:30:00Z", "2026-03-29T02:30:00+01:00", "2026-03-29T02:30", "2026-03-29",
              "2026-03-29T25:00:00", "2026-02-30T10:00:00", ""}) {
            auto t = calsync::parse_local(bad);
            INFO("input: '" << bad << "'");
            REQUIRE_FALSE(t.ok());
            CHECK(t.error().code == calsync::ErrorCode::parse);
            CHECK_THAT(t.error().message, Catch::Contains(std::string("'") + bad + "'"));
        }
    }
}
