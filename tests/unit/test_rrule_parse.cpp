// RRULE text -> rrule::Rule (src/core/rrule_parse.cpp): what RFC 5545 3.3.10 forbids is
// reported with the reason, never guessed at; libical's silent losses are caught.
#include <catch2/catch.hpp>

#include <algorithm>

#include "core/rrule.hpp"

using calsync::rrule::Frequency;
using calsync::rrule::parse;

namespace {

std::string error_of(const char* text) {
    auto r = parse(text);
    return r.ok() ? std::string("(accepted)") : r.error().message;
}

}  // namespace

TEST_CASE("a rule's parts are read", "[rrule]") {
    auto r = parse("FREQ=MONTHLY;INTERVAL=2;COUNT=10;BYDAY=1SU,-1SU,TU;WKST=SU;BYSETPOS=-1,2");
    REQUIRE(r.ok());
    CHECK(r->freq == Frequency::monthly);
    CHECK(r->interval == 2);
    CHECK(r->count == 10);
    CHECK(r->week_start == 6);
    std::vector<std::pair<int, int>> days;  // (weekday, ordinal), in no particular order
    for (const auto& d : r->by_day)
        days.emplace_back(d.weekday, d.ordinal);
    std::sort(days.begin(), days.end());
    CHECK(days == std::vector<std::pair<int, int>>{{1, 0}, {6, -1}, {6, 1}});
    CHECK(r->by_set_pos == std::vector<int>{-1, 2});
    SECTION("UNTIL as a UTC DATE-TIME, a DATE, a floating DATE-TIME") {
        auto utc = parse("FREQ=DAILY;UNTIL=20260107T080000Z");
        REQUIRE(utc.ok());
        CHECK(utc->until->is_utc);
        CHECK(utc->until->value.hour == 8);
        auto date = parse("FREQ=DAILY;UNTIL=20260107");
        REQUIRE(date.ok());
        CHECK(date->until->is_date);
        auto floating = parse("FREQ=DAILY;UNTIL=20260107T080000");
        REQUIRE(floating.ok());
        CHECK_FALSE(floating->until->is_utc);
        CHECK_FALSE(floating->until->is_date);
    }
    SECTION("lower case, any order, a trailing ';', RSCALE=GREGORIAN") {
        auto l = parse("count=3;freq=daily;");
        REQUIRE(l.ok());
        CHECK(l->count == 3);
        CHECK(parse("RSCALE=GREGORIAN;FREQ=YEARLY;SKIP=OMIT").ok());
    }
    SECTION("INTERVAL and COUNT beyond a short (libical keeps INTERVAL in one)") {
        auto big = parse("FREQ=SECONDLY;INTERVAL=86400;COUNT=3000000000");
        REQUIRE_FALSE(big.ok());  // COUNT above 2^31-1
        auto wide = parse("FREQ=SECONDLY;INTERVAL=86400;COUNT=2000000000");
        REQUIRE(wide.ok());
        CHECK(wide->interval == 86400);
        CHECK(wide->count == 2000000000);
    }
}

TEST_CASE("combinations RFC 5545 3.3.10 forbids are reported", "[rrule]") {
    CHECK_THAT(error_of("FREQ=WEEKLY;BYDAY=+1MO"), Catch::Contains("numbered BYDAY"));
    CHECK_THAT(error_of("FREQ=DAILY;BYDAY=-1FR"), Catch::Contains("numbered BYDAY"));
    CHECK_THAT(error_of("FREQ=YEARLY;BYWEEKNO=20;BYDAY=1MO"), Catch::Contains("BYWEEKNO"));
    CHECK_THAT(error_of("FREQ=MONTHLY;BYWEEKNO=20"), Catch::Contains("BYWEEKNO is only allowed"));
    CHECK_THAT(error_of("FREQ=DAILY;BYYEARDAY=100"), Catch::Contains("BYYEARDAY is not allowed"));
    CHECK_THAT(error_of("FREQ=MONTHLY;BYYEARDAY=100"), Catch::Contains("BYYEARDAY is not allowed"));
    CHECK_THAT(error_of("FREQ=WEEKLY;BYMONTHDAY=1"), Catch::Contains("BYMONTHDAY is not allowed"));
    CHECK_THAT(error_of("FREQ=MONTHLY;BYSETPOS=1"), Catch::Contains("BYSETPOS needs"));
    CHECK_THAT(error_of("FREQ=DAILY;COUNT=3;UNTIL=20260101"), Catch::Contains("COUNT and UNTIL"));
}

TEST_CASE("malformed rules are reported, not partly read", "[rrule]") {
    SECTION("regression: libical drops every part after an empty one (';;')") {
        CHECK_THAT(error_of("FREQ=DAILY;;COUNT=2"), Catch::Contains("not a NAME=VALUE"));
    }
    SECTION("regression: libical reads 0MO as MO and 54MO as garbage") {
        CHECK_THAT(error_of("FREQ=MONTHLY;BYDAY=0MO"), Catch::Contains("ordinal must be"));
        CHECK_THAT(error_of("FREQ=YEARLY;BYDAY=54MO"), Catch::Contains("ordinal must be"));
    }
    SECTION("regression: libical wraps a COUNT beyond 32 bits") {
        CHECK_THAT(error_of("FREQ=DAILY;COUNT=99999999999"), Catch::Contains("COUNT"));
    }
    CHECK_THAT(error_of("FREQ=SOMETIMES"), Catch::Contains("FREQ=SOMETIMES"));
    CHECK_THAT(error_of("COUNT=3"), Catch::Contains("no FREQ"));
    CHECK_THAT(error_of("FREQ=DAILY;COUNT=2;COUNT=3"), Catch::Contains("COUNT appears twice"));
    CHECK_THAT(error_of("FREQ=DAILY;BYFOO=1"), Catch::Contains("unknown rule part BYFOO"));
    CHECK_THAT(error_of("FREQ=DAILY;INTERVAL=0"), Catch::Contains("INTERVAL"));
    CHECK_THAT(error_of("FREQ=DAILY;INTERVAL=-2"), Catch::Contains("INTERVAL"));
    CHECK_THAT(error_of("FREQ=MONTHLY;BYMONTHDAY=0"), Catch::Contains("BYMONTHDAY value '0'"));
    CHECK_THAT(error_of("FREQ=MONTHLY;BYMONTHDAY=32"), Catch::Contains("out of range"));
    CHECK_THAT(error_of("FREQ=YEARLY;BYMONTH=13"), Catch::Contains("BYMONTH value '13'"));
    CHECK_THAT(error_of("FREQ=YEARLY;BYMONTH=5L"), Catch::Contains("BYMONTH"));
    CHECK_THAT(error_of("FREQ=DAILY;BYHOUR=24"), Catch::Contains("BYHOUR"));
    CHECK_THAT(error_of("FREQ=DAILY;BYHOUR=-1"), Catch::Contains("BYHOUR"));
    CHECK_THAT(error_of("FREQ=DAILY;BYDAY=MO,"), Catch::Contains("BYDAY value ''"));
    CHECK_THAT(error_of("FREQ=YEARLY;BYSETPOS=367;BYMONTH=1"), Catch::Contains("BYSETPOS"));
    CHECK_THAT(error_of("RSCALE=HEBREW;FREQ=YEARLY"), Catch::Contains("RSCALE=HEBREW"));
    CHECK_THAT(error_of("FREQ=DAILY;UNTIL=20260231"), Catch::Contains("UNTIL"));
    CHECK_THAT(error_of(std::string(5000, 'X').c_str()), Catch::Contains("longer than"));
}
