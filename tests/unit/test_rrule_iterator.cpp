// The instances of one RRULE (src/core/rrule_iterator.cpp), as wall-clock times. Every
// expected instance is worked out by hand from the calendar (1 January 2026 is a Thursday)
// and RFC 5545 3.3.10; the libical answers the issue measured are in the test names.
#include <catch2/catch.hpp>

#include "core/rrule_iterator.hpp"

using calsync::rrule::InstanceIterator;
using calsync::rrule::WorkBudget;
using Strings = std::vector<std::string>;

namespace {

InstanceIterator iterator_for(const char* rule, const char* start, bool dates_only = false) {
    auto parsed = calsync::rrule::parse(rule);
    INFO(rule << ": " << (parsed.ok() ? "" : parsed.error().message));
    REQUIRE(parsed.ok());
    auto it =
        InstanceIterator::create(parsed.value(), calsync::parse_local(start).value(), dates_only);
    INFO((it.ok() ? "" : it.error().message));
    REQUIRE(it.ok());
    return std::move(it).value();
}

// Up to `max` instances from the rule (the rule's own, without DTSTART when it does not match).
Strings instances(const char* rule, const char* start, std::size_t max = 50,
                  std::uint64_t budget_units = 10'000'000) {
    InstanceIterator it = iterator_for(rule, start);
    WorkBudget budget(budget_units);
    Strings out;
    std::int64_t wall = 0;
    while (out.size() < max) {
        const auto status = it.next(budget, &wall);
        if (status == InstanceIterator::Status::over_budget)
            return {"over budget"};
        if (status == InstanceIterator::Status::end)
            break;
        out.push_back(calsync::format_local(calsync::civil_from_seconds(wall)));
    }
    return out;
}

}  // namespace

TEST_CASE("regression: libical ignores BYSETPOS outside MONTHLY and YEARLY", "[rrule]") {
    SECTION("the last weekday of each week (libical: Jan 9, 12, 13)") {
        CHECK(instances("FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR;BYSETPOS=-1;COUNT=3",
                        "2026-01-09T17:00:00") ==
              Strings{"2026-01-09T17:00:00", "2026-01-16T17:00:00", "2026-01-23T17:00:00"});
    }
    SECTION("DAILY;BYHOUR=9,10;BYSETPOS=1: the first hour of each day") {
        CHECK(instances("FREQ=DAILY;BYHOUR=9,10;BYSETPOS=1;COUNT=3", "2026-01-05T09:00:00") ==
              Strings{"2026-01-05T09:00:00", "2026-01-06T09:00:00", "2026-01-07T09:00:00"});
    }
    SECTION("BYSETPOS=-1 from a DTSTART the rule does not give: DTSTART still counts") {
        // The rule gives 10:00 every day; DTSTART (09:00) is the first of COUNT=3.
        CHECK(instances("FREQ=DAILY;BYHOUR=9,10;BYSETPOS=-1;COUNT=3", "2026-01-05T09:00:00") ==
              Strings{"2026-01-05T10:00:00", "2026-01-06T10:00:00"});
    }
    SECTION("HOURLY: the last of each hour's minutes") {
        CHECK(
            instances("FREQ=HOURLY;BYMINUTE=0,20,40;BYSETPOS=-1;COUNT=3", "2026-01-05T09:40:00") ==
            Strings{"2026-01-05T09:40:00", "2026-01-05T10:40:00", "2026-01-05T11:40:00"});
    }
    SECTION("MINUTELY: the second of each minute's seconds") {
        CHECK(
            instances("FREQ=MINUTELY;BYSECOND=0,15,30;BYSETPOS=2;COUNT=2", "2026-01-05T09:00:15") ==
            Strings{"2026-01-05T09:00:15", "2026-01-05T09:01:15"});
    }
    SECTION("SECONDLY: each period holds one instance, so BYSETPOS=1 keeps it") {
        CHECK(instances("FREQ=SECONDLY;BYSECOND=0,30;BYSETPOS=1;COUNT=3", "2026-01-05T09:00:00") ==
              Strings{"2026-01-05T09:00:00", "2026-01-05T09:00:30", "2026-01-05T09:01:00"});
    }
    SECTION("YEARLY: the last weekday of the year") {
        // 31 December 2026 is a Thursday, 2027's a Friday.
        CHECK(instances("FREQ=YEARLY;BYDAY=MO,TU,WE,TH,FR;BYSETPOS=-1;COUNT=2",
                        "2026-12-31T09:00:00") ==
              Strings{"2026-12-31T09:00:00", "2027-12-31T09:00:00"});
    }
    SECTION("MONTHLY with BYMINUTE: the first Monday's first half hour (libical refused it)") {
        CHECK(instances("FREQ=MONTHLY;BYDAY=MO;BYMINUTE=0,30;BYSETPOS=1;COUNT=3",
                        "2026-01-05T09:00:00") ==
              Strings{"2026-01-05T09:00:00", "2026-02-02T09:00:00", "2026-03-02T09:00:00"});
    }
}

TEST_CASE("regression: libical gets negative days and sub-daily limits wrong", "[rrule]") {
    SECTION("DAILY;BYMONTHDAY=-1 is the last day of each month (libical: Jan 31 only)") {
        CHECK(instances("FREQ=DAILY;BYMONTHDAY=-1;COUNT=3", "2026-01-31T09:00:00") ==
              Strings{"2026-01-31T09:00:00", "2026-02-28T09:00:00", "2026-03-31T09:00:00"});
    }
    SECTION("the last Friday through DAILY, BYDAY and negative BYMONTHDAY") {
        CHECK(instances("FREQ=DAILY;BYDAY=FR;BYMONTHDAY=-7,-6,-5,-4,-3,-2,-1;COUNT=3",
                        "2026-01-30T09:00:00") ==
              Strings{"2026-01-30T09:00:00", "2026-02-27T09:00:00", "2026-03-27T09:00:00"});
    }
    SECTION("HOURLY;INTERVAL=5 limited by BYHOUR (libical: three on 5 January)") {
        CHECK(instances("FREQ=HOURLY;INTERVAL=5;BYHOUR=9,10,11,12,13;COUNT=4",
                        "2026-01-05T10:00:00") ==
              Strings{"2026-01-05T10:00:00", "2026-01-06T11:00:00", "2026-01-07T12:00:00",
                      "2026-01-08T13:00:00"});
    }
    SECTION("MINUTELY;INTERVAL=61 limited by BYMINUTE") {
        CHECK(instances("FREQ=MINUTELY;INTERVAL=61;BYMINUTE=9,10,11,12,13;COUNT=4",
                        "2026-01-05T10:10:00") ==
              Strings{"2026-01-05T10:10:00", "2026-01-05T11:11:00", "2026-01-05T12:12:00",
                      "2026-01-05T13:13:00"});
    }
    SECTION("negative BYYEARDAY with HOURLY: the last day of the year, hour by hour") {
        CHECK(instances("FREQ=HOURLY;INTERVAL=6;BYYEARDAY=-1;COUNT=4", "2026-12-31T03:00:00") ==
              Strings{"2026-12-31T03:00:00", "2026-12-31T09:00:00", "2026-12-31T15:00:00",
                      "2026-12-31T21:00:00"});
    }
    SECTION("MINUTELY;INTERVAL=4 in the last days of April and May (libical ran past 20 s)") {
        // DTSTART (5 January) is not in BYMONTH, so it is the first of COUNT=26 and the rule
        // gives 25: 28 April from 00:00 every 4 minutes (days start on the 4-minute grid).
        const Strings got = instances(
            "FREQ=MINUTELY;INTERVAL=4;COUNT=26;BYMONTH=4,5;"
            "BYMONTHDAY=-3,-2",
            "2026-01-05T09:00:00", 100);
        REQUIRE(got.size() == 25);
        CHECK(got.front() == "2026-04-28T00:00:00");
        CHECK(got.back() == "2026-04-28T01:36:00");
    }
}

TEST_CASE("the expand/limit table, case by case", "[rrule]") {
    SECTION("YEARLY with BYMONTH and BYYEARDAY: both must hold (libical refused it)") {
        // Day 60 is 1 March in a common year, 29 February in a leap year; -300 is 7 March
        // in both.
        CHECK(instances("FREQ=YEARLY;BYMONTH=3;BYYEARDAY=60,-300;COUNT=5", "2026-03-01T10:00:00") ==
              Strings{"2026-03-01T10:00:00", "2026-03-07T10:00:00", "2027-03-01T10:00:00",
                      "2027-03-07T10:00:00", "2028-03-07T10:00:00"});
    }
    SECTION("YEARLY;BYWEEKNO with BYHOUR (libical refused it)") {
        // Week 1 of 2026 starts on Monday 29 December 2025; 2026 holds no Monday of its
        // week 1, and week 1 of 2027 starts on 4 January.
        CHECK(instances("FREQ=YEARLY;BYWEEKNO=1;BYDAY=MO;BYHOUR=8,17;COUNT=4",
                        "2025-12-29T08:00:00") ==
              Strings{"2025-12-29T08:00:00", "2025-12-29T17:00:00", "2027-01-04T08:00:00",
                      "2027-01-04T17:00:00"});
    }
    SECTION("BYWEEKNO=-1: the last week, 53 in 2026 and 52 in 2027") {
        CHECK(instances("FREQ=YEARLY;BYWEEKNO=-1;BYDAY=MO;COUNT=2", "2026-12-28T09:00:00") ==
              Strings{"2026-12-28T09:00:00", "2027-12-27T09:00:00"});
    }
    // Weeks at the year's edges (RFC 5545 3.3.10: ISO 8601 weeks from WKST, week 1 the first
    // with four days of the year): each day lies in one week of one week-numbering year and
    // is named by that week's number, positive or negative. python-dateutil answers these
    // otherwise (tests/differential/rrule_dateutil.py, class byweekno-year-edges).
    SECTION("BYWEEKNO=-53: week 1 of a 53-week year, from its days in December") {
        // 1 January 2032 is a Thursday: 2032 has 53 weeks, its week 1 starts on Monday
        // 29 December 2031; likewise 2037 and 2043.
        CHECK(instances("FREQ=YEARLY;BYWEEKNO=-53;BYDAY=MO;COUNT=3", "2031-12-29T09:00:00") ==
              Strings{"2031-12-29T09:00:00", "2036-12-29T09:00:00", "2042-12-29T09:00:00"});
    }
    SECTION("WKST=WE;BYWEEKNO=53: 1 January 2035 lies in week 52 of 2034, its last") {
        // Wednesday-weeks: 2028 and 2033 have 53 (their week 53 ends on 2 and 3 January),
        // 2034 has 52 (4 January 2034 to 2 January 2035), 2039 has 53.
        CHECK(instances("FREQ=YEARLY;WKST=WE;BYWEEKNO=53;COUNT=3", "2029-01-02T09:00:00") ==
              Strings{"2029-01-02T09:00:00", "2034-01-03T09:00:00", "2040-01-03T09:00:00"});
    }
    SECTION("WKST=WE;BYWEEKNO=-52: 31 December 2003 opens week 1 of 2004, of 52 weeks") {
        // 2005 has 53 Wednesday-weeks (29 December 2004 to 3 January 2006): its -52 is week 2.
        CHECK(
            instances("FREQ=YEARLY;WKST=WE;BYWEEKNO=-52;BYDAY=WE;COUNT=3", "2003-12-31T09:00:00") ==
            Strings{"2003-12-31T09:00:00", "2005-01-05T09:00:00", "2006-01-04T09:00:00"});
    }
    SECTION("BYWEEKNO alone takes the weekday from DTSTART") {
        // Week 20: 11-17 May 2026, 17-23 May 2027; DTSTART is a Wednesday.
        CHECK(instances("FREQ=YEARLY;BYWEEKNO=20;COUNT=2", "2026-05-13T09:00:00") ==
              Strings{"2026-05-13T09:00:00", "2027-05-19T09:00:00"});
    }
    SECTION("a numbered and a plain BYDAY together: the first Monday and every Friday") {
        CHECK(instances("FREQ=MONTHLY;BYDAY=1MO,FR;COUNT=4", "2026-01-02T09:00:00") ==
              Strings{"2026-01-02T09:00:00", "2026-01-05T09:00:00", "2026-01-09T09:00:00",
                      "2026-01-16T09:00:00"});
    }
    SECTION("YEARLY;BYDAY=-1SU with BYMONTH counts in the month (a DST rule)") {
        CHECK(instances("FREQ=YEARLY;BYMONTH=3,10;BYDAY=-1SU;COUNT=4", "2026-03-29T02:00:00") ==
              Strings{"2026-03-29T02:00:00", "2026-10-25T02:00:00", "2027-03-28T02:00:00",
                      "2027-10-31T02:00:00"});
    }
    SECTION("WEEKLY limited by BYMONTH across the new year") {
        // Mondays and Fridays of January only, from Friday 26 December 2025.
        CHECK(instances("FREQ=WEEKLY;BYDAY=MO,FR;BYMONTH=1;COUNT=3", "2025-12-26T09:00:00") ==
              Strings{"2026-01-02T09:00:00", "2026-01-05T09:00:00"});
    }
    SECTION("DAILY with BYHOUR and BYMINUTE expands, BYMONTH limits") {
        CHECK(instances("FREQ=DAILY;BYMONTH=2;BYHOUR=8,12;BYMINUTE=15;COUNT=3",
                        "2026-01-31T08:15:00") ==
              Strings{"2026-02-01T08:15:00", "2026-02-01T12:15:00"});
    }
    SECTION("SECONDLY limited by BYHOUR, BYMINUTE and BYSECOND skips whole hours and days") {
        CHECK(instances("FREQ=SECONDLY;BYHOUR=23;BYMINUTE=59;BYSECOND=58,59;COUNT=4",
                        "2026-01-05T00:00:00") ==
              Strings{"2026-01-05T23:59:58", "2026-01-05T23:59:59", "2026-01-06T23:59:58"});
    }
}

TEST_CASE("COUNT, invalid dates and times", "[rrule]") {
    SECTION("a DTSTART the rule does not give counts as the first instance") {
        // Thursday 8 January; the rule gives Mondays.
        CHECK(instances("FREQ=WEEKLY;BYDAY=MO;COUNT=2", "2026-01-08T09:00:00") ==
              Strings{"2026-01-12T09:00:00"});
        CHECK(instances("FREQ=WEEKLY;BYDAY=MO;COUNT=1", "2026-01-08T09:00:00").empty());
    }
    SECTION("31st of the month: months without one are skipped and not counted") {
        CHECK(instances("FREQ=MONTHLY;BYMONTHDAY=31;COUNT=3", "2026-01-31T09:00:00") ==
              Strings{"2026-01-31T09:00:00", "2026-03-31T09:00:00", "2026-05-31T09:00:00"});
    }
    SECTION("second 60 never exists on a civil clock: skipped") {
        CHECK(instances("FREQ=DAILY;BYSECOND=59,60;COUNT=2", "2026-01-05T09:00:59") ==
              Strings{"2026-01-05T09:00:59", "2026-01-06T09:00:59"});
    }
    SECTION("BYSETPOS beyond the set gives nothing for that period") {
        // February 2026 has four Mondays; BYSETPOS=5 skips it.
        CHECK(instances("FREQ=MONTHLY;BYDAY=MO;BYSETPOS=5;COUNT=3", "2025-12-29T09:00:00") ==
              Strings{"2025-12-29T09:00:00", "2026-03-30T09:00:00", "2026-06-29T09:00:00"});
    }
}

TEST_CASE("a DATE DTSTART", "[rrule]") {
    SECTION("BYHOUR and its kind are ignored (RFC 5545 3.3.10)") {
        InstanceIterator it =
            iterator_for("FREQ=DAILY;BYHOUR=9,17;COUNT=2", "2026-01-05T00:00:00", true);
        WorkBudget budget(1000);
        std::int64_t wall = 0;
        REQUIRE(it.next(budget, &wall) == InstanceIterator::Status::instance);
        CHECK(calsync::format_local(calsync::civil_from_seconds(wall)) == "2026-01-05T00:00:00");
        REQUIRE(it.next(budget, &wall) == InstanceIterator::Status::instance);
        CHECK(calsync::format_local(calsync::civil_from_seconds(wall)) == "2026-01-06T00:00:00");
        CHECK(it.next(budget, &wall) == InstanceIterator::Status::end);
    }
    SECTION("a sub-daily FREQ is an error") {
        auto rule = calsync::rrule::parse("FREQ=HOURLY");
        REQUIRE(rule.ok());
        auto it = InstanceIterator::create(rule.value(), {{2026, 1, 5}, 0, 0, 0}, true);
        REQUIRE_FALSE(it.ok());
        CHECK_THAT(it.error().message, Catch::Contains("DATE DTSTART"));
    }
}

TEST_CASE("rules that never give an instance are known before iterating", "[rrule]") {
    for (const char* rule :
         {"FREQ=SECONDLY;BYMONTH=2;BYMONTHDAY=30", "FREQ=HOURLY;BYMONTH=2;BYMONTHDAY=30;COUNT=1",
          "FREQ=MINUTELY;BYMONTH=4,6;BYMONTHDAY=31;UNTIL=20300101T000000Z",
          "FREQ=YEARLY;BYMONTH=2;BYYEARDAY=100", "FREQ=HOURLY;INTERVAL=24;BYHOUR=5",
          "FREQ=MINUTELY;INTERVAL=60;BYMINUTE=30", "FREQ=SECONDLY;INTERVAL=60;BYSECOND=30",
          "FREQ=DAILY;INTERVAL=7;BYDAY=MO", "FREQ=MONTHLY;BYDAY=MO;BYSETPOS=32",
          "FREQ=DAILY;BYSECOND=60"}) {
        INFO(rule);
        // 6 January 2026 is a Tuesday at 09:00.
        CHECK(iterator_for(rule, "2026-01-06T09:00:00").never_matches());
        CHECK(instances(rule, "2026-01-06T09:00:00", 10, 10).empty());
    }
}

TEST_CASE("rules that never give an instance end within the 400-year cycle", "[rrule]") {
    for (const char* rule : {
             "FREQ=YEARLY;INTERVAL=4;BYMONTH=2;BYMONTHDAY=29",  // from 2025: never a leap year
             "FREQ=MONTHLY;BYDAY=MO;BYSETPOS=6",                // no month has six Mondays
             "FREQ=YEARLY;BYWEEKNO=1;BYMONTH=6",                // week 1 is never in June
             "FREQ=MONTHLY;BYMONTHDAY=1;BYSETPOS=2",            // one day a month
         }) {
        INFO(rule);
        CHECK_FALSE(iterator_for(rule, "2025-01-01T09:00:00").never_matches());
        // Ends, well within the default budget of an event.
        CHECK(instances(rule, "2025-01-01T09:00:00", 10, 200'000).empty());
    }
}

TEST_CASE("the work budget ends a long search", "[rrule]") {
    // Every second from DTSTART, asked for a million: the budget runs out first.
    CHECK(instances("FREQ=SECONDLY", "2026-01-05T09:00:00", 1'000'000, 1000) ==
          Strings{"over budget"});
}

TEST_CASE("skip_to starts at the period holding the target, with the INTERVAL's phase", "[rrule]") {
    auto run = [](const char* rule, const char* start, const char* from, std::size_t n) {
        InstanceIterator it = iterator_for(rule, start);
        it.skip_to(calsync::civil_seconds(calsync::parse_local(from).value()));
        WorkBudget budget(100'000);
        Strings out;
        std::int64_t wall = 0;
        while (out.size() < n && it.next(budget, &wall) == InstanceIterator::Status::instance)
            out.push_back(calsync::format_local(calsync::civil_from_seconds(wall)));
        return out;
    };
    // Every third hour since 07:00 on 21 February 2021: 2026-01-01T00:00 is 42,593 hours on.
    CHECK(run("FREQ=HOURLY;INTERVAL=3", "2021-02-21T07:00:00", "2026-01-01T00:00:00", 2) ==
          Strings{"2026-01-01T01:00:00", "2026-01-01T04:00:00"});
    // Every other week on Tuesday and Sunday since 5 August 1997 (WKST=SU).
    CHECK(run("FREQ=WEEKLY;INTERVAL=2;BYDAY=TU,SU;WKST=SU", "1997-08-05T09:00:00",
              "2026-01-01T00:00:00",
              3) == Strings{"2026-01-11T09:00:00", "2026-01-13T09:00:00", "2026-01-25T09:00:00"});
    // Every 18 months on the 10th from September 1997: March 2026 is 342 months on.
    CHECK(run("FREQ=MONTHLY;INTERVAL=18;BYMONTHDAY=10", "1997-09-10T09:00:00",
              "2026-01-01T00:00:00", 2) == Strings{"2026-03-10T09:00:00", "2027-09-10T09:00:00"});
    // Within a period, instances before the target are not returned.
    CHECK(run("FREQ=YEARLY;BYMONTH=1,6,12", "2020-01-15T09:00:00", "2026-02-01T00:00:00", 2) ==
          Strings{"2026-06-15T09:00:00", "2026-12-15T09:00:00"});
}
