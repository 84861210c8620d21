// The export plan, one rule at a time (src/engine/export_plan.cpp). The random model test
// against a simulated calendar is in test_export_plan_model.cpp.
#include <catch2/catch.hpp>

#include <algorithm>
#include <string>
#include <vector>

#include "calsync/export_plan.hpp"

using calsync::Appointment;
using calsync::ExportAction;
using calsync::ExportMapEntry;
using calsync::ExportObservations;
using calsync::ExportPlan;
using calsync::ExportPolicy;
using calsync::ObservedExport;

namespace {

calsync::Instant at(const char* text) {
    return calsync::parse_rfc3339(text).value();
}

// Booked, 2 February 2026 from `hour` for an hour.
Appointment booked(const std::string& id, int hour = 9) {
    Appointment a;
    a.id = id;
    const auto day = at("2026-02-02T00:00:00Z");
    a.time = {day + std::chrono::hours(hour), day + std::chrono::hours(hour + 1)};
    a.client = "Client of " + id;
    a.service = "Service";
    a.vehicle = "Car";
    return a;
}

Appointment cancelled(const std::string& id) {
    Appointment a = booked(id);
    a.status = calsync::AppointmentStatus::cancelled;
    return a;
}

ExportPolicy defaults() {
    ExportPolicy p;
    p.render.uid_domain = "garage.example";
    p.export_from = at("2026-02-01T00:00:00Z");
    return p;
}

std::string hash_of(const Appointment& a, const ExportPolicy& p = defaults()) {
    return calsync::export_content_hash(calsync::render_export(a, p.render));
}

// The entry calsync keeps after exporting `a` as it is now.
ExportMapEntry exported(const Appointment& a, const std::string& etag = "\"1\"") {
    return ExportMapEntry{a.id, "/cal/" + a.id + ".ics", etag, hash_of(a)};
}

ObservedExport seen(const std::string& id, const std::string& etag = "\"1\"") {
    return ObservedExport{id, "/cal/" + id + ".ics", etag};
}

// "kind reason id remote etag [forget]" per action.
std::vector<std::string> lines(const ExportPlan& plan) {
    std::vector<std::string> out;
    std::transform(plan.actions.begin(), plan.actions.end(), std::back_inserter(out),
                   [](const ExportAction& a) {
                       return std::string(to_string(a.kind)) + " " + to_string(a.reason) + " | " +
                              a.appointment_id + " " + a.remote_id + " " + a.etag +
                              (a.forget_record ? " forget" : "");
                   });
    return out;
}

using Lines = std::vector<std::string>;

ExportPlan plan(const std::vector<Appointment>& appointments,
                const std::vector<ExportMapEntry>& entries, const ExportObservations& observed,
                const ExportPolicy& policy = defaults()) {
    return calsync::plan_exports(appointments, entries, observed, policy);
}

const ExportObservations kUnknown{};

ExportObservations seeing(std::vector<ObservedExport> present) {
    ExportObservations o;
    o.present = std::move(present);
    return o;
}

ExportObservations missing(std::vector<std::string> absent) {
    ExportObservations o;
    o.absent = std::move(absent);
    return o;
}

}  // namespace

TEST_CASE("export plan: a new appointment is created with its rendering", "[export-plan]") {
    const Appointment a = booked("a1");
    const ExportPlan p = plan({a}, {}, kUnknown);
    REQUIRE(lines(p) == Lines{"create new appointment | a1  "});
    const ExportAction& create = p.actions[0];
    CHECK(create.event.uid == "calsync-a1@garage.example");
    CHECK(create.event.export_marker == "a1");
    CHECK(create.event.summary == "Service \u2013 Client of a1 (Car)");
    CHECK(create.content_hash == hash_of(a));
    CHECK(p.notices.empty());
    SECTION("also when the calendar was read and holds nothing of it") {
        CHECK(lines(plan({a}, {}, missing({"a1"}))) == Lines{"create new appointment | a1  "});
    }
}

TEST_CASE("export plan: an unchanged appointment makes no request", "[export-plan]") {
    const Appointment a = booked("a1");
    CHECK(plan({a}, {exported(a)}, kUnknown).actions.empty());
    CHECK(plan({a}, {exported(a)}, seeing({seen("a1")})).actions.empty());
    // Fields that are not written (notes without include_notes) are not a change.
    Appointment noted = a;
    noted.notes = "new note";
    CHECK(plan({noted}, {exported(a)}, kUnknown).actions.empty());
}

TEST_CASE("export plan: a changed appointment is updated with If-Match", "[export-plan]") {
    const Appointment before = booked("a1");
    const Appointment after = booked("a1", 14);
    SECTION("export-only calendar: the entry's etag") {
        const ExportPlan p = plan({after}, {exported(before)}, kUnknown);
        REQUIRE(lines(p) == Lines{"update appointment changed | a1 /cal/a1.ics \"1\""});
        CHECK(p.actions[0].content_hash == hash_of(after));
        CHECK(calsync::format_rfc3339(p.actions[0].event.start.resolve(
                  *calsync::TimeZone::utc())) == "2026-02-02T14:00:00Z");
    }
    SECTION("read calendar, untouched remotely") {
        CHECK(lines(plan({after}, {exported(before)}, seeing({seen("a1")}))) ==
              Lines{"update appointment changed | a1 /cal/a1.ics \"1\""});
    }
    SECTION("edited remotely too: the appointment's change wins, with the etag seen") {
        for (auto edit : {calsync::RemoteEditPolicy::appointment_wins,
                          calsync::RemoteEditPolicy::keep_remote}) {
            ExportPolicy policy = defaults();
            policy.on_remote_edit = edit;
            CHECK(lines(plan({after}, {exported(before)}, seeing({seen("a1", "\"2\"")}), policy)) ==
                  Lines{"update appointment changed | a1 /cal/a1.ics \"2\""});
        }
    }
}

TEST_CASE("export plan: a cancelled appointment is deleted, then forgotten", "[export-plan]") {
    const Appointment a = booked("a1");
    const Appointment off = cancelled("a1");
    SECTION("export-only calendar") {
        CHECK(lines(plan({off}, {exported(a)}, kUnknown)) ==
              Lines{"remove appointment cancelled | a1 /cal/a1.ics \"1\" forget"});
    }
    SECTION("seen remotely, edited since: deleted with the etag seen") {
        CHECK(lines(plan({off}, {exported(a)}, seeing({seen("a1", "\"5\"")}))) ==
              Lines{"remove appointment cancelled | a1 /cal/a1.ics \"5\" forget"});
    }
    SECTION("already deleted remotely: only the entry goes") {
        CHECK(lines(plan({off}, {exported(a)}, missing({"a1"}))) ==
              Lines{"forget_record already deleted in the calendar | a1  "});
    }
    SECTION("never exported: nothing") {
        CHECK(plan({off}, {}, kUnknown).actions.empty());
    }
    SECTION("never recorded but there (a lost create response): deleted") {
        CHECK(lines(plan({off}, {}, seeing({seen("a1")}))) ==
              Lines{"remove appointment cancelled | a1 /cal/a1.ics \"1\""});
    }
    SECTION("long over: still deleted") {
        Appointment old = off;
        old.time = {at("2025-06-01T09:00:00Z"), at("2025-06-01T10:00:00Z")};
        CHECK(plan({old}, {exported(old)}, kUnknown).actions.size() == 1);
    }
}

TEST_CASE("export plan: an entry whose appointment is gone is deleted", "[export-plan]") {
    const Appointment a = booked("a1");
    CHECK(lines(plan({}, {exported(a)}, kUnknown)) ==
          Lines{"remove appointment no longer exists | a1 /cal/a1.ics \"1\" forget"});
    CHECK(lines(plan({}, {exported(a)}, missing({"a1"}))) ==
          Lines{"forget_record already deleted in the calendar | a1  "});
    SECTION("a marked event nobody recorded is left alone and reported") {
        const ExportPlan p = plan({}, {}, seeing({seen("zz")}));
        CHECK(p.actions.empty());
        REQUIRE(p.notices.size() == 1);
        CHECK(p.notices[0].kind == calsync::ExportNoticeKind::unknown_appointment_left);
        CHECK(p.notices[0].appointment_id == "zz");
        CHECK(p.notices[0].remote_id == "/cal/zz.ics");
    }
}

TEST_CASE("export plan: an event edited remotely follows the edit policy", "[export-plan]") {
    const Appointment a = booked("a1");
    const ExportObservations edited = seeing({seen("a1", "\"9\"")});
    SECTION("default: the appointment's fields are written back") {
        const ExportPlan p = plan({a}, {exported(a)}, edited);
        REQUIRE(lines(p) == Lines{"update edited in the calendar; the appointment's fields "
                                  "written back | a1 /cal/a1.ics \"9\""});
        CHECK(p.actions[0].content_hash == hash_of(a));
    }
    SECTION("keep_remote: the edit's etag is learned, nothing written") {
        ExportPolicy policy = defaults();
        policy.on_remote_edit = calsync::RemoteEditPolicy::keep_remote;
        const ExportPlan p = plan({a}, {exported(a)}, edited, policy);
        REQUIRE(lines(p) ==
                Lines{"accept_remote edited in the calendar; the edit is kept | a1 /cal/a1.ics "
                      "\"9\""});
        CHECK(p.actions[0].content_hash == hash_of(a));
        // Recorded so, the next plan is quiet.
        ExportMapEntry kept = exported(a, "\"9\"");
        CHECK(plan({a}, {kept}, edited, policy).actions.empty());
    }
}

TEST_CASE("export plan: an event deleted remotely follows the deletion policy", "[export-plan]") {
    const Appointment a = booked("a1");
    const ExportObservations deleted = missing({"a1"});
    SECTION("default: created again while the appointment stands") {
        const ExportPlan p = plan({a}, {exported(a)}, deleted);
        REQUIRE(lines(p) == Lines{"create deleted in the calendar; created again as the "
                                  "appointment stands | a1  "});
        CHECK(p.actions[0].event.uid == "calsync-a1@garage.example");
    }
    SECTION("leave_deleted: reported, nothing written, until the appointment changes") {
        ExportPolicy policy = defaults();
        policy.on_remote_delete = calsync::RemoteDeletePolicy::leave_deleted;
        const ExportPlan p = plan({a}, {exported(a)}, deleted, policy);
        CHECK(p.actions.empty());
        REQUIRE(p.notices.size() == 1);
        CHECK(p.notices[0].kind == calsync::ExportNoticeKind::remote_deletion_left);
        CHECK(p.notices[0].remote_id == "/cal/a1.ics");
        CHECK(lines(plan({booked("a1", 15)}, {exported(a)}, deleted, policy)) ==
              Lines{"create appointment changed | a1  "});
    }
}

TEST_CASE("export plan: appointments that are over are left as they are", "[export-plan]") {
    ExportPolicy policy = defaults();
    Appointment over = booked("a1");
    policy.export_from = over.time.end;  // ended exactly at the window start: history
    CHECK(plan({over}, {}, kUnknown, policy).actions.empty());
    Appointment changed = over;
    changed.client = "Someone else";
    CHECK(plan({changed}, {exported(over)}, kUnknown, policy).actions.empty());
    CHECK(plan({over}, {exported(over)}, missing({"a1"}), policy).actions.empty());
    // One second later it still counts.
    policy.export_from = over.time.end - std::chrono::seconds(1);
    CHECK(lines(plan({over}, {}, kUnknown, policy)) == Lines{"create new appointment | a1  "});
}

TEST_CASE("export plan: duplicates and events found without an entry", "[export-plan]") {
    const Appointment a = booked("a1");
    SECTION("a second event with our marker is removed; ours is kept") {
        const ObservedExport twin{"a1", "/cal/a1-copy.ics", "\"3\""};
        CHECK(lines(plan({a}, {exported(a)}, seeing({twin, seen("a1")}))) ==
              Lines{"remove a second event for the same appointment | a1 /cal/a1-copy.ics "
                    "\"3\""});
    }
    SECTION("no entry: the lowest remote id is taken over, the rest removed first") {
        const ObservedExport twin{"a1", "/cal/a1-copy.ics", "\"3\""};
        CHECK(lines(plan({a}, {}, seeing({seen("a1"), twin}))) ==
              Lines{"remove a second event for the same appointment | a1 /cal/a1.ics \"1\"",
                    "update found in the calendar without an export record; taken over | a1 "
                    "/cal/a1-copy.ics \"3\""});
    }
    SECTION("the entry's event is gone but another carries the marker: taken over") {
        ExportMapEntry stale = exported(a);
        stale.remote_id = "/cal/old.ics";
        CHECK(lines(plan({a}, {stale}, seeing({seen("a1")}))) ==
              Lines{"update found in the calendar without an export record; taken over | a1 "
                    "/cal/a1.ics \"1\""});
    }
    SECTION("one event listed twice by the read (a delta replay) is one event") {
        CHECK(plan({a}, {exported(a)}, seeing({seen("a1"), seen("a1")})).actions.empty());
    }
    SECTION("a cancelled appointment loses every copy, its entry with its own") {
        const ObservedExport twin{"a1", "/cal/a1-copy.ics", "\"3\""};
        CHECK(lines(plan({cancelled("a1")}, {exported(a)}, seeing({seen("a1"), twin}))) ==
              Lines{"remove appointment cancelled | a1 /cal/a1-copy.ics \"3\"",
                    "remove appointment cancelled | a1 /cal/a1.ics \"1\" forget"});
    }
}

TEST_CASE("export plan: a server that gave no etag on write", "[export-plan]") {
    const Appointment a = booked("a1");
    const ExportMapEntry no_etag = exported(a, "");
    // The first read's etag is the version we wrote: learned, not taken for an edit.
    CHECK(lines(plan({a}, {no_etag}, seeing({seen("a1", "\"4\"")}))) ==
          Lines{"accept_remote the calendar's version of our write recorded | a1 /cal/a1.ics "
                "\"4\""});
    CHECK(lines(plan({booked("a1", 12)}, {no_etag}, seeing({seen("a1", "\"4\"")}))) ==
          Lines{"update appointment changed | a1 /cal/a1.ics \"4\""});
    // An entry stored with no hash (create found an earlier write) is brought up to date.
    ExportMapEntry unknown_content = exported(a);
    unknown_content.content_hash.clear();
    CHECK(lines(plan({a}, {unknown_content}, kUnknown)) ==
          Lines{"update appointment changed | a1 /cal/a1.ics \"1\""});
}

TEST_CASE("export plan: sorted by appointment id whatever the input order", "[export-plan]") {
    const std::vector<Appointment> appointments{booked("c"), cancelled("a"), booked("b"),
                                                booked("e")};
    const std::vector<ExportMapEntry> entries{exported(booked("a")), exported(booked("d")),
                                              exported(booked("e"))};
    const ExportPlan p = plan(appointments, entries, kUnknown);
    CHECK(lines(p) == Lines{"remove appointment cancelled | a /cal/a.ics \"1\" forget",
                            "create new appointment | b  ", "create new appointment | c  ",
                            "remove appointment no longer exists | d /cal/d.ics \"1\" forget"});
    std::vector<Appointment> reversed(appointments.rbegin(), appointments.rend());
    std::vector<ExportMapEntry> entries_reversed(entries.rbegin(), entries.rend());
    CHECK(lines(plan(reversed, entries_reversed, kUnknown)) == lines(p));
}

TEST_CASE("observe_exports: what a read says about our events", "[export-plan]") {
    calsync::Event ours;
    ours.id = "/cal/a1.ics";
    ours.etag = "\"7\"";
    ours.export_marker = "a1";
    calsync::Event foreign;
    foreign.id = "/cal/dentist.ics";
    const Appointment a1 = booked("a1");
    const Appointment a2 = booked("a2");
    const std::vector<ExportMapEntry> entries{exported(a1), exported(a2), exported(booked("gone"))};

    calsync::ExportReadScope scope;
    SECTION("not read: only what was seen") {
        const auto o = calsync::observe_exports({ours, foreign}, entries, scope);
        REQUIRE(o.present.size() == 1);
        CHECK(o.present[0].appointment_id == "a1");
        CHECK(o.present[0].remote_id == "/cal/a1.ics");
        CHECK(o.present[0].etag == "\"7\"");
        CHECK(o.absent.empty());
        CHECK_FALSE(o.windowed);
    }
    SECTION("read whole: every other entry is absent") {
        scope.calendar_read = true;
        const auto o = calsync::observe_exports({foreign, ours}, entries, scope);
        CHECK(o.present.size() == 1);
        CHECK(o.absent == std::vector<std::string>{"a2", "gone"});
    }
    SECTION("read in a window: the window is passed on, nothing is certain") {
        scope.calendar_read = true;
        scope.windowed = true;
        scope.window = {at("2026-01-31T00:00:00Z"), at("2027-01-31T00:00:00Z")};
        const auto o = calsync::observe_exports({ours}, entries, scope);
        CHECK(o.absent.empty());
        CHECK(o.windowed);
        CHECK(o.window == scope.window);
    }
}

TEST_CASE("export plan: a read in a window misses an event only where it would be",
          "[export-plan]") {
    const Appointment inside = booked("a1");
    Appointment beyond = booked("a2");
    beyond.time = {at("2027-06-01T09:00:00Z"), at("2027-06-01T10:00:00Z")};
    ExportObservations o;
    o.windowed = true;
    o.window = {at("2026-01-31T00:00:00Z"), at("2027-01-31T00:00:00Z")};
    SECTION("unchanged and inside: deleted remotely, so created again") {
        CHECK(lines(plan({inside, beyond}, {exported(inside), exported(beyond)}, o)) ==
              Lines{"create deleted in the calendar; created again as the appointment stands | "
                    "a1  "});
    }
    SECTION("moved into the window: its event may still be where it was, so updated") {
        Appointment moved = beyond;
        moved.time = inside.time;
        CHECK(lines(plan({moved}, {exported(beyond)}, o)) ==
              Lines{"update appointment changed | a2 /cal/a2.ics \"1\""});
    }
    SECTION("cancelled: deleted blind, as nothing is certain") {
        CHECK(lines(plan({cancelled("a1")}, {exported(inside)}, o)) ==
              Lines{"remove appointment cancelled | a1 /cal/a1.ics \"1\" forget"});
    }
}

TEST_CASE("export plan: a pending create (its answer lost)", "[export-plan]") {
    const Appointment a = booked("a1");
    const ExportMapEntry pending{"a1", "", "", ""};
    CHECK(lines(plan({a}, {pending}, kUnknown)) == Lines{"create new appointment | a1  "});
    CHECK(lines(plan({a}, {pending}, seeing({seen("a1")}))) ==
          Lines{"update found in the calendar without an export record; taken over | a1 "
                "/cal/a1.ics \"1\""});
    SECTION("cancelled, event looked up and found: removed and forgotten") {
        CHECK(lines(plan({cancelled("a1")}, {pending}, seeing({seen("a1")}))) ==
              Lines{"remove appointment cancelled | a1 /cal/a1.ics \"1\" forget"});
    }
    SECTION("cancelled, looked up and not there: forgotten") {
        CHECK(lines(plan({cancelled("a1")}, {pending}, missing({"a1"}))) ==
              Lines{"forget_record already deleted in the calendar | a1  "});
    }
    SECTION("cancelled, not looked up: kept and reported") {
        const ExportPlan p = plan({cancelled("a1")}, {pending}, kUnknown);
        CHECK(p.actions.empty());
        REQUIRE(p.notices.size() == 1);
        CHECK(p.notices[0].kind == calsync::ExportNoticeKind::pending_create_unseen);
    }
}

TEST_CASE("export plan: history keeps its one event", "[export-plan]") {
    ExportPolicy policy = defaults();
    const Appointment over = booked("a1");
    policy.export_from = at("2026-03-01T00:00:00Z");
    const ObservedExport twin{"a1", "/cal/a1-copy.ics", "\"3\""};
    CHECK(lines(plan({over}, {exported(over)}, seeing({seen("a1", "\"8\""), twin}), policy)) ==
          Lines{"remove a second event for the same appointment | a1 /cal/a1-copy.ics \"3\""});
}

TEST_CASE("export plan: every kind and reason has a name", "[export-plan]") {
    std::vector<std::string> names;
    for (int r = 0; r <= static_cast<int>(calsync::ExportReason::already_deleted_remotely); ++r)
        names.push_back(to_string(static_cast<calsync::ExportReason>(r)));
    std::sort(names.begin(), names.end());
    CHECK(std::unique(names.begin(), names.end()) == names.end());
    CHECK(std::string(to_string(calsync::ExportActionKind::accept_remote)) == "accept_remote");
}
