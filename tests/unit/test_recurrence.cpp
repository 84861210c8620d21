// Recurrence expansion (src/core/recurrence.cpp). Every expected instant is worked out by
// hand from the calendar of 2026 (1 January 2026 is a Thursday) and the zone rules.
#include <catch2/catch.hpp>

#include "expand_helpers.hpp"

using calsync::test::expand;
using calsync::test::starts_of;
using calsync::test::vcalendar;
using Strings = std::vector<std::string>;

namespace {

std::string event(const std::string& lines) {
    return vcalendar("BEGIN:VEVENT\r\nUID:e\r\n" + lines + "END:VEVENT\r\n");
}

Strings utc_starts(const std::string& lines, const std::string& to = "2027-01-01T00:00:00Z") {
    return starts_of(expand(event(lines), "UTC", "2026-01-01T00:00:00Z", to));
}

}  // namespace

TEST_CASE("every FREQ", "[recurrence]") {
    SECTION("SECONDLY") {
        CHECK(utc_starts("DTSTART:20260105T090000Z\r\nDURATION:PT1S\r\n"
                         "RRULE:FREQ=SECONDLY;COUNT=3\r\n") ==
              Strings{"2026-01-05T09:00:00Z", "2026-01-05T09:00:01Z", "2026-01-05T09:00:02Z"});
    }
    SECTION("MINUTELY with INTERVAL") {
        CHECK(utc_starts("DTSTART:20260105T090000Z\r\nDURATION:PT5M\r\n"
                         "RRULE:FREQ=MINUTELY;INTERVAL=15;COUNT=3\r\n") ==
              Strings{"2026-01-05T09:00:00Z", "2026-01-05T09:15:00Z", "2026-01-05T09:30:00Z"});
    }
    SECTION("HOURLY") {
        CHECK(utc_starts("DTSTART:20260105T090000Z\r\nDURATION:PT30M\r\n"
                         "RRULE:FREQ=HOURLY;INTERVAL=2;COUNT=3\r\n") ==
              Strings{"2026-01-05T09:00:00Z", "2026-01-05T11:00:00Z", "2026-01-05T13:00:00Z"});
    }
    SECTION("DAILY with INTERVAL") {
        CHECK(utc_starts("DTSTART:20260105T090000Z\r\nDURATION:PT1H\r\n"
                         "RRULE:FREQ=DAILY;INTERVAL=3;COUNT=3\r\n") ==
              Strings{"2026-01-05T09:00:00Z", "2026-01-08T09:00:00Z", "2026-01-11T09:00:00Z"});
    }
    SECTION("WEEKLY with BYDAY") {
        // 5 January 2026 is a Monday.
        CHECK(utc_starts("DTSTART:20260105T090000Z\r\nDURATION:PT1H\r\n"
                         "RRULE:FREQ=WEEKLY;BYDAY=MO,WE;COUNT=4\r\n") ==
              Strings{"2026-01-05T09:00:00Z", "2026-01-07T09:00:00Z", "2026-01-12T09:00:00Z",
                      "2026-01-14T09:00:00Z"});
    }
    SECTION("MONTHLY, second Tuesday") {
        CHECK(utc_starts("DTSTART:20260113T090000Z\r\nDURATION:PT1H\r\n"
                         "RRULE:FREQ=MONTHLY;BYDAY=2TU;COUNT=3\r\n") ==
              Strings{"2026-01-13T09:00:00Z", "2026-02-10T09:00:00Z", "2026-03-10T09:00:00Z"});
    }
    SECTION("MONTHLY, last Friday") {
        CHECK(utc_starts("DTSTART:20260130T090000Z\r\nDURATION:PT1H\r\n"
                         "RRULE:FREQ=MONTHLY;BYDAY=-1FR;COUNT=3\r\n") ==
              Strings{"2026-01-30T09:00:00Z", "2026-02-27T09:00:00Z", "2026-03-27T09:00:00Z"});
    }
    SECTION("MONTHLY, last day of the month (negative BYMONTHDAY)") {
        CHECK(utc_starts("DTSTART:20260131T090000Z\r\nDURATION:PT1H\r\n"
                         "RRULE:FREQ=MONTHLY;BYMONTHDAY=-1;COUNT=3\r\n") ==
              Strings{"2026-01-31T09:00:00Z", "2026-02-28T09:00:00Z", "2026-03-31T09:00:00Z"});
    }
    SECTION("YEARLY with BYMONTH and BYMONTHDAY") {
        CHECK(utc_starts("DTSTART:20260315T090000Z\r\nDURATION:PT1H\r\n"
                         "RRULE:FREQ=YEARLY;BYMONTH=3,9;BYMONTHDAY=15;COUNT=3\r\n",
                         "2028-01-01T00:00:00Z") ==
              Strings{"2026-03-15T09:00:00Z", "2026-09-15T09:00:00Z", "2027-03-15T09:00:00Z"});
    }
    SECTION("BYSETPOS: the last weekday of the month") {
        CHECK(utc_starts("DTSTART:20260130T090000Z\r\nDURATION:PT1H\r\n"
                         "RRULE:FREQ=MONTHLY;BYDAY=MO,TU,WE,TH,FR;BYSETPOS=-1;COUNT=3\r\n") ==
              Strings{"2026-01-30T09:00:00Z", "2026-02-27T09:00:00Z", "2026-03-31T09:00:00Z"});
    }
}

TEST_CASE("WKST changes which weeks an INTERVAL counts (RFC 5545 3.3.10 example)", "[recurrence]") {
    auto run = [](const char* wkst) {
        return starts_of(
            expand(event(std::string("DTSTART:19970805T090000Z\r\nDURATION:PT1H\r\n"
                                     "RRULE:FREQ=WEEKLY;INTERVAL=2;COUNT=4;BYDAY=TU,SU;WKST=") +
                         wkst + "\r\n"),
                   "UTC", "1997-01-01T00:00:00Z", "1998-01-01T00:00:00Z"));
    };
    CHECK(run("MO") == Strings{"1997-08-05T09:00:00Z", "1997-08-10T09:00:00Z",
                               "1997-08-19T09:00:00Z", "1997-08-24T09:00:00Z"});
    CHECK(run("SU") == Strings{"1997-08-05T09:00:00Z", "1997-08-17T09:00:00Z",
                               "1997-08-19T09:00:00Z", "1997-08-31T09:00:00Z"});
}

TEST_CASE("UNTIL", "[recurrence]") {
    SECTION("a UTC UNTIL on a zoned series is compared as an instant") {
        // 09:00 in Berlin in January is 08:00Z; an UNTIL of exactly 08:00Z on the 7th
        // includes the 7th, one second less does not.
        const std::string base =
            "DTSTART;TZID=Europe/Berlin:20260105T090000\r\nDURATION:PT1H\r\n"
            "RRULE:FREQ=DAILY;UNTIL=";
        CHECK(utc_starts(base + "20260107T080000Z\r\n").size() == 3);
        CHECK(utc_starts(base + "20260107T075959Z\r\n").size() == 2);
    }
    SECTION("a DATE UNTIL on an all-day series includes that day") {
        CHECK(expand(event("DTSTART;VALUE=DATE:20260105\r\nRRULE:FREQ=DAILY;UNTIL=20260107\r\n"),
                     "UTC", "2026-01-01T00:00:00Z", "2027-01-01T00:00:00Z")
                  .size() == 3);
    }
}

TEST_CASE("EXDATE and RDATE", "[recurrence]") {
    SECTION("EXDATE in the series' zone and in UTC both remove their instance") {
        const auto got = starts_of(expand(
            event("DTSTART;TZID=Europe/Berlin:20260105T090000\r\nDURATION:PT1H\r\n"
                  "RRULE:FREQ=WEEKLY;COUNT=4\r\n"
                  "EXDATE;TZID=Europe/Berlin:20260112T090000\r\nEXDATE:20260119T080000Z\r\n"),
            "UTC", "2026-01-01T00:00:00Z", "2027-01-01T00:00:00Z"));
        CHECK(got == Strings{"2026-01-05T08:00:00Z", "2026-01-26T08:00:00Z"});
    }
    SECTION("RDATE as DATE-TIME and as PERIOD") {
        const auto got = expand(event("DTSTART:20260105T090000Z\r\nDURATION:PT1H\r\n"
                                      "RRULE:FREQ=DAILY;COUNT=1\r\nRDATE:20260110T120000Z\r\n"
                                      "RDATE;VALUE=PERIOD:20260111T120000Z/PT3H\r\n"),
                                "UTC", "2026-01-01T00:00:00Z", "2027-01-01T00:00:00Z");
        CHECK(got == Strings{"2026-01-05T09:00:00Z/2026-01-05T10:00:00Z",
                             "2026-01-10T12:00:00Z/2026-01-10T13:00:00Z",
                             "2026-01-11T12:00:00Z/2026-01-11T15:00:00Z"});
    }
}

TEST_CASE("RECURRENCE-ID overrides", "[recurrence]") {
    const std::string master =
        "BEGIN:VEVENT\r\nUID:s\r\nDTSTART:20260105T090000Z\r\nDTEND:20260105T100000Z\r\n"
        "RRULE:FREQ=WEEKLY;COUNT=4\r\nEND:VEVENT\r\n";
    SECTION("moved, shortened and cancelled instances") {
        const std::string ics = calsync::test::vcalendar(
            master +
            "BEGIN:VEVENT\r\nUID:s\r\nRECURRENCE-ID:20260112T090000Z\r\n"
            "DTSTART:20260113T140000Z\r\nDTEND:20260113T150000Z\r\nEND:VEVENT\r\n"
            "BEGIN:VEVENT\r\nUID:s\r\nRECURRENCE-ID:20260119T090000Z\r\n"
            "DTSTART:20260119T090000Z\r\nDTEND:20260119T091500Z\r\nEND:VEVENT\r\n"
            "BEGIN:VEVENT\r\nUID:s\r\nRECURRENCE-ID:20260126T090000Z\r\nSTATUS:CANCELLED\r\n"
            "DTSTART:20260126T090000Z\r\nDTEND:20260126T100000Z\r\nEND:VEVENT\r\n");
        auto cal = calsync::read_ics(ics, calsync::IcsReadOptions{"c", {}});
        REQUIRE(cal.ok());
        REQUIRE(cal->events.size() == 1);
        REQUIRE(cal->events[0].overrides.size() == 3);
        auto zone = calsync::TimeZone::utc();
        calsync::ExpansionWindow w;
        w.business_zone = zone.get();
        w.window = {calsync::parse_rfc3339("2026-01-01T00:00:00Z").value(),
                    calsync::parse_rfc3339("2027-01-01T00:00:00Z").value()};
        auto occ = calsync::expand_event(cal->events[0], w);
        REQUIRE(occ.ok());
        REQUIRE(occ->size() == 4);
        const auto& o = occ.value();
        CHECK(calsync::format_rfc3339(o[0].range.start) == "2026-01-05T09:00:00Z");
        CHECK(o[0].status == calsync::EventStatus::confirmed);
        // Moved to Tuesday afternoon; its identity stays the Monday instance.
        CHECK(calsync::format_rfc3339(o[1].range.start) == "2026-01-13T14:00:00Z");
        CHECK(calsync::format_rfc3339(o[1].recurrence_id) == "2026-01-12T09:00:00Z");
        CHECK(calsync::format_rfc3339(o[2].range.end) == "2026-01-19T09:15:00Z");
        CHECK(o[3].status == calsync::EventStatus::cancelled);
    }
    SECTION("RANGE=THISANDFUTURE moves and resizes that instance and every later one") {
        const auto got = expand(
            vcalendar("BEGIN:VEVENT\r\nUID:s\r\nDTSTART;TZID=Europe/Berlin:20260105T090000\r\n"
                      "DTEND;TZID=Europe/Berlin:20260105T100000\r\nRRULE:FREQ=WEEKLY;COUNT=5\r\n"
                      "END:VEVENT\r\n"
                      "BEGIN:VEVENT\r\nUID:s\r\n"
                      "RECURRENCE-ID;RANGE=THISANDFUTURE;TZID=Europe/Berlin:20260119T090000\r\n"
                      "DTSTART;TZID=Europe/Berlin:20260119T140000\r\n"
                      "DTEND;TZID=Europe/Berlin:20260119T160000\r\nEND:VEVENT\r\n"),
            "UTC", "2026-01-01T00:00:00Z", "2027-01-01T00:00:00Z");
        CHECK(got == Strings{"2026-01-05T08:00:00Z/2026-01-05T09:00:00Z",
                             "2026-01-12T08:00:00Z/2026-01-12T09:00:00Z",
                             "2026-01-19T13:00:00Z/2026-01-19T15:00:00Z",
                             "2026-01-26T13:00:00Z/2026-01-26T15:00:00Z",
                             "2026-02-02T13:00:00Z/2026-02-02T15:00:00Z"});
    }
}

TEST_CASE("time zones and DST", "[recurrence]") {
    SECTION("a weekly series keeps its wall time across the spring change") {
        // Berlin: UTC+1 until 29 March 2026 02:00, then UTC+2.
        CHECK(utc_starts("DTSTART;TZID=Europe/Berlin:20260323T090000\r\nDURATION:PT1H\r\n"
                         "RRULE:FREQ=WEEKLY;COUNT=2\r\n") ==
              Strings{"2026-03-23T08:00:00Z", "2026-03-30T07:00:00Z"});
    }
    SECTION("an instance in the spring gap takes the offset before the gap") {
        // 02:30 does not exist on 29 March; RFC 5545 3.3.5 reads it with UTC+1: 01:30Z.
        CHECK(utc_starts("DTSTART;TZID=Europe/Berlin:20260328T023000\r\nDURATION:PT1H\r\n"
                         "RRULE:FREQ=DAILY;COUNT=3\r\n") ==
              Strings{"2026-03-28T01:30:00Z", "2026-03-29T01:30:00Z", "2026-03-30T00:30:00Z"});
    }
    SECTION("an instance in the autumn overlap is the first of the two") {
        // 02:30 on 25 October happens twice (UTC+2, then UTC+1): the first is 00:30Z.
        CHECK(utc_starts("DTSTART;TZID=Europe/Berlin:20261024T023000\r\nDURATION:PT1H\r\n"
                         "RRULE:FREQ=DAILY;COUNT=3\r\n") ==
              Strings{"2026-10-24T00:30:00Z", "2026-10-25T00:30:00Z", "2026-10-26T01:30:00Z"});
    }
    SECTION("the calendar's own VTIMEZONE wins over the IANA zone of the same name") {
        const std::string ics = vcalendar(
            "BEGIN:VTIMEZONE\r\nTZID:Europe/Berlin\r\nBEGIN:STANDARD\r\n"
            "DTSTART:19700101T000000\r\nTZOFFSETFROM:+0300\r\nTZOFFSETTO:+0300\r\n"
            "END:STANDARD\r\nEND:VTIMEZONE\r\n"
            "BEGIN:VEVENT\r\nUID:e\r\nDTSTART;TZID=Europe/Berlin:20260701T100000\r\n"
            "DURATION:PT1H\r\nEND:VEVENT\r\n");
        CHECK(starts_of(expand(ics, "UTC", "2026-01-01T00:00:00Z", "2027-01-01T00:00:00Z")) ==
              Strings{"2026-07-01T07:00:00Z"});
    }
    SECTION("a custom VTIMEZONE with its own DST rules") {
        const std::string ics = vcalendar(
            "BEGIN:VTIMEZONE\r\nTZID:Custom/Shop\r\n"
            "BEGIN:STANDARD\r\nDTSTART:20001029T030000\r\nTZOFFSETFROM:+0600\r\n"
            "TZOFFSETTO:+0530\r\nRRULE:FREQ=YEARLY;BYMONTH=10;BYDAY=-1SU\r\nEND:STANDARD\r\n"
            "BEGIN:DAYLIGHT\r\nDTSTART:20000326T020000\r\nTZOFFSETFROM:+0530\r\n"
            "TZOFFSETTO:+0600\r\nRRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=-1SU\r\nEND:DAYLIGHT\r\n"
            "END:VTIMEZONE\r\n"
            "BEGIN:VEVENT\r\nUID:e\r\nDTSTART;TZID=Custom/Shop:20260105T100000\r\n"
            "DURATION:PT1H\r\nRRULE:FREQ=MONTHLY;BYMONTHDAY=5;COUNT=4\r\nEND:VEVENT\r\n");
        // January-March at +05:30, April at +06:00 (the change is on 29 March 2026).
        CHECK(starts_of(expand(ics, "UTC", "2026-01-01T00:00:00Z", "2027-01-01T00:00:00Z")) ==
              Strings{"2026-01-05T04:30:00Z", "2026-02-05T04:30:00Z", "2026-03-05T04:30:00Z",
                      "2026-04-05T04:00:00Z"});
    }
    SECTION("an IANA TZID without a VTIMEZONE") {
        CHECK(utc_starts("DTSTART;TZID=America/New_York:20260701T090000\r\nDURATION:PT1H\r\n") ==
              Strings{"2026-07-01T13:00:00Z"});
    }
    SECTION("floating times are read in the business's zone") {
        CHECK(starts_of(expand(event("DTSTART:20260701T090000\r\nDURATION:PT1H\r\n"), "Asia/Tokyo",
                               "2026-01-01T00:00:00Z", "2027-01-01T00:00:00Z")) ==
              Strings{"2026-07-01T00:00:00Z"});
    }
}

TEST_CASE("all-day events are read in the business's zone", "[recurrence]") {
    const std::string from = "2026-01-01T00:00:00Z";
    const std::string to = "2027-01-01T00:00:00Z";
    SECTION("single day") {
        CHECK(expand(event("DTSTART;VALUE=DATE:20260501\r\n"), "Europe/Berlin", from, to) ==
              Strings{"2026-04-30T22:00:00Z/2026-05-01T22:00:00Z"});
    }
    SECTION("several days") {
        CHECK(expand(event("DTSTART;VALUE=DATE:20260501\r\nDTEND;VALUE=DATE:20260504\r\n"),
                     "Europe/Berlin", from,
                     to) == Strings{"2026-04-30T22:00:00Z/2026-05-03T22:00:00Z"});
    }
    SECTION("across the spring change: 47 hours, midnight to midnight") {
        CHECK(expand(event("DTSTART;VALUE=DATE:20260328\r\nDTEND;VALUE=DATE:20260330\r\n"),
                     "Europe/Berlin", from,
                     to) == Strings{"2026-03-27T23:00:00Z/2026-03-29T22:00:00Z"});
    }
}

TEST_CASE("the window", "[recurrence]") {
    const std::string lines = "DTSTART:20260104T230000Z\r\nDTEND:20260105T010000Z\r\n";
    SECTION("an occurrence overlapping the start is included") {
        CHECK(expand(event(lines), "UTC", "2026-01-05T00:00:00Z", "2026-01-06T00:00:00Z").size() ==
              1);
    }
    SECTION("an occurrence ending at the start is not") {
        CHECK(expand(event(lines), "UTC", "2026-01-05T01:00:00Z", "2026-01-06T00:00:00Z").empty());
    }
    SECTION("an occurrence starting at the end is not") {
        CHECK(expand(event(lines), "UTC", "2026-01-04T00:00:00Z", "2026-01-04T23:00:00Z").empty());
    }
}

TEST_CASE("unusable rules are errors, not partial answers", "[recurrence]") {
    SECTION("too many occurrences in the window") {
        std::string error;
        const auto got = expand(event("DTSTART:20260105T090000Z\r\nDURATION:PT1M\r\n"
                                      "RRULE:FREQ=MINUTELY\r\n"),
                                "UTC", "2026-01-01T00:00:00Z", "2027-01-01T00:00:00Z", &error);
        CHECK(got.empty());
        CHECK_THAT(error, Catch::Contains("more than 20000 occurrences"));
    }
    SECTION("a broken rule on an event given as data") {
        calsync::Event e;
        e.id = "x";
        e.start =
            calsync::EventTime::at_utc(calsync::parse_rfc3339("2026-01-05T09:00:00Z").value());
        e.recurrence.rrules = {"FREQ=SOMETIMES"};
        calsync::ExpansionWindow w;
        w.window = {calsync::parse_rfc3339("2026-01-01T00:00:00Z").value(),
                    calsync::parse_rfc3339("2027-01-01T00:00:00Z").value()};
        auto occ = calsync::expand_event(e, w);
        REQUIRE_FALSE(occ.ok());
        CHECK(occ.error().code == calsync::ErrorCode::parse);
        CHECK_THAT(occ.error().message, Catch::Contains("FREQ=SOMETIMES"));
    }
}

TEST_CASE("regression: weekly INTERVAL counts from DTSTART's own week (libical 3.0 skips it)",
          "[recurrence]") {
    // Thursday 5 February; the Sunday of its week (WKST=MO) is 8 February, then every
    // other week. libical alone gives 15 February and 1 March.
    CHECK(utc_starts("DTSTART:20260205T190000Z\r\nDURATION:PT1H\r\n"
                     "RRULE:FREQ=WEEKLY;INTERVAL=2;BYDAY=SU;UNTIL=20260311T235959Z\r\n") ==
          Strings{"2026-02-05T19:00:00Z", "2026-02-08T19:00:00Z", "2026-02-22T19:00:00Z",
                  "2026-03-08T19:00:00Z"});
    SECTION("COUNT still counts DTSTART as the first instance") {
        CHECK(utc_starts("DTSTART:20260205T190000Z\r\nDURATION:PT1H\r\n"
                         "RRULE:FREQ=WEEKLY;INTERVAL=2;BYDAY=SU;COUNT=2\r\n") ==
              Strings{"2026-02-05T19:00:00Z", "2026-02-08T19:00:00Z"});
    }
}

TEST_CASE("regression: an event starting in the spring gap does not vanish", "[recurrence]") {
    // 02:45-03:15 on 29 March in Berlin: the start reads as 01:45Z (offset before the
    // gap), the end as 01:15Z; the event keeps its written half hour.
    CHECK(expand(event("DTSTART:20260329T024500\r\nDTEND:20260329T031500\r\n"), "Europe/Berlin",
                 "2026-01-01T00:00:00Z",
                 "2027-01-01T00:00:00Z") == Strings{"2026-03-29T01:45:00Z/2026-03-29T02:15:00Z"});
}

TEST_CASE("series that began years before the window keep their phase", "[recurrence]") {
    SECTION("every other Monday since 2016: 5 January 2026 is 522 weeks on, an even number") {
        CHECK(starts_of(expand(event("DTSTART:20160104T090000Z\r\nDURATION:PT1H\r\n"
                                     "RRULE:FREQ=WEEKLY;INTERVAL=2;BYDAY=MO\r\n"),
                               "UTC", "2026-01-01T00:00:00Z", "2026-02-01T00:00:00Z")) ==
              Strings{"2026-01-05T09:00:00Z", "2026-01-19T09:00:00Z"});
    }
    SECTION("every third hour since 2021: 2026-01-01T00:00Z is 42,593 hours on (2 mod 3)") {
        CHECK(starts_of(expand(event("DTSTART:20210221T070000Z\r\nDURATION:PT30M\r\n"
                                     "RRULE:FREQ=HOURLY;INTERVAL=3\r\n"),
                               "UTC", "2026-01-01T00:00:00Z", "2026-01-01T12:00:00Z")) ==
              Strings{"2026-01-01T01:00:00Z", "2026-01-01T04:00:00Z", "2026-01-01T07:00:00Z",
                      "2026-01-01T10:00:00Z"});
    }
}

namespace {

calsync::Result<std::vector<calsync::Occurrence>> expand_with_cap(
    const std::string& ics, const char* from, const char* to, std::size_t cap,
    std::uint64_t work_budget = calsync::kDefaultExpansionWorkBudget) {
    auto cal = calsync::read_ics(ics, calsync::IcsReadOptions{"c", {}});
    REQUIRE(cal.ok());
    REQUIRE(cal->events.size() == 1);
    calsync::ExpansionWindow w;
    w.business_zone = calsync::TimeZone::utc().get();
    w.window = {calsync::parse_rfc3339(from).value(), calsync::parse_rfc3339(to).value()};
    w.max_occurrences = cap;
    w.work_budget = work_budget;
    return calsync::expand_event(cal->events[0], w);
}

std::string range_of(const calsync::Occurrence& o) {
    return calsync::format_rfc3339(o.range.start) + "/" + calsync::format_rfc3339(o.range.end);
}

}  // namespace

TEST_CASE("invalid dates are skipped, not moved (RFC 5545 3.3.10)", "[recurrence]") {
    SECTION("29 February, yearly: only leap years") {
        CHECK(starts_of(expand(event("DTSTART:20240229T090000Z\r\nDURATION:PT1H\r\n"
                                     "RRULE:FREQ=YEARLY;COUNT=3\r\n"),
                               "UTC", "2024-01-01T00:00:00Z", "2040-01-01T00:00:00Z")) ==
              Strings{"2024-02-29T09:00:00Z", "2028-02-29T09:00:00Z", "2032-02-29T09:00:00Z"});
    }
    SECTION("the 31st, monthly: only months that have one") {
        CHECK(utc_starts("DTSTART:20260131T090000Z\r\nDURATION:PT1H\r\n"
                         "RRULE:FREQ=MONTHLY;COUNT=4\r\n") ==
              Strings{"2026-01-31T09:00:00Z", "2026-03-31T09:00:00Z", "2026-05-31T09:00:00Z",
                      "2026-07-31T09:00:00Z"});
    }
}

TEST_CASE("RFC 5545 3.8.5.3 examples in New York", "[recurrence]") {
    SECTION("BYSETPOS=3: the third Tuesday, Wednesday or Thursday of the month") {
        // 9:00 EDT is 13:00Z until 26 October 1997, then 9:00 EST is 14:00Z.
        CHECK(starts_of(expand(event("DTSTART;TZID=America/New_York:19970904T090000\r\n"
                                     "DURATION:PT1H\r\n"
                                     "RRULE:FREQ=MONTHLY;COUNT=3;BYDAY=TU,WE,TH;BYSETPOS=3\r\n"),
                               "UTC", "1997-01-01T00:00:00Z", "1998-01-01T00:00:00Z")) ==
              Strings{"1997-09-04T13:00:00Z", "1997-10-07T13:00:00Z", "1997-11-06T14:00:00Z"});
    }
    SECTION("YEARLY;BYDAY=20MO: the 20th Monday of the year") {
        CHECK(starts_of(expand(event("DTSTART;TZID=America/New_York:19970519T090000\r\n"
                                     "DURATION:PT1H\r\nRRULE:FREQ=YEARLY;BYDAY=20MO;COUNT=3\r\n"),
                               "UTC", "1997-01-01T00:00:00Z", "2000-01-01T00:00:00Z")) ==
              Strings{"1997-05-19T13:00:00Z", "1998-05-18T13:00:00Z", "1999-05-17T13:00:00Z"});
    }
}

TEST_CASE("more BYMONTHDAY, BYMONTH and BYDAY forms", "[recurrence]") {
    SECTION("the first and the last day of every month") {
        CHECK(utc_starts("DTSTART:20260101T090000Z\r\nDURATION:PT1H\r\n"
                         "RRULE:FREQ=MONTHLY;BYMONTHDAY=1,-1;COUNT=5\r\n") ==
              Strings{"2026-01-01T09:00:00Z", "2026-01-31T09:00:00Z", "2026-02-01T09:00:00Z",
                      "2026-02-28T09:00:00Z", "2026-03-01T09:00:00Z"});
    }
    SECTION("the second-to-last day of the month") {
        CHECK(utc_starts("DTSTART:20260130T090000Z\r\nDURATION:PT1H\r\n"
                         "RRULE:FREQ=MONTHLY;BYMONTHDAY=-2;COUNT=3\r\n") ==
              Strings{"2026-01-30T09:00:00Z", "2026-02-27T09:00:00Z", "2026-03-30T09:00:00Z"});
    }
    SECTION("YEARLY with BYMONTH alone keeps DTSTART's day of the month") {
        CHECK(utc_starts("DTSTART:20260110T090000Z\r\nDURATION:PT1H\r\n"
                         "RRULE:FREQ=YEARLY;BYMONTH=1,7;COUNT=3\r\n",
                         "2028-01-01T00:00:00Z") ==
              Strings{"2026-01-10T09:00:00Z", "2026-07-10T09:00:00Z", "2027-01-10T09:00:00Z"});
    }
    SECTION("plain YEARLY in a zone, begun the year before the window") {
        // 10:00 in Berlin in July is 08:00Z.
        CHECK(utc_starts("DTSTART;TZID=Europe/Berlin:20250704T100000\r\nDURATION:PT2H\r\n"
                         "RRULE:FREQ=YEARLY\r\n",
                         "2028-01-01T00:00:00Z") ==
              Strings{"2026-07-04T08:00:00Z", "2027-07-04T08:00:00Z"});
    }
    SECTION("every other month, last Friday") {
        // Last Fridays: 30 January, 27 March (the 31st is a Tuesday), 29 May (the 31st is
        // a Sunday).
        CHECK(utc_starts("DTSTART:20260130T090000Z\r\nDURATION:PT1H\r\n"
                         "RRULE:FREQ=MONTHLY;INTERVAL=2;BYDAY=-1FR;COUNT=3\r\n") ==
              Strings{"2026-01-30T09:00:00Z", "2026-03-27T09:00:00Z", "2026-05-29T09:00:00Z"});
    }
}

TEST_CASE("WKST and INTERVAL keep their phase decades after DTSTART", "[recurrence]") {
    // The RFC 5545 WKST example left running: 1997-08-03 (a Sunday) to 2026-01-11 is 742
    // weeks, and 1997-08-04 (a Monday) to 2025-12-29 is 741 weeks, so with WKST=SU the
    // week of 11 January is on, with WKST=MO the weeks of 29 December and 12 January are.
    auto run = [](const char* wkst) {
        return starts_of(
            expand(event(std::string("DTSTART:19970805T090000Z\r\nDURATION:PT1H\r\n"
                                     "RRULE:FREQ=WEEKLY;INTERVAL=2;BYDAY=TU,SU;WKST=") +
                         wkst + "\r\n"),
                   "UTC", "2026-01-01T00:00:00Z", "2026-02-01T00:00:00Z"));
    };
    CHECK(run("SU") == Strings{"2026-01-11T09:00:00Z", "2026-01-13T09:00:00Z",
                               "2026-01-25T09:00:00Z", "2026-01-27T09:00:00Z"});
    CHECK(run("MO") == Strings{"2026-01-04T09:00:00Z", "2026-01-13T09:00:00Z",
                               "2026-01-18T09:00:00Z", "2026-01-27T09:00:00Z"});
}

TEST_CASE("more UNTIL forms", "[recurrence]") {
    SECTION("a UTC UNTIL on a zoned series in summer") {
        // 09:00 in Berlin in summer is 07:00Z.
        const std::string base =
            "DTSTART;TZID=Europe/Berlin:20260629T090000\r\nDURATION:PT1H\r\n"
            "RRULE:FREQ=DAILY;UNTIL=";
        CHECK(utc_starts(base + "20260701T070000Z\r\n") ==
              Strings{"2026-06-29T07:00:00Z", "2026-06-30T07:00:00Z", "2026-07-01T07:00:00Z"});
        CHECK(utc_starts(base + "20260701T065959Z\r\n").size() == 2);
    }
    SECTION("a DATE UNTIL on a weekly all-day series, in the business zone") {
        CHECK(expand(event("DTSTART;VALUE=DATE:20260105\r\nRRULE:FREQ=WEEKLY;UNTIL=20260119\r\n"),
                     "Europe/Berlin", "2026-01-01T00:00:00Z", "2027-01-01T00:00:00Z") ==
              Strings{"2026-01-04T23:00:00Z/2026-01-05T23:00:00Z",
                      "2026-01-11T23:00:00Z/2026-01-12T23:00:00Z",
                      "2026-01-18T23:00:00Z/2026-01-19T23:00:00Z"});
    }
}

TEST_CASE("more EXDATE and RDATE forms", "[recurrence]") {
    SECTION("an all-day series in New York with DATE EXDATE and RDATE") {
        // Mondays 2, 9 and 16 March; the 16th is excluded and Friday 20 March added.
        // New York is UTC-5 until 8 March, then UTC-4.
        CHECK(expand(event("DTSTART;VALUE=DATE:20260302\r\nDTEND;VALUE=DATE:20260303\r\n"
                           "RRULE:FREQ=WEEKLY;COUNT=3\r\nEXDATE;VALUE=DATE:20260316\r\n"
                           "RDATE;VALUE=DATE:20260320\r\n"),
                     "America/New_York", "2026-01-01T00:00:00Z", "2027-01-01T00:00:00Z") ==
              Strings{"2026-03-02T05:00:00Z/2026-03-03T05:00:00Z",
                      "2026-03-09T04:00:00Z/2026-03-10T04:00:00Z",
                      "2026-03-20T04:00:00Z/2026-03-21T04:00:00Z"});
    }
    SECTION("zoned RDATEs; one that repeats a rule instance is one occurrence") {
        CHECK(expand(event("DTSTART;TZID=Europe/Berlin:20260105T090000\r\nDURATION:PT1H\r\n"
                           "RRULE:FREQ=DAILY;COUNT=2\r\n"
                           "RDATE;TZID=Europe/Berlin:20260106T090000,20260110T120000\r\n"
                           "RDATE;VALUE=PERIOD:20260111T120000Z/20260111T150000Z\r\n"),
                     "UTC", "2026-01-01T00:00:00Z", "2027-01-01T00:00:00Z") ==
              Strings{"2026-01-05T08:00:00Z/2026-01-05T09:00:00Z",
                      "2026-01-06T08:00:00Z/2026-01-06T09:00:00Z",
                      "2026-01-10T11:00:00Z/2026-01-10T12:00:00Z",
                      "2026-01-11T12:00:00Z/2026-01-11T15:00:00Z"});
    }
    SECTION("an EXDATE on DTSTART itself removes the first instance") {
        CHECK(utc_starts("DTSTART:20260105T090000Z\r\nDURATION:PT1H\r\n"
                         "RRULE:FREQ=DAILY;COUNT=3\r\nEXDATE:20260105T090000Z\r\n") ==
              Strings{"2026-01-06T09:00:00Z", "2026-01-07T09:00:00Z"});
    }
}

TEST_CASE("overrides move instances into and out of the window", "[recurrence]") {
    SECTION("in and out") {
        // Weekly on Mondays 09:00 Berlin (08:00Z). The 5 January instance, before the
        // window, is moved into it; the 12 January one (named in UTC) is moved out.
        const auto got = expand(
            vcalendar("BEGIN:VEVENT\r\nUID:s\r\nDTSTART;TZID=Europe/Berlin:20260105T090000\r\n"
                      "DTEND;TZID=Europe/Berlin:20260105T100000\r\n"
                      "RRULE:FREQ=WEEKLY;COUNT=6\r\nEND:VEVENT\r\n"
                      "BEGIN:VEVENT\r\nUID:s\r\n"
                      "RECURRENCE-ID;TZID=Europe/Berlin:20260105T090000\r\n"
                      "DTSTART;TZID=Europe/Berlin:20260115T120000\r\n"
                      "DTEND;TZID=Europe/Berlin:20260115T130000\r\nEND:VEVENT\r\n"
                      "BEGIN:VEVENT\r\nUID:s\r\nRECURRENCE-ID:20260112T080000Z\r\n"
                      "DTSTART:20260305T080000Z\r\nDTEND:20260305T090000Z\r\n"
                      "END:VEVENT\r\n"),
            "UTC", "2026-01-10T00:00:00Z", "2026-01-31T00:00:00Z");
        CHECK(got == Strings{"2026-01-15T11:00:00Z/2026-01-15T12:00:00Z",
                             "2026-01-19T08:00:00Z/2026-01-19T09:00:00Z",
                             "2026-01-26T08:00:00Z/2026-01-26T09:00:00Z"});
    }
    SECTION("an instance of an endless series moved five months on") {
        const auto got =
            expand(vcalendar("BEGIN:VEVENT\r\nUID:s\r\nDTSTART:20260105T090000Z\r\n"
                             "DTEND:20260105T100000Z\r\nRRULE:FREQ=DAILY\r\nEND:VEVENT\r\n"
                             "BEGIN:VEVENT\r\nUID:s\r\nRECURRENCE-ID:20260105T090000Z\r\n"
                             "DTSTART:20260601T120000Z\r\nDTEND:20260601T130000Z\r\n"
                             "END:VEVENT\r\n"),
                   "UTC", "2026-06-01T11:00:00Z", "2026-06-01T14:00:00Z");
        CHECK(got == Strings{"2026-06-01T12:00:00Z/2026-06-01T13:00:00Z"});
    }
}

TEST_CASE("THISANDFUTURE with later overrides and status", "[recurrence]") {
    const std::string master =
        "BEGIN:VEVENT\r\nUID:s\r\nDTSTART:20260105T090000Z\r\nDTEND:20260105T100000Z\r\n"
        "RRULE:FREQ=WEEKLY;COUNT=5\r\nEND:VEVENT\r\n";
    SECTION("a single override after the range wins for its instance") {
        auto occ = expand_with_cap(
            vcalendar(
                master +
                "BEGIN:VEVENT\r\nUID:s\r\nRECURRENCE-ID;RANGE=THISANDFUTURE:20260112T090000Z\r\n"
                "DTSTART:20260112T110000Z\r\nDTEND:20260112T113000Z\r\nSTATUS:TENTATIVE\r\n"
                "END:VEVENT\r\n"
                "BEGIN:VEVENT\r\nUID:s\r\nRECURRENCE-ID:20260126T090000Z\r\n"
                "DTSTART:20260126T150000Z\r\nDTEND:20260126T160000Z\r\nEND:VEVENT\r\n"),
            "2026-01-01T00:00:00Z", "2027-01-01T00:00:00Z", 20000);
        REQUIRE(occ.ok());
        std::vector<std::string> got;
        for (const auto& o : occ.value())
            got.push_back(range_of(o) + " " + calsync::to_string(o.status) + " " +
                          calsync::format_rfc3339(o.recurrence_id));
        CHECK(got ==
              Strings{"2026-01-05T09:00:00Z/2026-01-05T10:00:00Z confirmed 2026-01-05T09:00:00Z",
                      "2026-01-12T11:00:00Z/2026-01-12T11:30:00Z tentative 2026-01-12T09:00:00Z",
                      "2026-01-19T11:00:00Z/2026-01-19T11:30:00Z tentative 2026-01-19T09:00:00Z",
                      "2026-01-26T15:00:00Z/2026-01-26T16:00:00Z confirmed 2026-01-26T09:00:00Z",
                      "2026-02-02T11:00:00Z/2026-02-02T11:30:00Z tentative "
                      "2026-02-02T09:00:00Z"});
    }
    SECTION("a cancelled THISANDFUTURE cancels the rest of the series") {
        auto occ = expand_with_cap(
            vcalendar(
                master +
                "BEGIN:VEVENT\r\nUID:s\r\nRECURRENCE-ID;RANGE=THISANDFUTURE:20260119T090000Z\r\n"
                "DTSTART:20260119T090000Z\r\nDTEND:20260119T100000Z\r\nSTATUS:CANCELLED\r\n"
                "END:VEVENT\r\n"),
            "2026-01-01T00:00:00Z", "2027-01-01T00:00:00Z", 20000);
        REQUIRE(occ.ok());
        std::vector<std::string> got;
        for (const auto& o : occ.value())
            got.push_back(calsync::format_rfc3339(o.range.start) + " " +
                          calsync::to_string(o.status));
        CHECK(got == Strings{"2026-01-05T09:00:00Z confirmed", "2026-01-12T09:00:00Z confirmed",
                             "2026-01-19T09:00:00Z cancelled", "2026-01-26T09:00:00Z cancelled",
                             "2026-02-02T09:00:00Z cancelled"});
    }
}

// An override can move its instance anywhere; the series is still only walked near the
// window (and, for RANGE=THISANDFUTURE, near the instances it moves into the window): a
// budget that a month of a weekly series fits in must be enough, however far the move.
TEST_CASE("overrides moved across centuries", "[recurrence]") {
    const std::string master =
        "BEGIN:VEVENT\r\nUID:s\r\nDTSTART:20260105T090000Z\r\nDTEND:20260105T100000Z\r\n"
        "RRULE:FREQ=WEEKLY\r\nEND:VEVENT\r\n";
    auto expand_within = [](const std::string& ics, const char* from, const char* to,
                            std::uint64_t budget = 200) {
        auto occ = expand_with_cap(ics, from, to, 20000, budget);
        std::vector<std::string> got;
        if (!occ.ok())
            got.push_back(occ.error().message);
        else
            for (const auto& o : occ.value())
                got.push_back(range_of(o));
        return got;
    };
    SECTION("an instance of 2900 moved to 1707 and one of 1707 moved into the window") {
        const auto got = expand_within(
            vcalendar(master +
                      "BEGIN:VEVENT\r\nUID:s\r\nRECURRENCE-ID:29000106T090000Z\r\n"
                      "DTSTART:17070317T110000Z\r\nDTEND:17070317T120000Z\r\nEND:VEVENT\r\n"
                      "BEGIN:VEVENT\r\nUID:s\r\nRECURRENCE-ID:17070101T090000Z\r\n"
                      "DTSTART:20260311T150000Z\r\nDTEND:20260311T160000Z\r\nEND:VEVENT\r\n"),
            "2026-03-01T00:00:00Z", "2026-03-16T00:00:00Z");
        CHECK(got == Strings{"2026-03-02T09:00:00Z/2026-03-02T10:00:00Z",
                             "2026-03-09T09:00:00Z/2026-03-09T10:00:00Z",
                             "2026-03-11T15:00:00Z/2026-03-11T16:00:00Z"});
    }
    SECTION("two THISANDFUTUREs bringing neighbouring instances of a counted series in") {
        // Hourly from 1 March 09:00 for 2,000 hours. From 2 March 09:00 everything moves 40
        // days on, from 11 March 12:00 39 days: into 20 April 00:00-02:00 come 11 March
        // 00:00 and 01:00 (the first move) and 12 March 00:00 and 01:00 (the second), whose
        // instances are ten hours apart in the series.
        const auto got = expand_within(
            vcalendar("BEGIN:VEVENT\r\nUID:s\r\nDTSTART:20260301T090000Z\r\n"
                      "DURATION:PT30M\r\nRRULE:FREQ=HOURLY;COUNT=2000\r\nEND:VEVENT\r\n"
                      "BEGIN:VEVENT\r\nUID:s\r\n"
                      "RECURRENCE-ID;RANGE=THISANDFUTURE:20260302T090000Z\r\n"
                      "DTSTART:20260411T090000Z\r\nDURATION:PT30M\r\nEND:VEVENT\r\n"
                      "BEGIN:VEVENT\r\nUID:s\r\n"
                      "RECURRENCE-ID;RANGE=THISANDFUTURE:20260311T120000Z\r\n"
                      "DTSTART:20260419T120000Z\r\nDURATION:PT30M\r\nEND:VEVENT\r\n"),
            "2026-04-20T00:00:00Z", "2026-04-20T02:00:00Z", 5000);
        CHECK(got == Strings{"2026-04-20T00:00:00Z/2026-04-20T00:30:00Z",
                             "2026-04-20T00:00:00Z/2026-04-20T00:30:00Z",
                             "2026-04-20T01:00:00Z/2026-04-20T01:30:00Z",
                             "2026-04-20T01:00:00Z/2026-04-20T01:30:00Z"});
    }
    SECTION("RANGE=THISANDFUTURE moving the rest of the series a century on") {
        // 12 January 2026 09:00 to 13 January 2126 11:00 is 36,525 days and 2 hours: the
        // Mondays of March 2026 land on the Tuesdays of March 2126.
        const auto got = expand_within(
            vcalendar(
                master +
                "BEGIN:VEVENT\r\nUID:s\r\nRECURRENCE-ID;RANGE=THISANDFUTURE:20260112T090000Z\r\n"
                "DTSTART:21260113T110000Z\r\nDTEND:21260113T113000Z\r\nEND:VEVENT\r\n"),
            "2126-03-01T00:00:00Z", "2126-04-01T00:00:00Z");
        CHECK(got == Strings{"2126-03-03T11:00:00Z/2126-03-03T11:30:00Z",
                             "2126-03-10T11:00:00Z/2126-03-10T11:30:00Z",
                             "2126-03-17T11:00:00Z/2126-03-17T11:30:00Z",
                             "2126-03-24T11:00:00Z/2126-03-24T11:30:00Z",
                             "2126-03-31T11:00:00Z/2126-03-31T11:30:00Z"});
    }
}

TEST_CASE("a series with every kind of override (series.ics)", "[recurrence]") {
    auto cal = calsync::read_ics(calsync::test::ics_fixture("series.ics"),
                                 calsync::IcsReadOptions{"c", {}});
    REQUIRE(cal.ok());
    calsync::ExpansionWindow w;
    auto berlin = calsync::find_iana_zone("Europe/Berlin").value();
    w.business_zone = berlin.get();
    w.window = {calsync::parse_rfc3339("2026-01-01T00:00:00Z").value(),
                calsync::parse_rfc3339("2026-03-01T00:00:00Z").value()};
    SECTION("weekly oil changes") {
        const calsync::Event* oil = nullptr;
        for (const auto& e : cal->events)
            oil = e.id == "weekly-oil" ? &e : oil;
        REQUIRE(oil != nullptr);
        auto occ = calsync::expand_event(*oil, w);
        REQUIRE(occ.ok());
        std::vector<std::string> got;
        for (const auto& o : occ.value())
            got.push_back(range_of(o) + " " + calsync::to_string(o.status) + " " +
                          calsync::format_rfc3339(o.recurrence_id));
        // Mondays at 09:00 Berlin (08:00Z): the 12th moved to Tuesday 14:00, the 19th
        // excluded, the 26th cancelled, from 2 February at 11:00 for half an hour.
        CHECK(got ==
              Strings{"2026-01-05T08:00:00Z/2026-01-05T09:00:00Z confirmed 2026-01-05T08:00:00Z",
                      "2026-01-13T13:00:00Z/2026-01-13T14:00:00Z confirmed 2026-01-12T08:00:00Z",
                      "2026-01-26T08:00:00Z/2026-01-26T09:00:00Z cancelled 2026-01-26T08:00:00Z",
                      "2026-02-02T10:00:00Z/2026-02-02T10:30:00Z confirmed 2026-02-02T08:00:00Z",
                      "2026-02-09T10:00:00Z/2026-02-09T10:30:00Z confirmed "
                      "2026-02-09T08:00:00Z"});
    }
    SECTION("a weekday stand-up with one longer instance") {
        const calsync::Event* standup = nullptr;
        for (const auto& e : cal->events)
            standup = e.id == "standup" ? &e : standup;
        REQUIRE(standup != nullptr);
        auto occ = calsync::expand_event(*standup, w);
        REQUIRE(occ.ok());
        REQUIRE(occ->size() == 10);
        // Weekdays 5-9 and 12-16 January; the 7th moved to 08:00 for 45 minutes.
        CHECK(range_of(occ.value()[1]) == "2026-01-06T07:30:00Z/2026-01-06T07:45:00Z");
        CHECK(range_of(occ.value()[2]) == "2026-01-07T08:00:00Z/2026-01-07T08:45:00Z");
        CHECK(range_of(occ.value()[5]) == "2026-01-12T07:30:00Z/2026-01-12T07:45:00Z");
        CHECK(range_of(occ.value()[9]) == "2026-01-16T07:30:00Z/2026-01-16T07:45:00Z");
    }
}

TEST_CASE("occurrences carry the fields of the master or of their override", "[recurrence]") {
    const auto at = [](const char* t) { return calsync::parse_rfc3339(t).value(); };
    calsync::Event e;
    e.id = "e";
    e.start = calsync::EventTime::at_utc(at("2026-01-05T09:00:00Z"));
    e.end = calsync::EventTime::at_utc(at("2026-01-05T10:00:00Z"));
    e.recurrence.rrules = {"FREQ=DAILY;COUNT=3"};
    e.status = calsync::EventStatus::tentative;
    e.transparency = calsync::Transparency::transparent;
    e.owner_response = calsync::Response::needs_action;
    calsync::Event ov;
    ov.id = "e";
    ov.recurrence_id = calsync::EventTime::at_utc(at("2026-01-06T09:00:00Z"));
    ov.start = calsync::EventTime::at_utc(at("2026-01-06T09:00:00Z"));
    ov.end = calsync::EventTime::at_utc(at("2026-01-06T10:00:00Z"));
    ov.owner_response = calsync::Response::accepted;
    e.overrides = {ov};
    calsync::ExpansionWindow w;
    w.window = {at("2026-01-01T00:00:00Z"), at("2026-02-01T00:00:00Z")};
    auto occ = calsync::expand_event(e, w);
    REQUIRE(occ.ok());
    REQUIRE(occ->size() == 3);
    for (int i : {0, 2}) {
        const auto& o = occ.value()[i];
        CHECK(o.status == calsync::EventStatus::tentative);
        CHECK(o.transparency == calsync::Transparency::transparent);
        CHECK(o.owner_response == calsync::Response::needs_action);
        CHECK_FALSE(o.all_day);
    }
    const auto& middle = occ.value()[1];
    CHECK(middle.status == calsync::EventStatus::confirmed);
    CHECK(middle.transparency == calsync::Transparency::opaque);
    CHECK(middle.owner_response == calsync::Response::accepted);
}

TEST_CASE("more DST cases", "[recurrence]") {
    SECTION("a weekly series keeps its wall time across the autumn change") {
        // Berlin: UTC+2 until 25 October 2026 03:00, then UTC+1.
        CHECK(utc_starts("DTSTART;TZID=Europe/Berlin:20261019T090000\r\nDURATION:PT1H\r\n"
                         "RRULE:FREQ=WEEKLY;COUNT=2\r\n") ==
              Strings{"2026-10-19T07:00:00Z", "2026-10-26T08:00:00Z"});
    }
    SECTION("and in New York across its own spring change (8 March)") {
        CHECK(utc_starts("DTSTART;TZID=America/New_York:20260302T090000\r\nDURATION:PT1H\r\n"
                         "RRULE:FREQ=WEEKLY;COUNT=2\r\n") ==
              Strings{"2026-03-02T14:00:00Z", "2026-03-09T13:00:00Z"});
    }
    SECTION("floating series follow the business zone's changes") {
        CHECK(starts_of(expand(event("DTSTART:20260323T090000\r\nDURATION:PT1H\r\n"
                                     "RRULE:FREQ=WEEKLY;COUNT=2\r\n"),
                               "Europe/Berlin", "2026-01-01T00:00:00Z", "2027-01-01T00:00:00Z")) ==
              Strings{"2026-03-23T08:00:00Z", "2026-03-30T07:00:00Z"});
    }
    SECTION("the instance in the gap keeps its exact length") {
        CHECK(expand(event("DTSTART;TZID=Europe/Berlin:20260328T023000\r\nDURATION:PT1H\r\n"
                           "RRULE:FREQ=DAILY;COUNT=2\r\n"),
                     "UTC", "2026-01-01T00:00:00Z", "2027-01-01T00:00:00Z") ==
              Strings{"2026-03-28T01:30:00Z/2026-03-28T02:30:00Z",
                      "2026-03-29T01:30:00Z/2026-03-29T02:30:00Z"});
    }
    SECTION("DURATION in days is nominal, in hours exact (RFC 5545 3.3.6)") {
        // Noon on 28 March (11:00Z) plus one day is noon on the 29th, now 10:00Z.
        CHECK(expand(event("DTSTART;TZID=Europe/Berlin:20260328T120000\r\nDURATION:P1D\r\n"), "UTC",
                     "2026-01-01T00:00:00Z", "2027-01-01T00:00:00Z") ==
              Strings{"2026-03-28T11:00:00Z/2026-03-29T10:00:00Z"});
        CHECK(expand(event("DTSTART;TZID=Europe/Berlin:20260328T120000\r\nDURATION:PT24H\r\n"),
                     "UTC", "2026-01-01T00:00:00Z", "2027-01-01T00:00:00Z") ==
              Strings{"2026-03-28T11:00:00Z/2026-03-29T11:00:00Z"});
    }
    SECTION("all-day days are 23 and 25 hours long on change days") {
        CHECK(expand(event("DTSTART;VALUE=DATE:20261025\r\n"), "Europe/Berlin",
                     "2026-01-01T00:00:00Z", "2027-01-01T00:00:00Z") ==
              Strings{"2026-10-24T22:00:00Z/2026-10-25T23:00:00Z"});
        CHECK(expand(event("DTSTART;VALUE=DATE:20260328\r\nRRULE:FREQ=DAILY;COUNT=3\r\n"),
                     "Europe/Berlin", "2026-01-01T00:00:00Z", "2027-01-01T00:00:00Z") ==
              Strings{"2026-03-27T23:00:00Z/2026-03-28T23:00:00Z",
                      "2026-03-28T23:00:00Z/2026-03-29T22:00:00Z",
                      "2026-03-29T22:00:00Z/2026-03-30T22:00:00Z"});
    }
    SECTION("all-day occurrences are flagged") {
        auto occ = expand_with_cap(event("DTSTART;VALUE=DATE:20260501\r\n"), "2026-01-01T00:00:00Z",
                                   "2027-01-01T00:00:00Z", 20000);
        REQUIRE(occ.ok());
        REQUIRE(occ->size() == 1);
        CHECK(occ.value()[0].all_day);
    }
}

TEST_CASE("occurrences overlapping the window edges are whole", "[recurrence]") {
    SECTION("a series with instances across both edges") {
        CHECK(expand(event("DTSTART:20260104T230000Z\r\nDTEND:20260105T010000Z\r\n"
                           "RRULE:FREQ=DAILY;COUNT=5\r\n"),
                     "UTC", "2026-01-06T00:00:00Z", "2026-01-07T00:00:00Z") ==
              Strings{"2026-01-05T23:00:00Z/2026-01-06T01:00:00Z",
                      "2026-01-06T23:00:00Z/2026-01-07T01:00:00Z"});
    }
    SECTION("a long all-day event around a short window") {
        CHECK(expand(event("DTSTART;VALUE=DATE:20260101\r\nDTEND;VALUE=DATE:20260110\r\n"), "UTC",
                     "2026-01-05T00:00:00Z", "2026-01-06T00:00:00Z") ==
              Strings{"2026-01-01T00:00:00Z/2026-01-10T00:00:00Z"});
    }
    SECTION("one second inside the end of the window is enough") {
        CHECK(expand(event("DTSTART:20260105T235959Z\r\nDURATION:PT1H\r\n"), "UTC",
                     "2026-01-05T00:00:00Z", "2026-01-06T00:00:00Z")
                  .size() == 1);
    }
}

TEST_CASE("the occurrence cap", "[recurrence]") {
    SECTION("hitting it is a limit_exceeded error, not a partial answer") {
        auto occ = expand_with_cap(event("DTSTART:20260105T090000Z\r\nDURATION:PT1M\r\n"
                                         "RRULE:FREQ=MINUTELY\r\n"),
                                   "2026-01-01T00:00:00Z", "2027-01-01T00:00:00Z", 20000);
        REQUIRE_FALSE(occ.ok());
        CHECK(occ.error().code == calsync::ErrorCode::limit_exceeded);
    }
    SECTION("exactly the cap in the window is fine, one more is not") {
        const std::string daily =
            event("DTSTART:20260101T090000Z\r\nDURATION:PT1H\r\nRRULE:FREQ=DAILY\r\n");
        // 5, 6 and 7 January.
        auto three = expand_with_cap(daily, "2026-01-05T00:00:00Z", "2026-01-08T00:00:00Z", 3);
        INFO((three.ok() ? std::string() : three.error().message));
        REQUIRE(three.ok());
        CHECK(three->size() == 3);
        auto four = expand_with_cap(daily, "2026-01-05T00:00:00Z", "2026-01-09T00:00:00Z", 3);
        REQUIRE_FALSE(four.ok());
        CHECK(four.error().code == calsync::ErrorCode::limit_exceeded);
    }
    SECTION("a long SECONDLY series with COUNT is fine when the window holds few instances") {
        // 100,000 seconds from 09:00 (more than a day), but only the first minute is asked.
        auto occ = expand_with_cap(event("DTSTART:20260105T090000Z\r\nDURATION:PT1S\r\n"
                                         "RRULE:FREQ=SECONDLY;COUNT=100000\r\n"),
                                   "2026-01-05T09:00:00Z", "2026-01-05T09:01:00Z", 20000);
        INFO((occ.ok() ? std::string() : occ.error().message));
        REQUIRE(occ.ok());
        REQUIRE(occ->size() == 60);
        CHECK(calsync::format_rfc3339(occ->back().range.start) == "2026-01-05T09:00:59Z");
    }
}

TEST_CASE("UNTIL as a DATE on a DATE-TIME series ends with that day", "[recurrence]") {
    // Google writes UNTIL=20260107 for a timed series: the 7th is included, whatever the time.
    CHECK(utc_starts("DTSTART:20260105T230000Z\r\nDURATION:PT30M\r\n"
                     "RRULE:FREQ=DAILY;UNTIL=20260107\r\n") ==
          Strings{"2026-01-05T23:00:00Z", "2026-01-06T23:00:00Z", "2026-01-07T23:00:00Z"});
    // In a zone, the day is the zone's: 23:30 in New York on the 7th is the 8th in UTC.
    CHECK(utc_starts("DTSTART;TZID=America/New_York:20260105T233000\r\nDURATION:PT30M\r\n"
                     "RRULE:FREQ=DAILY;UNTIL=20260107\r\n") ==
          Strings{"2026-01-06T04:30:00Z", "2026-01-07T04:30:00Z", "2026-01-08T04:30:00Z"});
}

TEST_CASE("an event whose end precedes its start is an error naming it", "[recurrence]") {
    std::string error;
    SECTION("DTEND before DTSTART") {
        CHECK(expand(event("DTSTART:20260105T100000Z\r\nDTEND:20260105T090000Z\r\n"), "UTC",
                     "2026-01-01T00:00:00Z", "2027-01-01T00:00:00Z", &error)
                  .empty());
        CHECK_THAT(error, Catch::Contains("event 'e'") &&
                              Catch::Contains("DTEND 2026-01-05T09:00:00 is before DTSTART"));
    }
    SECTION("a DATE end before a DATE start") {
        CHECK(expand(event("DTSTART;VALUE=DATE:20260105\r\nDTEND;VALUE=DATE:20260104\r\n"), "UTC",
                     "2026-01-01T00:00:00Z", "2027-01-01T00:00:00Z", &error)
                  .empty());
        CHECK_THAT(error, Catch::Contains("is before DTSTART"));
    }
    SECTION("a negative DURATION") {
        CHECK(expand(event("DTSTART:20260105T100000Z\r\nDURATION:-PT1H\r\n"), "UTC",
                     "2026-01-01T00:00:00Z", "2027-01-01T00:00:00Z", &error)
                  .empty());
        CHECK_THAT(error, Catch::Contains("DURATION is negative"));
    }
    SECTION("an override of a series") {
        CHECK(expand(vcalendar("BEGIN:VEVENT\r\nUID:s\r\nDTSTART:20260105T090000Z\r\n"
                               "DTEND:20260105T100000Z\r\nRRULE:FREQ=DAILY;COUNT=3\r\n"
                               "END:VEVENT\r\nBEGIN:VEVENT\r\nUID:s\r\n"
                               "RECURRENCE-ID:20260106T090000Z\r\nDTSTART:20260106T120000Z\r\n"
                               "DTEND:20260106T110000Z\r\nEND:VEVENT\r\n"),
                     "UTC", "2026-01-01T00:00:00Z", "2027-01-01T00:00:00Z", &error)
                  .empty());
        CHECK_THAT(error, Catch::Contains("event 's'") &&
                              Catch::Contains("(the instance of 2026-01-06T09:00:00)"));
    }
    SECTION("an instant-long event and one starting in a DST gap are not errors") {
        CHECK(expand(event("DTSTART:20260105T100000Z\r\nDTEND:20260105T100000Z\r\n"), "UTC",
                     "2026-01-01T00:00:00Z", "2027-01-01T00:00:00Z", &error)
                  .size() == 1);
        CHECK(expand(event("DTSTART:20260329T024500\r\nDTEND:20260329T031500\r\n"), "Europe/Berlin",
                     "2026-01-01T00:00:00Z", "2027-01-01T00:00:00Z", &error)
                  .size() == 1);
    }
}

TEST_CASE("invalid and impossible rules", "[recurrence]") {
    std::string error;
    SECTION("a numbered BYDAY in a WEEKLY rule is reported, not guessed (libical accepted it)") {
        CHECK(expand(event("DTSTART:20260105T090000Z\r\nDURATION:PT1H\r\n"
                           "RRULE:FREQ=WEEKLY;BYDAY=+1MO\r\n"),
                     "UTC", "2026-01-01T00:00:00Z", "2027-01-01T00:00:00Z", &error)
                  .empty());
        CHECK_THAT(error, Catch::Contains("event 'e'") && Catch::Contains("numbered BYDAY"));
    }
    SECTION("a rule that can never match leaves DTSTART alone (libical looped for hours)") {
        for (const char* rule : {"FREQ=SECONDLY;BYMONTH=2;BYMONTHDAY=30",
                                 "FREQ=SECONDLY;BYMONTH=2;BYMONTHDAY=30;COUNT=1",
                                 "FREQ=SECONDLY;BYMONTH=2;BYMONTHDAY=30;UNTIL=20300101T000000Z",
                                 "FREQ=HOURLY;BYMONTH=2;BYMONTHDAY=30"}) {
            INFO(rule);
            CHECK(utc_starts(std::string("DTSTART:20260105T090000Z\r\nDURATION:PT1S\r\nRRULE:") +
                             rule + "\r\n") == Strings{"2026-01-05T09:00:00Z"});
        }
    }
}

TEST_CASE("the work budget is an error naming the event", "[recurrence]") {
    auto cal = calsync::read_ics(event("DTSTART:19900105T090000Z\r\nDURATION:PT1H\r\n"
                                       "RRULE:FREQ=DAILY;COUNT=100000\r\n"),
                                 calsync::IcsReadOptions{"c", {}});
    REQUIRE(cal.ok());
    calsync::ExpansionWindow w;
    w.window = {calsync::parse_rfc3339("2026-01-01T00:00:00Z").value(),
                calsync::parse_rfc3339("2026-02-01T00:00:00Z").value()};
    SECTION("COUNT from 1990 needs 13,000 days of steps to reach 2026") {
        w.work_budget = 1000;
        auto occ = calsync::expand_event(cal->events[0], w);
        REQUIRE_FALSE(occ.ok());
        CHECK(occ.error().code == calsync::ErrorCode::limit_exceeded);
        CHECK_THAT(occ.error().message,
                   Catch::Contains("event 'e'") && Catch::Contains("work budget of 1000"));
    }
    SECTION("the default budget covers it") {
        auto occ = calsync::expand_event(cal->events[0], w);
        REQUIRE(occ.ok());
        CHECK(occ->size() == 31);
    }
}
