// iCalendar reading (src/core/ical_codec.cpp).
#include <catch2/catch.hpp>
#include <stdexcept>
#include <thread>

#include "expand_helpers.hpp"

using calsync::test::vcalendar;

namespace {

calsync::IcsCalendar read(const std::string& body, std::vector<std::string> owners = {}) {
    auto cal = calsync::read_ics(vcalendar(body), calsync::IcsReadOptions{"cal", owners});
    REQUIRE(cal.ok());
    return std::move(cal).value();
}

calsync::IcsCalendar read_fixture(const std::string& name, std::vector<std::string> owners = {},
                                  const std::string& calendar_id = "cal") {
    auto cal = calsync::read_ics(calsync::test::ics_fixture(name),
                                 calsync::IcsReadOptions{calendar_id, owners});
    REQUIRE(cal.ok());
    return std::move(cal).value();
}

const calsync::Event& by_id(const calsync::IcsCalendar& cal, const std::string& id) {
    for (const auto& e : cal.events) {
        if (e.id == id)
            return e;
    }
    FAIL("no event " << id);
    throw std::logic_error("unreachable");
}

std::string in_zone(const calsync::EventTime& t, const char* zone) {
    return calsync::format_rfc3339(t.resolve(*calsync::find_iana_zone(zone).value()));
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
    e.description = "Client: J. Weber\nService: oil change\nVehicle: VW Golf, HH-AB 123";
    e.location = "Bay 2";
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
    CHECK(r.description == e.description);  // new lines survive as \n escapes
    CHECK(r.location == "Bay 2");
    CHECK(calsync::format_rfc3339(r.end->resolve(*calsync::TimeZone::utc())) ==
          "2026-06-02T13:30:00Z");
}

TEST_CASE("DTSTART, DTEND and DURATION in every time form (time_forms.ics)", "[ical]") {
    const auto cal = read_fixture("time_forms.ics");
    CHECK(cal.name == "Werkstatt M\xc3\xbcller");
    CHECK(cal.time_zone == "Europe/Berlin");
    CHECK(cal.errors.empty());
    REQUIRE(cal.events.size() == 9);
    using Kind = calsync::EventTime::Kind;

    SECTION("UTC, with an escaped comma in the summary") {
        const auto& e = by_id(cal, "utc");
        CHECK(e.start.kind == Kind::utc);
        CHECK(in_zone(e.start, "Asia/Tokyo") == "2026-01-05T09:00:00Z");
        REQUIRE(e.end.has_value());
        CHECK(in_zone(*e.end, "Asia/Tokyo") == "2026-01-05T10:30:00Z");
        CHECK_FALSE(e.duration.has_value());
        CHECK(e.summary == "Tyre change, front and back");
    }
    SECTION("a made-up TZID defined by the calendar's VTIMEZONE") {
        const auto& e = by_id(cal, "custom-zone");
        CHECK(e.start.kind == Kind::zoned);
        CHECK(e.start.tzid == "Custom/Fixed+0530");
        CHECK(calsync::format_local(e.start.local) == "2026-05-01T10:00:00");
        // 10:00 at +05:30.
        CHECK(in_zone(e.start, "UTC") == "2026-05-01T04:30:00Z");
        CHECK_FALSE(e.end.has_value());
        REQUIRE(e.duration.has_value());
        CHECK(e.duration->days == 0);
        CHECK(e.duration->seconds == 90 * 60);
    }
    SECTION("the calendar's definition of an IANA name wins over the system's") {
        const auto& e = by_id(cal, "stale-london");
        // The VTIMEZONE says +00:00 all year; the system's Europe/London would be +01:00.
        CHECK(in_zone(e.start, "UTC") == "2026-07-01T10:00:00Z");
        CHECK(in_zone(*e.end, "UTC") == "2026-07-01T11:00:00Z");
    }
    SECTION("an Outlook zone name with its DST rules, quoted as a parameter value") {
        const auto& e = by_id(cal, "outlook-zone");
        CHECK(e.start.tzid == "W. Europe Standard Time");
        // Winter +01:00, summer +02:00, from the VTIMEZONE's yearly rules.
        CHECK(in_zone(e.start, "UTC") == "2026-01-15T09:00:00Z");
        CHECK(in_zone(*e.end, "UTC") == "2026-07-15T08:00:00Z");
    }
    SECTION("an IANA TZID with no VTIMEZONE, and a DURATION in weeks") {
        const auto& e = by_id(cal, "iana-no-vtimezone");
        CHECK(e.start.kind == Kind::zoned);
        CHECK(e.start.tzid == "America/New_York");
        CHECK(in_zone(e.start, "UTC") == "2026-01-15T14:00:00Z");  // EST, UTC-5
        REQUIRE(e.duration.has_value());
        CHECK(e.duration->days == 7);
        CHECK(e.duration->seconds == 0);
    }
    SECTION("floating times are read in whatever zone the reader gives") {
        const auto& e = by_id(cal, "floating");
        CHECK(e.start.kind == Kind::floating);
        CHECK(calsync::format_local(e.start.local) == "2026-05-01T09:00:00");
        CHECK(in_zone(e.start, "Europe/Berlin") == "2026-05-01T07:00:00Z");
        CHECK(in_zone(e.start, "America/New_York") == "2026-05-01T13:00:00Z");
        CHECK(e.end->kind == Kind::floating);
    }
    SECTION("DATE values: all-day, with and without an end") {
        const auto& holiday = by_id(cal, "holiday");
        CHECK(holiday.start.kind == Kind::date);
        CHECK(holiday.start.is_date());
        CHECK(holiday.start.local.date == calsync::CivilDate{2026, 5, 1});
        REQUIRE(holiday.end.has_value());
        CHECK(holiday.end->local.date == calsync::CivilDate{2026, 5, 4});
        // Midnight in Berlin (UTC+2 in May).
        CHECK(in_zone(holiday.start, "Europe/Berlin") == "2026-04-30T22:00:00Z");
        const auto& eve = by_id(cal, "christmas-eve");
        CHECK(eve.start.is_date());
        CHECK_FALSE(eve.end.has_value());
        CHECK_FALSE(eve.duration.has_value());
    }
    SECTION("a folded line and DURATION with days, hours and minutes") {
        const auto& e = by_id(cal, "long-summary");
        CHECK(e.summary ==
              "Inspection booked by phone; customer will bring the service book and the spare "
              "key");
        REQUIRE(e.duration.has_value());
        CHECK(e.duration->days == 1);
        CHECK(e.duration->seconds == 2 * 3600 + 30 * 60);
    }
}

TEST_CASE("status, transparency, the owner's answer and our marker (invitations.ics)", "[ical]") {
    using calsync::Response;
    SECTION("owner addresses match without case and with or without mailto:") {
        const auto cal = read_fixture("invitations.ics",
                                      {"mailto:Owner@garage.example", "WERKSTATT@garage.example"});
        REQUIRE(cal.errors.empty());
        CHECK(by_id(cal, "accepted").owner_response == Response::accepted);
        CHECK(by_id(cal, "declined-upper-case").owner_response == Response::declined);
        CHECK(by_id(cal, "tentative-no-mailto").owner_response == Response::tentative);
        CHECK(by_id(cal, "needs-action").owner_response == Response::needs_action);
        // RFC 5545 3.2.12: PARTSTAT defaults to NEEDS-ACTION.
        CHECK(by_id(cal, "no-partstat").owner_response == Response::needs_action);
        // The second owner address counts as much as the first.
        CHECK(by_id(cal, "alias").owner_response == Response::declined);
        // Someone else declining says nothing about the owner.
        CHECK(by_id(cal, "not-invited").owner_response == Response::none);
    }
    SECTION("without owner addresses no answer is read") {
        const auto cal = read_fixture("invitations.ics");
        for (const auto& e : cal.events) {
            INFO(e.id);
            CHECK(e.owner_response == Response::none);
        }
    }
    SECTION("STATUS and TRANSP") {
        const auto cal = read_fixture("invitations.ics");
        CHECK(by_id(cal, "statuses-cancelled").status == calsync::EventStatus::cancelled);
        CHECK(by_id(cal, "statuses-cancelled").transparency == calsync::Transparency::opaque);
        CHECK(by_id(cal, "statuses-tentative-free").status == calsync::EventStatus::tentative);
        CHECK(by_id(cal, "statuses-tentative-free").transparency ==
              calsync::Transparency::transparent);
        CHECK(by_id(cal, "statuses-confirmed-opaque").status == calsync::EventStatus::confirmed);
        CHECK(by_id(cal, "statuses-confirmed-opaque").transparency ==
              calsync::Transparency::opaque);
        // No STATUS, no TRANSP: confirmed and opaque (RFC 5545 3.8.2.7).
        CHECK(by_id(cal, "accepted").status == calsync::EventStatus::confirmed);
        CHECK(by_id(cal, "accepted").transparency == calsync::Transparency::opaque);
    }
    SECTION("X-CALSYNC-APPOINTMENT-ID is the export marker, absent elsewhere") {
        const auto cal = read_fixture("invitations.ics");
        CHECK(by_id(cal, "our-export").export_marker == "appt-2026-0042");
        CHECK(by_id(cal, "accepted").export_marker.empty());
    }
    SECTION("events carry the calendar id they were read for") {
        const auto cal = read_fixture("invitations.ics", {}, "owner-cal");
        for (const auto& e : cal.events)
            CHECK(e.calendar_id == "owner-cal");
        CHECK(cal.name == "Owner's calendar");
    }
}

TEST_CASE("overrides attach to their master wherever they appear (series.ics)", "[ical]") {
    const auto cal = read_fixture("series.ics");
    REQUIRE(cal.errors.empty());
    REQUIRE(cal.events.size() == 3);
    SECTION("three overrides of the weekly series, one listed before it") {
        const auto& oil = by_id(cal, "weekly-oil");
        CHECK(oil.is_recurring());
        CHECK_FALSE(oil.recurrence_id.has_value());
        CHECK(oil.recurrence.rrules.size() == 1);
        REQUIRE(oil.recurrence.exdates.size() == 1);
        CHECK(oil.recurrence.exdates[0].tzid == "Europe/Berlin");
        REQUIRE(oil.overrides.size() == 3);
        int future = 0;
        int cancelled = 0;
        for (const auto& ov : oil.overrides) {
            REQUIRE(ov.recurrence_id.has_value());
            CHECK(ov.uid == "weekly-oil");
            if (ov.this_and_future) {
                ++future;
                CHECK(ov.recurrence_id->kind == calsync::EventTime::Kind::zoned);
                CHECK(calsync::format_local(ov.recurrence_id->local) == "2026-02-02T09:00:00");
            }
            if (ov.status == calsync::EventStatus::cancelled) {
                ++cancelled;
                // Written in UTC although the series is zoned; it is matched as an instant.
                CHECK(ov.recurrence_id->kind == calsync::EventTime::Kind::utc);
            }
        }
        CHECK(future == 1);
        CHECK(cancelled == 1);
    }
    SECTION("an override of another series goes to that series only") {
        const auto& standup = by_id(cal, "standup");
        REQUIRE(standup.overrides.size() == 1);
        CHECK(in_zone(standup.overrides[0].start, "UTC") == "2026-01-07T08:00:00Z");
        CHECK_FALSE(standup.overrides[0].this_and_future);
    }
    SECTION("an instance without its series stands alone") {
        int standalone = 0;
        for (const auto& e : cal.events) {
            if (e.uid == "invite-only") {
                ++standalone;
                CHECK(in_zone(e.start, "UTC") == "2026-03-01T09:00:00Z");
            }
        }
        CHECK(standalone == 1);
    }
}

TEST_CASE("unreadable events are listed with UID and reason (partly_broken.ics)", "[ical]") {
    const auto cal = read_fixture("partly_broken.ics", {}, "imported");
    std::vector<std::string> good;
    for (const auto& e : cal.events)
        good.push_back(e.id);
    CHECK(good == std::vector<std::string>{"good-1", "good-2", "good-3"});
    REQUIRE(cal.errors.size() == 3);
    for (const auto& err : cal.errors)
        CHECK(err.calendar_id == "imported");
    CHECK(cal.errors[0].event_id == "bad-zone");
    CHECK_THAT(cal.errors[0].message, Catch::Contains("Mars/Olympus_Mons"));
    CHECK(cal.errors[1].event_id == "bad-rule");
    CHECK_THAT(cal.errors[1].message, Catch::Contains("FREQ=SOMETIMES"));
    CHECK(cal.errors[2].event_id == "bad-end-zone");
    CHECK_THAT(cal.errors[2].message, Catch::Contains("Nowhere/Land"));
    // The good recurring event is whole: four Tuesdays at 09:00 in Berlin (UTC+1).
    calsync::ExpansionWindow w;
    w.window = {calsync::parse_rfc3339("2026-01-01T00:00:00Z").value(),
                calsync::parse_rfc3339("2026-02-01T00:00:00Z").value()};
    auto occ = calsync::expand_event(by_id(cal, "good-2"), w);
    REQUIRE(occ.ok());
    std::vector<std::string> starts;
    for (const auto& o : occ.value())
        starts.push_back(calsync::format_rfc3339(o.range.start));
    CHECK(starts == std::vector<std::string>{"2026-01-06T08:00:00Z", "2026-01-13T08:00:00Z",
                                             "2026-01-20T08:00:00Z", "2026-01-27T08:00:00Z"});
}

TEST_CASE("other broken RRULEs are named in the error", "[ical]") {
    const std::string rule =
        GENERATE(as<std::string>{}, "FREQ=WEEKLY;BYDAY=FUNDAY", "FREQ=DAILY;COUNT=abc", "COUNT=3",
                 "FREQ=MONTHLY;BYMONTHDAY=40");
    const auto cal = read("BEGIN:VEVENT\r\nUID:r\r\nDTSTART:20260105T090000Z\r\nRRULE:" + rule +
                          "\r\nEND:VEVENT\r\n"
                          "BEGIN:VEVENT\r\nUID:ok\r\nDTSTART:20260105T090000Z\r\nEND:VEVENT\r\n");
    INFO(rule);
    REQUIRE(cal.events.size() == 1);
    CHECK(cal.events[0].id == "ok");
    REQUIRE(cal.errors.size() == 1);
    CHECK(cal.errors[0].event_id == "r");
    CHECK_THAT(cal.errors[0].message, Catch::Contains(rule));
}

TEST_CASE("an unreadable override is reported and its series still comes through", "[ical]") {
    const auto cal = read(
        "BEGIN:VEVENT\r\nUID:s\r\nDTSTART:20260105T090000Z\r\nRRULE:FREQ=WEEKLY;COUNT=3\r\n"
        "END:VEVENT\r\n"
        "BEGIN:VEVENT\r\nUID:s\r\nRECURRENCE-ID:20260112T090000Z\r\n"
        "DTSTART;TZID=Nowhere/Land:20260112T100000\r\nEND:VEVENT\r\n");
    REQUIRE(cal.events.size() == 1);
    CHECK(cal.events[0].id == "s");
    REQUIRE(cal.errors.size() == 1);
    CHECK(cal.errors[0].event_id == "s");
    CHECK_THAT(cal.errors[0].message, Catch::Contains("Nowhere/Land"));
}

TEST_CASE("events without a UID are named by position", "[ical]") {
    const auto cal = read(
        "BEGIN:VEVENT\r\nSUMMARY:first\r\nEND:VEVENT\r\n"
        "BEGIN:VEVENT\r\nSUMMARY:second\r\nEND:VEVENT\r\n");
    REQUIRE(cal.errors.size() == 2);
    CHECK_FALSE(cal.errors[0].event_id.empty());
    CHECK(cal.errors[0].event_id != cal.errors[1].event_id);
    CHECK_THAT(cal.errors[0].message, Catch::Contains("DTSTART"));
}

TEST_CASE("a feed of several VCALENDARs is read whole", "[ical]") {
    const std::string text =
        vcalendar(
            "X-WR-CALNAME:One\r\nBEGIN:VEVENT\r\nUID:1\r\nDTSTART:20260105T090000Z\r\n"
            "END:VEVENT\r\n") +
        vcalendar(
            "X-WR-CALNAME:Two\r\nBEGIN:VEVENT\r\nUID:2\r\nDTSTART:20260106T090000Z\r\n"
            "END:VEVENT\r\n");
    auto cal = calsync::read_ics(text, calsync::IcsReadOptions{"c", {}});
    REQUIRE(cal.ok());
    REQUIRE(cal->events.size() == 2);
    CHECK(cal->events[0].id == "1");
    CHECK(cal->events[1].id == "2");
    CHECK(cal->name == "One");
}

TEST_CASE("a calendar with no events is not an error", "[ical]") {
    auto cal = calsync::read_ics(vcalendar("X-WR-CALNAME:Empty\r\n"), calsync::IcsReadOptions{});
    REQUIRE(cal.ok());
    CHECK(cal->name == "Empty");
    CHECK(cal->events.empty());
    CHECK(cal->errors.empty());
}

TEST_CASE("other things that are not iCalendar fail as a whole", "[ical]") {
    const std::string text = GENERATE(
        as<std::string>{}, "", "BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Jane\r\nEND:VCARD\r\n",
        "{\"kind\": \"calendar#events\", \"items\": []}",
        "<!DOCTYPE html><html><body><form>Sign in to see this calendar</form></body></html>",
        "BEGIN:VCALENDAR\r\nthis is not a calendar\r\n");
    auto cal = calsync::read_ics(text, calsync::IcsReadOptions{});
    INFO(text);
    REQUIRE_FALSE(cal.ok());
    CHECK(cal.error().code == calsync::ErrorCode::parse);
    CHECK_FALSE(cal.error().message.empty());
}

// read_ics holds no process-wide lock (issue 12, item 3): what libical shares between
// threads is only read. Run under ThreadSanitizer (the tsan preset) this finds a race if
// one comes back; each thread's answers are checked either way.
TEST_CASE("calendars are read on several threads at once", "[ical][threads]") {
    // Each thread reads zones of its own first: IANA names loaded now, a VTIMEZONE of the
    // calendar, a TZID libical would look up in its built-in table, UTC and floating times.
    const char* zones[] = {"America/Winnipeg", "Asia/Kathmandu", "Africa/Casablanca",
                           "Pacific/Chatham"};
    std::vector<std::string> texts;
    for (const char* zone : zones) {
        texts.push_back(vcalendar(
            std::string("BEGIN:VTIMEZONE\r\nTZID:Own\r\nBEGIN:STANDARD\r\n"
                        "DTSTART:19701025T030000\r\nRRULE:FREQ=YEARLY;BYMONTH=10;BYDAY=-1SU\r\n"
                        "TZOFFSETFROM:+0200\r\nTZOFFSETTO:+0100\r\nEND:STANDARD\r\n"
                        "END:VTIMEZONE\r\n") +
            "BEGIN:VEVENT\r\nUID:iana\r\nDTSTART;TZID=" + zone +
            ":20260301T100000\r\n"
            "END:VEVENT\r\nBEGIN:VEVENT\r\nUID:own\r\nDTSTART;TZID=Own:20260301T100000\r\n"
            "END:VEVENT\r\nBEGIN:VEVENT\r\nUID:mozilla\r\nDTSTART;TZID=/mozilla.org/"
            "20050126_1/Europe/Zurich:20260301T100000\r\nEND:VEVENT\r\n"
            "BEGIN:VEVENT\r\nUID:utc\r\nDTSTART:20260301T100000Z\r\nEXDATE;TZID=UTC:"
            "20260302T100000\r\nEND:VEVENT\r\nBEGIN:VEVENT\r\nUID:floating\r\n"
            "DTSTART:20260301T100000\r\nEND:VEVENT\r\n"));
    }
    std::vector<std::string> failures[4];
    std::vector<std::thread> threads;
    for (std::size_t i = 0; i < 4; ++i) {
        threads.emplace_back([&, i] {
            for (int round = 0; round < 20; ++round) {
                auto cal = calsync::read_ics(texts[i], calsync::IcsReadOptions{"c", {}});
                if (!cal.ok() || cal->events.size() != 5 || !cal->errors.empty())
                    failures[i].push_back(cal.ok() ? std::to_string(cal->events.size()) + " events"
                                                   : cal.error().message);
            }
        });
    }
    for (auto& t : threads)
        t.join();
    for (const auto& f : failures)
        CHECK(f.empty());
    // And the zones resolved as they would on one thread.
    auto cal = calsync::read_ics(texts[1], calsync::IcsReadOptions{"c", {}});
    REQUIRE(cal.ok());
    CHECK(in_zone(by_id(*cal, "iana").start, "UTC") == "2026-03-01T04:15:00Z");  // +05:45
    CHECK(in_zone(by_id(*cal, "own").start, "UTC") == "2026-03-01T09:00:00Z");
    CHECK(in_zone(by_id(*cal, "mozilla").start, "UTC") == "2026-03-01T09:00:00Z");
}
