// Event -> Google Event JSON for exports (src/providers/google/google_event_writer.cpp),
// read back with the reader.
#include <catch2/catch.hpp>

#include "google_fake.hpp"
#include "providers/google/google_event_json.hpp"

using calsync::EventStatus;
using calsync::EventTime;
using calsync::providers::google::read_google_event;
using calsync::providers::google::write_google_event;

TEST_CASE("google writer: an export reads back as written, marker included") {
    calsync::Event e;
    e.export_marker = "appt-7";
    e.summary = "Busy";
    e.start = EventTime::at_utc(calsync::parse_rfc3339("2026-03-02T08:00:00Z").value());
    e.duration = calsync::NominalDuration{0, 5400};
    auto body = write_google_event(e, "abcdef12");
    REQUIRE(body.ok());
    auto doc = calsync::test::parse_json(body.value());
    auto back = read_google_event(doc, "cal", "");
    REQUIRE(back.ok());
    CHECK(back->event.id == "abcdef12");
    CHECK(back->event.export_marker == "appt-7");
    CHECK(back->event.summary == "Busy");
    CHECK(calsync::format_rfc3339(back->event.end->resolve(*calsync::TimeZone::utc())) ==
          "2026-03-02T09:30:00Z");
    CHECK(back->event.status == EventStatus::confirmed);
    CHECK(body->find("visibility") == std::string::npos);
    CHECK(body->find("description") == std::string::npos);  // empty fields are left out

    e.export_marker.clear();
    CHECK_FALSE(write_google_event(e, "").ok());
}

TEST_CASE("google writer: a tentative, transparent export keeps both, nothing else leaks") {
    calsync::Event e;
    e.export_marker = "appt-8";
    e.summary = "Busy";
    e.status = EventStatus::tentative;
    e.transparency = calsync::Transparency::transparent;
    e.start = EventTime::all_day({2026, 3, 9});
    auto body = write_google_event(e, "");
    REQUIRE(body.ok());
    auto doc = calsync::test::parse_json(body.value());
    CHECK(std::string(doc["status"].GetString()) == "tentative");
    CHECK(std::string(doc["transparency"].GetString()) == "transparent");
    CHECK(std::string(doc["end"]["date"].GetString()) == "2026-03-10");
    CHECK_FALSE(doc.HasMember("id"));  // an update names the event in its URL
    for (const char* absent : {"visibility", "attendees", "reminders", "location", "source"})
        CHECK_FALSE(doc.HasMember(absent));
    CHECK(doc["extendedProperties"].MemberCount() == 1);  // private only, never shared
}
