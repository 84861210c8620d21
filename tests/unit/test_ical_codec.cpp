// iCalendar reading (src/core/ical_codec.cpp).
#include <catch2/catch.hpp>

#include "expand_helpers.hpp"

using calsync::test::vcalendar;

namespace {

calsync::IcsCalendar read(const std::string& body, std::vector<std::string> owners = {}) {
    auto cal = calsync::read_ics(vcalendar(body), calsync::IcsReadOptions{"cal", owners});
    REQUIRE(cal.ok());
    return std::move(cal).value();
}

}  // namespace

TEST_CASE("calendar name and event fields", "[ical]") {
    const auto cal = read(
        "X-WR-CALNAME:Workshop\r\nX-WR-TIMEZONE:Europe/Berlin\r\n"
        "BEGIN:VEVENT\r\nUID:a\r\nSUMMARY:Brakes\r\nDTSTART:20260105T090000Z\r\n"
        "DURATION:P1DT2H\r\nSTATUS:TENTATIVE\r\nTRANSP:TRANSPARENT\r\n"
        "X-CALSYNC-APPOINTMENT-ID:appt-7\r\nEND:VEVENT\r\n");
    CHECK(cal.name == "Workshop");
    CHECK(cal.time_zone == "Europe/Berlin");
    REQUIRE(cal.events.size() == 1);
    const auto& e = cal.events[0];
    CHECK(e.id == "a");
    CHECK(e.calendar_id == "cal");
    CHECK(e.summary == "Brakes");
    CHECK(e.start.kind == calsync::EventTime::Kind::utc);
    REQUIRE(e.duration.has_value());
    CHECK(e.duration->days == 1);
    CHECK(e.duration->seconds == 7200);
    CHECK(e.status == calsync::EventStatus::tentative);
    CHECK(e.transparency == calsync::Transparency::transparent);
    CHECK(e.export_marker == "appt-7");
}

TEST_CASE("time forms", "[ical]") {
    const auto cal = read(
        "BEGIN:VEVENT\r\nUID:d\r\nDTSTART;VALUE=DATE:20260501\r\nEND:VEVENT\r\n"
        "BEGIN:VEVENT\r\nUID:f\r\nDTSTART:20260501T090000\r\nEND:VEVENT\r\n"
        "BEGIN:VEVENT\r\nUID:z\r\nDTSTART;TZID=America/New_York:20260501T090000\r\n"
        "DTEND;TZID=America/New_York:20260501T100000\r\nEND:VEVENT\r\n");
    REQUIRE(cal.events.size() == 3);
    CHECK(cal.events[0].start.kind == calsync::EventTime::Kind::date);
    CHECK(cal.events[1].start.kind == calsync::EventTime::Kind::floating);
    CHECK(cal.events[2].start.kind == calsync::EventTime::Kind::zoned);
    CHECK(cal.events[2].start.tzid == "America/New_York");
    // 09:00 EDT (UTC-4).
    CHECK(calsync::format_rfc3339(cal.events[2].start.resolve(*calsync::TimeZone::utc())) ==
          "2026-05-01T13:00:00Z");
}

TEST_CASE("the owner's answer to an invitation", "[ical]") {
    const std::string body =
        "BEGIN:VEVENT\r\nUID:i\r\nDTSTART:20260105T090000Z\r\n"
        "ATTENDEE;PARTSTAT=ACCEPTED:mailto:someone@else.example\r\n"
        "ATTENDEE;PARTSTAT=DECLINED:MAILTO:Owner@Garage.example\r\nEND:VEVENT\r\n"
        "BEGIN:VEVENT\r\nUID:n\r\nDTSTART:20260105T090000Z\r\n"
        "ATTENDEE:mailto:owner@garage.example\r\nEND:VEVENT\r\n";
    SECTION("matched without case and with or without mailto:") {
        const auto cal = read(body, {"owner@garage.example"});
        CHECK(cal.events[0].owner_response == calsync::Response::declined);
        // RFC 5545 3.2.12: no PARTSTAT means NEEDS-ACTION.
        CHECK(cal.events[1].owner_response == calsync::Response::needs_action);
    }
    SECTION("no owner address: no response is read") {
        const auto cal = read(body);
        CHECK(cal.events[0].owner_response == calsync::Response::none);
    }
}

TEST_CASE("overrides attach to their master by UID", "[ical]") {
    const auto cal = read(
        "BEGIN:VEVENT\r\nUID:s\r\nRECURRENCE-ID;RANGE=THISANDFUTURE:20260112T090000Z\r\n"
        "DTSTART:20260112T100000Z\r\nEND:VEVENT\r\n"
        "BEGIN:VEVENT\r\nUID:s\r\nDTSTART:20260105T090000Z\r\nRRULE:FREQ=WEEKLY\r\n"
        "EXDATE:20260119T090000Z,20260126T090000Z\r\nEND:VEVENT\r\n"
        "BEGIN:VEVENT\r\nUID:orphan\r\nRECURRENCE-ID:20260301T090000Z\r\n"
        "DTSTART:20260301T090000Z\r\nEND:VEVENT\r\n");
    REQUIRE(cal.events.size() == 2);
    const auto& master = cal.events[0];
    CHECK(master.id == "s");
    REQUIRE(master.overrides.size() == 1);
    CHECK(master.overrides[0].this_and_future);
    CHECK(master.recurrence.exdates.size() == 2);
    // An instance shared without its series stands alone.
    CHECK(cal.events[1].id == "orphan/2026-03-01T09:00:00");
}

TEST_CASE("an unreadable event is skipped with its reason and the rest still comes through",
          "[ical]") {
    const auto cal = read(
        "BEGIN:VEVENT\r\nUID:good1\r\nDTSTART:20260105T090000Z\r\nEND:VEVENT\r\n"
        "BEGIN:VEVENT\r\nUID:bad-zone\r\nDTSTART;TZID=Mars/Olympus_Mons:20260105T090000\r\n"
        "END:VEVENT\r\n"
        "BEGIN:VEVENT\r\nUID:bad-rule\r\nDTSTART:20260105T090000Z\r\nRRULE:FREQ=SOMETIMES\r\n"
        "END:VEVENT\r\n"
        "BEGIN:VEVENT\r\nUID:no-start\r\nSUMMARY:x\r\nEND:VEVENT\r\n"
        "BEGIN:VEVENT\r\nUID:good2\r\nDTSTART:20260106T090000Z\r\nEND:VEVENT\r\n");
    REQUIRE(cal.events.size() == 2);
    CHECK(cal.events[0].id == "good1");
    CHECK(cal.events[1].id == "good2");
    REQUIRE(cal.errors.size() == 3);
    CHECK(cal.errors[0].event_id == "bad-zone");
    CHECK_THAT(cal.errors[0].message, Catch::Contains("Mars/Olympus_Mons"));
    CHECK(cal.errors[1].event_id == "bad-rule");
    CHECK_THAT(cal.errors[1].message, Catch::Contains("RRULE"));
    CHECK(cal.errors[2].event_id == "no-start");
    CHECK_THAT(cal.errors[2].message, Catch::Contains("DTSTART"));
}

TEST_CASE("text that is not iCalendar fails as a whole", "[ical]") {
    auto cal = calsync::read_ics("hello, world", calsync::IcsReadOptions{});
    REQUIRE_FALSE(cal.ok());
    CHECK(cal.error().code == calsync::ErrorCode::parse);
}

TEST_CASE("an export written and read back keeps its times, marker and text", "[ical]") {
    calsync::Event e;
    e.uid = "calsync-appt-42@pitstoply";
    e.summary = "Oil change, J. Weber; VW Golf, HH-AB 123";
    e.start = calsync::EventTime::at_utc(calsync::parse_rfc3339("2026-06-02T12:00:00Z").value());
    e.end = calsync::EventTime::at_utc(calsync::parse_rfc3339("2026-06-02T13:30:00Z").value());
    e.export_marker = "appt-42";
    const std::string text =
        calsync::write_ics(e, calsync::parse_rfc3339("2026-06-01T08:00:00Z").value());
    CHECK_THAT(text, Catch::Contains("DTSTART:20260602T120000Z"));
    CHECK_THAT(text, Catch::Contains("DTSTAMP:20260601T080000Z"));
    auto back = calsync::read_ics(text, calsync::IcsReadOptions{"c", {}});
    REQUIRE(back.ok());
    REQUIRE(back->events.size() == 1);
    const auto& r = back->events[0];
    CHECK(r.uid == e.uid);
    CHECK(r.summary == e.summary);  // commas and semicolons survive escaping
    CHECK(r.export_marker == "appt-42");
    CHECK(calsync::format_rfc3339(r.end->resolve(*calsync::TimeZone::utc())) ==
          "2026-06-02T13:30:00Z");
}
