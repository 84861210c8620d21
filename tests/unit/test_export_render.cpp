// What an appointment becomes when exported (src/engine/export_render.cpp) and the one
// UID derivation (src/core/export_identity.cpp).
#include <catch2/catch.hpp>

#include "calsync/export_identity.hpp"
#include "calsync/export_render.hpp"
#include "calsync/ical.hpp"

using calsync::Appointment;
using calsync::Event;
using calsync::ExportOptions;

namespace {

calsync::Instant at(const char* text) {
    return calsync::parse_rfc3339(text).value();
}

Appointment brake_check() {
    Appointment a;
    a.id = "appt-77";
    a.time = {at("2026-02-02T09:00:00Z"), at("2026-02-02T10:30:00Z")};
    a.client = "Anna Schmidt";
    a.service = "Brake check";
    a.vehicle = "Opel Astra, B-AS 1234";
    a.notes = "Customer waits.\nSpare key in the glovebox.";
    return a;
}

std::string utc(const calsync::EventTime& t) {
    return calsync::format_rfc3339(t.resolve(*calsync::TimeZone::utc()));
}

}  // namespace

TEST_CASE("export UIDs: one derivation, with or without a domain", "[export]") {
    CHECK(calsync::export_uid("appt-77", "garage.example") == "calsync-appt-77@garage.example");
    // The form CalDAV exports had before the domain existed.
    CHECK(calsync::export_uid("appt-77", "") == "calsync-appt-77");
}

TEST_CASE("an appointment renders as a readable event in UTC", "[export]") {
    ExportOptions options;
    options.uid_domain = "garage.example";
    options.location = "Werkstatt Nord, Hauptstr. 1";
    const Event e = calsync::render_export(brake_check(), options);
    CHECK(e.uid == "calsync-appt-77@garage.example");
    CHECK(e.export_marker == "appt-77");
    CHECK(e.start.kind == calsync::EventTime::Kind::utc);
    CHECK(utc(e.start) == "2026-02-02T09:00:00Z");
    REQUIRE(e.end);
    CHECK(utc(*e.end) == "2026-02-02T10:30:00Z");
    CHECK(e.summary == "Brake check \u2013 Anna Schmidt (Opel Astra, B-AS 1234)");
    // Notes stay out unless the host asks for them.
    CHECK(e.description ==
          "Client: Anna Schmidt\nService: Brake check\nVehicle: Opel Astra, B-AS 1234");
    CHECK(e.location == "Werkstatt Nord, Hauptstr. 1");
    CHECK(e.status == calsync::EventStatus::confirmed);
    CHECK(e.transparency == calsync::Transparency::opaque);
    CHECK(e.id.empty());
    CHECK(e.calendar_id.empty());
    CHECK(e.etag.empty());
    CHECK_FALSE(e.is_recurring());

    SECTION("notes on request, line breaks kept in the description only") {
        options.include_notes = true;
        Appointment a = brake_check();
        a.client = "Anna\nSchmidt";
        const Event with_notes = calsync::render_export(a, options);
        CHECK(with_notes.summary == "Brake check \u2013 Anna Schmidt (Opel Astra, B-AS 1234)");
        CHECK(with_notes.description ==
              "Client: Anna Schmidt\nService: Brake check\nVehicle: Opel Astra, B-AS 1234\n"
              "Notes: Customer waits.\nSpare key in the glovebox.");
    }
    SECTION("missing parts leave out their separators") {
        Appointment a = brake_check();
        a.service.clear();
        CHECK(calsync::render_export(a, options).summary == "Anna Schmidt (Opel Astra, B-AS 1234)");
        a.vehicle.clear();
        CHECK(calsync::render_export(a, options).summary == "Anna Schmidt");
        CHECK(calsync::render_export(a, options).description == "Client: Anna Schmidt");
        a.client.clear();
        CHECK(calsync::render_export(a, options).summary == "Appointment");
        CHECK(calsync::render_export(a, options).description.empty());
    }
    SECTION("a cancelled appointment renders cancelled") {
        Appointment a = brake_check();
        a.status = calsync::AppointmentStatus::cancelled;
        CHECK(calsync::render_export(a, options).status == calsync::EventStatus::cancelled);
    }
}

TEST_CASE("busy-only exports carry no client detail anywhere", "[export]") {
    ExportOptions options;
    options.busy_only = true;
    options.include_notes = true;  // privacy wins over the notes option
    options.location = "Werkstatt Nord";
    const Event e = calsync::render_export(brake_check(), options);
    CHECK(e.summary == "Busy");
    CHECK(e.description.empty());
    CHECK(e.location.empty());
    CHECK(e.export_marker == "appt-77");
    const std::string text = calsync::write_ics(e, at("2026-01-01T00:00:00Z"));
    for (const char* secret : {"Anna", "Schmidt", "Opel", "B-AS", "Brake", "glovebox", "Nord"})
        CHECK(text.find(secret) == std::string::npos);
    options.busy_summary = "Blocked";
    CHECK(calsync::render_export(brake_check(), options).summary == "Blocked");
}

TEST_CASE("the content hash covers exactly what an export writes", "[export]") {
    const ExportOptions options;
    const Event base = calsync::render_export(brake_check(), options);
    const std::string h = calsync::export_content_hash(base);
    CHECK(h.rfind("fnv1a64:", 0) == 0);
    CHECK(h.size() == 8 + 16);
    CHECK(calsync::export_content_hash(calsync::render_export(brake_check(), options)) == h);

    SECTION("stable across runs and platforms: a value fixed here") {
        // Computed independently (Python, from the encoding documented in the header:
        // FNV-1a-64 over "len:bytes" of the scheme name, uid, marker, summary,
        // description, location, start and end in Unix seconds, status, transparency).
        // A change here would rewrite every export once after an upgrade.
        Event fixed;
        fixed.uid = "calsync-a@b";
        fixed.export_marker = "a";
        fixed.summary = "S";
        fixed.start = calsync::EventTime::at_utc(calsync::instant_from_unix(0));
        fixed.end = calsync::EventTime::at_utc(calsync::instant_from_unix(3600));
        CHECK(calsync::export_content_hash(fixed) == "fnv1a64:faf5af75766eb6cb");
    }
    SECTION("every written field changes it") {
        auto changed = [&](auto edit) {
            Event e = base;
            edit(e);
            return calsync::export_content_hash(e) != h;
        };
        CHECK(changed([](Event& e) { e.uid += "x"; }));
        CHECK(changed([](Event& e) { e.export_marker += "x"; }));
        CHECK(changed([](Event& e) { e.summary += "x"; }));
        CHECK(changed([](Event& e) { e.description += "x"; }));
        CHECK(changed([](Event& e) { e.location += "x"; }));
        CHECK(changed(
            [](Event& e) { e.start = calsync::EventTime::at_utc(at("2026-02-02T09:15:00Z")); }));
        CHECK(changed(
            [](Event& e) { e.end = calsync::EventTime::at_utc(at("2026-02-02T11:00:00Z")); }));
        CHECK(changed([](Event& e) { e.end.reset(); }));
        CHECK(changed([](Event& e) { e.status = calsync::EventStatus::cancelled; }));
        CHECK(changed([](Event& e) { e.transparency = calsync::Transparency::transparent; }));
    }
    SECTION("fields an export does not write leave it alone") {
        Event e = base;
        e.id = "https://dav.example/cal/appt-77.ics";
        e.etag = "\"7\"";
        e.calendar_id = "work";
        CHECK(calsync::export_content_hash(e) == h);
    }
    SECTION("fields are length-delimited") {
        Event a = base;
        Event b = base;
        a.summary = "ab";
        a.description = "c";
        b.summary = "a";
        b.description = "bc";
        CHECK(calsync::export_content_hash(a) != calsync::export_content_hash(b));
    }
    SECTION("the appointment's notes count only when they are written") {
        Appointment a = brake_check();
        a.notes = "changed";
        CHECK(calsync::export_content_hash(calsync::render_export(a, options)) == h);
        ExportOptions with_notes;
        with_notes.include_notes = true;
        CHECK(calsync::export_content_hash(calsync::render_export(a, with_notes)) !=
              calsync::export_content_hash(calsync::render_export(brake_check(), with_notes)));
    }
}
