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
