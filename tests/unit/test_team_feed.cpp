// The team-sharing feed (src/engine/team_feed.cpp, written by src/core/ical_writer.cpp),
// read back by calsync's own reader and by python3-icalendar (tests/tools/ical_peek.py).
#include <rapidjson/document.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <string>
#include <vector>

#include "../tools/command_output.hpp"
#include "calsync/export_identity.hpp"
#include "calsync/ical.hpp"
#include "calsync/team_feed.hpp"

using calsync::Appointment;
using calsync::TeamFeedOptions;

namespace {

calsync::Instant at(const char* text) {
    return calsync::parse_rfc3339(text).value();
}

std::vector<Appointment> week() {
    Appointment brakes;
    brakes.id = "appt-2";
    brakes.time = {at("2026-02-02T09:00:00Z"), at("2026-02-02T10:30:00Z")};
    brakes.client = "Anna Schmidt";
    brakes.service = "Brake check";
    brakes.vehicle = "Opel Astra, B-AS 1234";
    brakes.notes = "Spare key in the glovebox";
    Appointment tyres;
    tyres.id = "appt-1";
    tyres.time = {at("2026-02-03T13:00:00Z"), at("2026-02-03T14:00:00Z")};
    tyres.client = "Jörg Müller";
    tyres.service = "Tyre change";
    tyres.vehicle = "VW Golf";
    Appointment off;
    off.id = "appt-3";
    off.time = {at("2026-02-04T08:00:00Z"), at("2026-02-04T09:00:00Z")};
    off.client = "Cancelled Client";
    off.service = "Inspection";
    off.status = calsync::AppointmentStatus::cancelled;
    return {brakes, tyres, off};
}

TeamFeedOptions team() {
    TeamFeedOptions options;
    options.calendar_name = "Werkstatt Nord \u2013 Team";
    options.render.uid_domain = "nord.garage.example";
    options.refresh_interval = std::chrono::hours(1);
    options.revisions["appt-2"] = {3, at("2026-01-20T12:00:00Z")};
    return options;
}

const calsync::Instant kGenerated = at("2026-01-25T06:00:00Z");

calsync::IcsCalendar read_back(const std::string& text) {
    auto cal = calsync::read_ics(text, calsync::IcsReadOptions{"team", {}});
    REQUIRE(cal.ok());
    REQUIRE(cal->errors.empty());
    return std::move(cal).value();
}

std::string utc(const calsync::EventTime& t) {
    return calsync::format_rfc3339(t.resolve(*calsync::TimeZone::utc()));
}

// The feed as python3-icalendar reads it.
rapidjson::Document peek(const std::string& text) {
    char path[] = "/tmp/calsync-feed-XXXXXX";
    const int fd = mkstemp(path);
    REQUIRE(fd >= 0);
    close(fd);
    std::ofstream(path, std::ios::binary) << text;
    const std::string command = std::string(CALSYNC_PYTHON) + " " + CALSYNC_ICAL_PEEK + " " + path;
    const calsync::test::CommandOutput run = calsync::test::run_command(command);
    std::remove(path);
    INFO(run.out);
    REQUIRE(run.status == 0);
    rapidjson::Document d;
    d.Parse(run.out.c_str());
    REQUIRE(d.IsObject());
    return d;
}

}  // namespace

TEST_CASE("team feed: one published calendar of the booked appointments", "[team-feed]") {
    const std::string text = calsync::write_team_feed(week(), team(), kGenerated);
    // A published calendar, not an iTIP message (RFC 5546 would make clients treat it as
    // an invitation).
    CHECK(text.find("METHOD") == std::string::npos);
    CHECK(text.find("X-WR-CALNAME:Werkstatt Nord \u2013 Team\r\n") != std::string::npos);
    CHECK(text.find("\r\nNAME:Werkstatt Nord \u2013 Team\r\n") != std::string::npos);
    CHECK(text.find("REFRESH-INTERVAL;VALUE=DURATION:PT1H\r\n") != std::string::npos);
    CHECK(text.find("X-PUBLISHED-TTL:PT1H\r\n") != std::string::npos);
    // Cancelled appointments are left out.
    CHECK(text.find("appt-3") == std::string::npos);
    CHECK(text.find("Cancelled Client") == std::string::npos);

    const calsync::IcsCalendar cal = read_back(text);
    CHECK(cal.name == "Werkstatt Nord \u2013 Team");
    REQUIRE(cal.events.size() == 2);
    // Sorted by appointment id; the UID is the one every export of it carries.
    const calsync::Event& tyres = cal.events[0];
    CHECK(tyres.uid == calsync::export_uid("appt-1", "nord.garage.example"));
    CHECK(tyres.uid == "calsync-appt-1@nord.garage.example");
    CHECK(tyres.export_marker == "appt-1");
    CHECK(tyres.summary == "Tyre change \u2013 Jörg Müller (VW Golf)");
    CHECK(tyres.description == "Client: Jörg Müller\nService: Tyre change\nVehicle: VW Golf");
    CHECK(utc(tyres.start) == "2026-02-03T13:00:00Z");
    REQUIRE(tyres.end);
    CHECK(utc(*tyres.end) == "2026-02-03T14:00:00Z");
    CHECK(tyres.status == calsync::EventStatus::confirmed);
    const calsync::Event& brakes = cal.events[1];
    CHECK(brakes.uid == "calsync-appt-2@nord.garage.example");
    CHECK(brakes.description.find("glovebox") == std::string::npos);  // notes not asked for

    SECTION("the same arguments give the same bytes") {
        CHECK(calsync::write_team_feed(week(), team(), kGenerated) == text);
        std::vector<Appointment> shuffled = week();
        std::swap(shuffled[0], shuffled[2]);
        CHECK(calsync::write_team_feed(shuffled, team(), kGenerated) == text);
    }
    SECTION("versions: from the host's revision, else the generation time") {
        // appt-2 has revision 3 of 2026-01-20T12:00Z; appt-1 none.
        const std::size_t second = text.find("UID:calsync-appt-2");
        REQUIRE(second != std::string::npos);
        const std::string first_event = text.substr(0, second);
        const std::string second_event = text.substr(second);
        CHECK(first_event.find("SEQUENCE:0\r\n") != std::string::npos);
        CHECK(first_event.find("DTSTAMP:20260125T060000Z\r\n") != std::string::npos);
        CHECK(first_event.find("LAST-MODIFIED") == std::string::npos);
        CHECK(second_event.find("SEQUENCE:3\r\n") != std::string::npos);
        CHECK(second_event.find("LAST-MODIFIED:20260120T120000Z\r\n") != std::string::npos);
        CHECK(second_event.find("DTSTAMP:20260120T120000Z\r\n") != std::string::npos);
    }
}

TEST_CASE("team feed: python3-icalendar reads what calsync wrote", "[team-feed]") {
    const rapidjson::Document d = peek(calsync::write_team_feed(week(), team(), kGenerated));
    CHECK(d["version"].GetString() == std::string("2.0"));
    CHECK(d["method"].GetString() == std::string());
    CHECK(d["calname"].GetString() == std::string("Werkstatt Nord \u2013 Team"));
    CHECK(d["name"].GetString() == std::string("Werkstatt Nord \u2013 Team"));
    CHECK(d["published_ttl"].GetString() == std::string("PT1H"));
    const auto& events = d["events"];
    REQUIRE(events.Size() == 2);
    CHECK(events[0]["uid"].GetString() == std::string("calsync-appt-1@nord.garage.example"));
    CHECK(events[0]["summary"].GetString() ==
          std::string("Tyre change \u2013 Jörg Müller (VW Golf)"));
    CHECK(events[0]["start"].GetString() == std::string("2026-02-03T13:00:00+00:00"));
    CHECK(events[0]["end"].GetString() == std::string("2026-02-03T14:00:00+00:00"));
    CHECK(events[0]["marker"].GetString() == std::string("appt-1"));
    CHECK(events[0]["status"].GetString() == std::string("CONFIRMED"));
    CHECK(events[0]["sequence"].GetInt() == 0);
    CHECK(events[1]["uid"].GetString() == std::string("calsync-appt-2@nord.garage.example"));
    CHECK(
        events[1]["description"].GetString() ==
        std::string("Client: Anna Schmidt\nService: Brake check\nVehicle: Opel Astra, B-AS 1234"));
    CHECK(events[1]["sequence"].GetInt() == 3);
    CHECK(events[1]["last_modified"].GetString() == std::string("2026-01-20T12:00:00+00:00"));
    CHECK(events[1]["dtstamp"].GetString() == std::string("2026-01-20T12:00:00+00:00"));
}

TEST_CASE("team feed: a changed appointment keeps its UID", "[team-feed]") {
    TeamFeedOptions options = team();
    const calsync::IcsCalendar before =
        read_back(calsync::write_team_feed(week(), options, kGenerated));
    std::vector<Appointment> moved = week();
    moved[0].time = {at("2026-02-05T09:00:00Z"), at("2026-02-05T10:30:00Z")};
    moved[0].vehicle = "Opel Corsa";
    options.revisions["appt-2"] = {4, at("2026-01-26T08:00:00Z")};
    const std::string text = calsync::write_team_feed(moved, options, at("2026-01-26T09:00:00Z"));
    const calsync::IcsCalendar after = read_back(text);
    REQUIRE(after.events.size() == before.events.size());
    for (std::size_t i = 0; i < after.events.size(); ++i)
        CHECK(after.events[i].uid == before.events[i].uid);
    CHECK(after.events[1].summary == "Brake check \u2013 Anna Schmidt (Opel Corsa)");
    CHECK(utc(after.events[1].start) == "2026-02-05T09:00:00Z");
    CHECK(text.find("SEQUENCE:4\r\n") != std::string::npos);
    const rapidjson::Document d = peek(text);
    CHECK(d["events"][1]["uid"].GetString() == std::string(before.events[1].uid));
    CHECK(d["events"][1]["sequence"].GetInt() == 4);
}

TEST_CASE("team feed: privacy mode leaks no client detail anywhere", "[team-feed]") {
    TeamFeedOptions options = team();
    options.render.busy_only = true;
    options.render.include_notes = true;
    options.render.location = "Hauptstr. 1";
    const std::string text = calsync::write_team_feed(week(), options, kGenerated);
    for (const char* secret : {"Anna", "Schmidt", "Opel", "B-AS", "Brake", "glovebox", "Jörg",
                               "Müller", "J\\u00f6rg", "VW", "Golf", "Tyre", "Hauptstr"})
        CHECK(text.find(secret) == std::string::npos);
    const calsync::IcsCalendar cal = read_back(text);
    REQUIRE(cal.events.size() == 2);
    for (const auto& e : cal.events) {
        CHECK(e.summary == "Busy");
        CHECK(e.description.empty());
        CHECK(e.location.empty());
    }
    // Still the same UIDs, so switching privacy on updates subscribers' events in place.
    CHECK(cal.events[0].uid == "calsync-appt-1@nord.garage.example");
    const rapidjson::Document d = peek(text);
    CHECK(d["events"][0]["summary"].GetString() == std::string("Busy"));
    CHECK(d["events"][0]["description"].GetString() == std::string());
}

TEST_CASE("team feed: no appointments, no name, no refresh hint", "[team-feed]") {
    const std::string text = calsync::write_team_feed({}, TeamFeedOptions{}, kGenerated);
    CHECK(text.find("BEGIN:VCALENDAR") == 0);
    CHECK(text.find("VEVENT") == std::string::npos);
    CHECK(text.find("X-WR-CALNAME") == std::string::npos);
    CHECK(text.find("REFRESH-INTERVAL") == std::string::npos);
    CHECK(read_back(text).events.empty());
}
