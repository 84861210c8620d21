// One suite, every StateStore: memory_store.cpp and sql_store*.hpp on SQLite and PostgreSQL
// must behave alike
// (change_application.cpp and store_checks.cpp are the rules they share).
#include <algorithm>
#include <atomic>
#include <catch2/catch.hpp>
#include <set>
#include <stdexcept>
#include <thread>

#include "core/vtimezone.hpp"
#include "event_equality.hpp"
#include "random_events.hpp"
#include "store_fixtures.hpp"

using namespace calsync;
using calsync::test::appointment;
using calsync::test::at;
using calsync::test::calendar_record;
using calsync::test::connection_record;
using calsync::test::event_difference;
using calsync::test::fails_with;
using calsync::test::must;
using calsync::test::timed_event;
using calsync::test::upserts;

namespace {

std::vector<std::string> ids_of(const std::vector<Event>& events) {
    std::vector<std::string> ids(events.size());
    std::transform(events.begin(), events.end(), ids.begin(), [](const Event& e) { return e.id; });
    return ids;
}

// A connection "c" with calendars "a" and "b".
void seed(StateStore& s) {
    must(s.put_connection(connection_record("c")));
    must(s.put_calendar(calendar_record("c", "a")));
    must(s.put_calendar(calendar_record("c", "b", CalendarDirection::import_only)));
}

ExportRecord export_record(const std::string& appointment_id, const std::string& calendar_id,
                           ExportIntent intent = ExportIntent::none) {
    ExportRecord r;
    r.key = {appointment_id, "c", calendar_id};
    r.remote_id = "/dav/" + calendar_id + "/" + appointment_id + ".ics";
    r.etag = intent == ExportIntent::none ? "\"1\"" : "";
    r.content_hash = intent == ExportIntent::none ? "h1" : "";
    r.intent = intent;
    r.intent_hash = intent == ExportIntent::none ? "" : "h1";
    r.updated_at = at(1775000100);
    return r;
}

}  // namespace

TEMPLATE_TEST_CASE("store connections: put, get, list, find, credentials, remove", "[conformance]",
                   CALSYNC_STORE_FIXTURES) {
    TestType f;
    StateStore& s = *f.store;
    must(s.put_connection(connection_record("z", ProviderKind::google, "ann@example.com")));
    must(s.put_connection(connection_record("c")));

    const ConnectionRecord c = must(s.get_connection("c"));
    CHECK(c.kind == ProviderKind::caldav);
    CHECK(c.account == "me@example.com");
    CHECK(c.settings_json == R"({"url":"https://dav.example.com/"})");
    CHECK(c.sealed_credentials == "v1.sealed-c");
    CHECK(c.state == ConnectionState::active);
    CHECK(c.created_at == at(1770000000));

    const auto all = must(s.list_connections());
    REQUIRE(all.size() == 2);
    CHECK(all[0].id == "c");
    CHECK(all[1].id == "z");

    SECTION("put replaces by id") {
        ConnectionRecord changed = c;
        changed.settings_json = "{}";
        changed.account = "other@example.com";
        must(s.put_connection(changed));
        CHECK(must(s.get_connection("c")).account == "other@example.com");
        CHECK(must(s.list_connections()).size() == 2);
    }
    SECTION("set_credentials replaces only the credentials") {
        must(s.set_credentials("c", "v1.rotated"));
        const ConnectionRecord after = must(s.get_connection("c"));
        CHECK(after.sealed_credentials == "v1.rotated");
        CHECK(after.settings_json == c.settings_json);
        fails_with(s.set_credentials("nope", "v1.x"), ErrorCode::not_found, "connection 'nope'");
    }
    SECTION("find_connection picks the newest of that kind and account") {
        ConnectionRecord newer = connection_record("c2");
        newer.created_at = at(1770000500);
        must(s.put_connection(newer));
        auto found = must(s.find_connection(ProviderKind::caldav, "me@example.com"));
        REQUIRE(found.has_value());
        CHECK(found->id == "c2");
        CHECK_FALSE(must(s.find_connection(ProviderKind::google, "me@example.com")).has_value());
        CHECK(must(s.find_connection(ProviderKind::google, "ann@example.com"))->id == "z");
    }
    SECTION("a missing connection is not_found, an empty id invalid") {
        fails_with(s.get_connection("nope"), ErrorCode::not_found, "no connection 'nope'");
        fails_with(s.put_connection(connection_record("")), ErrorCode::invalid_argument,
                   "connection id");
    }
    SECTION("remove_connection forgets it with everything it holds, export map included") {
        must(s.put_calendar(calendar_record("c", "a")));
        must(s.apply_changes("c", "a", upserts({timed_event("e1", 1775000000)}, "k1")));
        must(s.put_appointment(appointment("ap1"), at(1775000000)));
        must(s.put_export(export_record("ap1", "a")));
        must(s.remove_connection("c"));
        fails_with(s.get_connection("c"), ErrorCode::not_found, "connection 'c'");
        CHECK(must(s.list_appointment_exports("ap1")).empty());
        CHECK(must(s.list_connections()).size() == 1);
        must(s.remove_connection("c"));  // absent: nothing to do
        // A new connection under the old id starts empty.
        must(s.put_connection(connection_record("c")));
        CHECK(must(s.list_calendars("c")).empty());
    }
}

TEMPLATE_TEST_CASE("store calendars: put keeps cursor and events, list, remove", "[conformance]",
                   CALSYNC_STORE_FIXTURES) {
    TestType f;
    StateStore& s = *f.store;
    seed(s);
    const CalendarRecord a = must(s.get_calendar("c", "a"));
    CHECK(a.calendar.name == "Calendar a");
    CHECK(a.calendar.color == "#3366ff");
    CHECK(a.calendar.time_zone == "Europe/Berlin");
    CHECK(a.calendar.can_write);
    CHECK_FALSE(a.calendar.is_primary);
    CHECK(a.selected);
    CHECK(a.direction == CalendarDirection::both);
    CHECK_FALSE(a.policy.tentative_blocks);
    CHECK(a.policy.unanswered_blocks);
    CHECK(a.policy.all_day_blocks);
    CHECK(a.cursor.empty());

    const auto listed = must(s.list_calendars("c"));
    REQUIRE(listed.size() == 2);
    CHECK(listed[0].calendar.id == "a");
    CHECK(listed[1].calendar.id == "b");
    CHECK(listed[1].direction == CalendarDirection::import_only);

    SECTION("put_calendar changes settings, never the cursor or the events") {
        must(s.apply_changes("c", "a", upserts({timed_event("e1", 1775000000)}, "cursor-1")));
        CalendarRecord changed = a;
        changed.selected = false;
        changed.direction = CalendarDirection::export_only;
        changed.calendar.name = "Renamed";
        changed.policy.all_day_blocks = false;
        changed.cursor = "ignored";
        must(s.put_calendar(changed));
        const CalendarRecord after = must(s.get_calendar("c", "a"));
        CHECK(after.calendar.name == "Renamed");
        CHECK_FALSE(after.selected);
        CHECK(after.direction == CalendarDirection::export_only);
        CHECK_FALSE(after.policy.all_day_blocks);
        CHECK(after.cursor == "cursor-1");
        CHECK(must(s.load_events("c", "a")).size() == 1);
    }
    SECTION("calendars need their connection") {
        fails_with(s.put_calendar(calendar_record("nope", "a")), ErrorCode::not_found,
                   "connection 'nope'");
        fails_with(s.list_calendars("nope"), ErrorCode::not_found, "connection 'nope'");
        fails_with(s.get_calendar("c", "zz"), ErrorCode::not_found, "calendar 'zz'");
        fails_with(s.put_calendar(calendar_record("c", "")), ErrorCode::invalid_argument,
                   "calendar id");
    }
    SECTION("remove_calendar drops events, cursor, status and channels, keeps exports") {
        must(s.apply_changes("c", "a", upserts({timed_event("e1", 1775000000)}, "k")));
        SyncStatus st;
        st.state = SyncState::ok;
        must(s.put_calendar_status("c", "a", st));
        must(s.put_push_channel({"ch1", "c", "a", "res", "v1.tok", at(1776000000)}));
        must(s.put_appointment(appointment("ap1"), at(1)));
        must(s.put_export(export_record("ap1", "a")));
        must(s.remove_calendar("c", "a"));
        fails_with(s.load_events("c", "a"), ErrorCode::not_found, "calendar 'a'");
        CHECK(must(s.list_calendar_statuses("c")).count("a") == 0);
        fails_with(s.get_push_channel("ch1"), ErrorCode::not_found, "ch1");
        CHECK(must(s.list_exports("c", "a")).size() == 1);
        // Selected again later, it starts from scratch.
        must(s.put_calendar(calendar_record("c", "a")));
        CHECK(must(s.get_calendar("c", "a")).cursor.empty());
        CHECK(must(s.load_events("c", "a")).empty());
    }
}

TEMPLATE_TEST_CASE("store apply_changes: incremental changes and what changed", "[conformance]",
                   CALSYNC_STORE_FIXTURES) {
    TestType f;
    StateStore& s = *f.store;
    seed(s);
    auto first =
        must(s.apply_changes("c", "a",
                             upserts({timed_event("e2", 1775003600), timed_event("e1", 1775000000),
                                      timed_event("e3", 1775007200)},
                                     "k1")));
    CHECK(first.upserted == std::vector<std::string>{"e2", "e1", "e3"});
    CHECK(first.removed.empty());
    CHECK_FALSE(first.replaced);
    CHECK(must(s.get_calendar("c", "a")).cursor == "k1");
    CHECK(ids_of(must(s.load_events("c", "a"))) == std::vector<std::string>{"e1", "e2", "e3"});
    CHECK(must(s.load_events("c", "b")).empty());

    SECTION("changed, unchanged, removed and unknown removals") {
        ChangeSet next =
            upserts({timed_event("e1", 1775000000), timed_event("e2", 1775003600, "moved"),
                     timed_event("e4", 1775010800)},
                    "k2");
        next.removals = {"e3", "never-held"};
        auto applied = must(s.apply_changes("c", "a", next));
        CHECK(applied.upserted == std::vector<std::string>{"e2", "e4"});
        CHECK(applied.unchanged == 1);
        CHECK(applied.removed == std::vector<std::string>{"e3"});
        CHECK(applied.any());
        const auto events = must(s.load_events("c", "a"));
        CHECK(ids_of(events) == std::vector<std::string>{"e1", "e2", "e4"});
        CHECK(events[1].summary == "moved");
        CHECK(must(s.get_calendar("c", "a")).cursor == "k2");
    }
    SECTION("a later duplicate wins, and an id both removed and upserted stays") {
        ChangeSet next = upserts(
            {timed_event("e5", 1775000000, "first"), timed_event("e5", 1775000000, "second")},
            "k2");
        next.removals = {"e5", "e1"};
        auto applied = must(s.apply_changes("c", "a", next));
        CHECK(applied.upserted == std::vector<std::string>{"e5"});
        CHECK(applied.removed == std::vector<std::string>{"e1"});
        const auto events = must(s.load_events("c", "a"));
        CHECK(ids_of(events) == std::vector<std::string>{"e2", "e3", "e5"});
        CHECK(events[2].summary == "second");
    }
    SECTION("an unchanged set writes only the cursor") {
        ChangeSet same;
        same.unchanged = true;
        same.next_cursor = "etag-2";
        same.upserts = {timed_event("ignored", 1)};
        auto applied = must(s.apply_changes("c", "a", same));
        CHECK_FALSE(applied.any());
        CHECK(must(s.get_calendar("c", "a")).cursor == "etag-2");
        CHECK(must(s.load_events("c", "a")).size() == 3);
    }
    SECTION("events are stored under the calendar they were applied to") {
        Event e = timed_event("x", 1775000000);
        e.calendar_id = "somewhere-else";
        must(s.apply_changes("c", "b", upserts({e}, "kb")));
        CHECK(must(s.load_events("c", "b")).at(0).calendar_id == "b");
    }
    SECTION("an unknown calendar is not_found") {
        fails_with(s.apply_changes("c", "zz", upserts({}, "k")), ErrorCode::not_found,
                   "calendar 'zz'");
        fails_with(s.apply_changes("nope", "a", upserts({}, "k")), ErrorCode::not_found,
                   "connection 'nope'");
        // With events to store, too: none of them stays.
        const std::size_t held = must(s.load_events("c", "a")).size();
        fails_with(s.apply_changes("c", "zz", upserts({timed_event("x", 1775000000)}, "k")),
                   ErrorCode::not_found, "calendar 'zz'");
        fails_with(s.apply_changes("nope", "a", upserts({timed_event("x", 1775000000)}, "k")),
                   ErrorCode::not_found, "connection 'nope'");
        CHECK(must(s.load_events("c", "a")).size() == held);
        fails_with(s.load_events("c", "zz"), ErrorCode::not_found, "calendar 'zz'");
    }
}

TEMPLATE_TEST_CASE("store apply_changes: a full resync replaces the calendar", "[conformance]",
                   CALSYNC_STORE_FIXTURES) {
    TestType f;
    StateStore& s = *f.store;
    seed(s);
    must(s.apply_changes("c", "a",
                         upserts({timed_event("e1", 1775000000), timed_event("e2", 1775003600),
                                  timed_event("e3", 1775007200)},
                                 "k1")));
    must(s.apply_changes("c", "b", upserts({timed_event("b1", 1775000000)}, "kb")));
    auto applied = must(s.apply_changes(
        "c", "a",
        upserts({timed_event("e2", 1775003600), timed_event("e9", 1775090000, "new")}, "k2",
                true)));
    CHECK(applied.replaced);
    CHECK(applied.upserted == std::vector<std::string>{"e9"});
    CHECK(applied.unchanged == 1);
    std::vector<std::string> removed = applied.removed;
    std::sort(removed.begin(), removed.end());
    CHECK(removed == std::vector<std::string>{"e1", "e3"});
    CHECK(ids_of(must(s.load_events("c", "a"))) == std::vector<std::string>{"e2", "e9"});
    CHECK(must(s.get_calendar("c", "a")).cursor == "k2");
    // Another calendar is untouched.
    CHECK(ids_of(must(s.load_events("c", "b"))) == std::vector<std::string>{"b1"});

    SECTION("a held event whose content changed is written again, in set order") {
        // A full resync compares only the ids it holds with what is stored.
        auto again = must(s.apply_changes(
            "c", "a",
            upserts({timed_event("e7", 1775000000), timed_event("e9", 1775090000, "new"),
                     timed_event("e2", 1775003600, "moved")},
                    "k3", true)));
        CHECK(again.upserted == std::vector<std::string>{"e7", "e2"});
        CHECK(again.unchanged == 1);
        CHECK(again.removed.empty());
        const auto events = must(s.load_events("c", "a"));
        REQUIRE(ids_of(events) == std::vector<std::string>{"e2", "e7", "e9"});
        CHECK(events[0].summary == "moved");
    }
    SECTION("an empty full resync empties the calendar") {
        auto emptied = must(s.apply_changes("c", "a", upserts({}, "", true)));
        CHECK(emptied.removed.size() == 2);
        CHECK(must(s.load_events("c", "a")).empty());
        CHECK(must(s.get_calendar("c", "a")).cursor.empty());
    }
}

TEMPLATE_TEST_CASE("store apply_changes: random events come back as they went in", "[conformance]",
                   CALSYNC_STORE_FIXTURES) {
    TestType f;
    StateStore& s = *f.store;
    seed(s);
    calsync::test::EventFactory factory(99);
    std::vector<Event> events;
    for (int i = 0; i < 300; ++i) {
        Event e = factory.make("a", "r" + std::to_string(1000 + i));
        e.etag = "\"" + std::to_string(i) + "\"";
        e.description = "line 1\nline 2";
        events.push_back(e);
    }
    must(s.apply_changes("c", "a", upserts(events, "k", true)));
    const auto loaded = must(s.load_events("c", "a"));
    REQUIRE(loaded.size() == events.size());
    for (std::size_t i = 0; i < events.size(); ++i)
        REQUIRE(event_difference(events[i], loaded[i]) == "");
    // The same set again changes nothing.
    auto again = must(s.apply_changes("c", "a", upserts(events, "k", true)));
    CHECK_FALSE(again.any());
    CHECK(again.unchanged == events.size());
}

TEMPLATE_TEST_CASE("store apply_changes is all or nothing", "[conformance]",
                   CALSYNC_STORE_FIXTURES) {
    TestType f;
    StateStore& s = *f.store;
    seed(s);
    must(s.apply_changes(
        "c", "a", upserts({timed_event("e1", 1775000000), timed_event("e2", 1775003600)}, "k1")));
    const auto before = must(s.load_events("c", "a"));

    Event nameless = timed_event("", 1775007200);
    for (bool full : {false, true}) {
        ChangeSet bad = upserts(
            {timed_event("e1", 1775000000, "changed"), nameless, timed_event("e3", 1775010800)},
            "k2", full);
        bad.removals = {"e2"};
        fails_with(s.apply_changes("c", "a", bad), ErrorCode::invalid_argument,
                   "upsert 1 of calendar 'a' has an empty event id");
        const auto after = must(s.load_events("c", "a"));
        REQUIRE(after.size() == before.size());
        for (std::size_t i = 0; i < after.size(); ++i)
            CHECK(event_difference(before[i], after[i]) == "");
        CHECK(must(s.get_calendar("c", "a")).cursor == "k1");
    }
}

TEMPLATE_TEST_CASE("store transaction: together or not at all, nested parts undone alone",
                   "[conformance]", CALSYNC_STORE_FIXTURES) {
    TestType f;
    StateStore& s = *f.store;
    seed(s);
    must(s.put_appointment(appointment("ap1"), at(10)));

    SECTION("every write of a successful function stays") {
        must(s.transaction([&]() -> Result<void> {
            auto r = s.apply_changes("c", "a", upserts({timed_event("e1", 1775000000)}, "k1"));
            if (!r.ok())
                return r.error();
            auto e = s.put_export(export_record("ap1", "a"));
            if (!e.ok())
                return e;
            SyncStatus st;
            st.state = SyncState::ok;
            st.events_exported = 1;
            return s.put_connection_status("c", st);
        }));
        CHECK(must(s.load_events("c", "a")).size() == 1);
        CHECK(must(s.get_export({"ap1", "c", "a"})).etag == "\"1\"");
        CHECK(must(s.get_connection_status("c")).events_exported == 1);
    }
    SECTION("a failing function undoes every write it made") {
        auto r = s.transaction([&]() -> Result<void> {
            must(s.apply_changes("c", "a", upserts({timed_event("e1", 1775000000)}, "k1")));
            must(s.put_appointment(appointment("ap2"), at(11)));
            must(s.put_export(export_record("ap1", "a", ExportIntent::create)));
            must(s.disconnect_connection("c"));
            return make_error(ErrorCode::network, "remote write failed");
        });
        fails_with(r, ErrorCode::network, "remote write failed");
        CHECK(must(s.load_events("c", "a")).empty());
        CHECK(must(s.get_calendar("c", "a")).cursor.empty());
        fails_with(s.get_appointment("ap2"), ErrorCode::not_found, "ap2");
        CHECK(must(s.list_exports("c", "a")).empty());
        CHECK(must(s.get_connection("c")).state == ConnectionState::active);
        // The revision counter went back too.
        CHECK(must(s.put_appointment(appointment("ap3"), at(12))).revision == 2);
    }
    SECTION("a write that fails inside the function fails the transaction") {
        auto r = s.transaction([&]() -> Result<void> {
            must(s.put_appointment(appointment("ap2"), at(11)));
            return s.put_export(export_record("unknown-appointment", "a"));
        });
        fails_with(r, ErrorCode::not_found, "appointment 'unknown-appointment'");
        fails_with(s.get_appointment("ap2"), ErrorCode::not_found, "ap2");
    }
    SECTION("an exception undoes the writes and passes through") {
        CHECK_THROWS_AS(s.transaction([&]() -> Result<void> {
            must(s.put_appointment(appointment("ap2"), at(11)));
            throw std::runtime_error("host bug");
        }),
                        std::runtime_error);
        fails_with(s.get_appointment("ap2"), ErrorCode::not_found, "ap2");
        must(s.put_appointment(appointment("ap4"), at(13)));  // the store is usable after
    }
    SECTION("a failing nested transaction undoes only its own part") {
        must(s.transaction([&]() -> Result<void> {
            must(s.put_appointment(appointment("outer"), at(11)));
            auto inner = s.transaction([&]() -> Result<void> {
                must(s.put_appointment(appointment("inner"), at(12)));
                return make_error(ErrorCode::conflict, "inner failed");
            });
            CHECK_FALSE(inner.ok());
            return s.transaction([&]() { return s.put_export(export_record("outer", "a")); });
        }));
        CHECK(must(s.get_appointment("outer")).appointment.id == "outer");
        fails_with(s.get_appointment("inner"), ErrorCode::not_found, "inner");
        CHECK(must(s.list_exports("c", "a")).size() == 1);
    }
}

TEMPLATE_TEST_CASE("store appointments: revisions tell what changed", "[conformance]",
                   CALSYNC_STORE_FIXTURES) {
    TestType f;
    StateStore& s = *f.store;
    const auto r1 = must(s.put_appointment(appointment("b"), at(100)));
    const auto r2 = must(s.put_appointment(appointment("a"), at(101)));
    CHECK(r1.revision == 1);
    CHECK(r2.revision == 2);
    CHECK(r2.updated_at == at(101));

    // The same content again: nothing changed, nothing to export.
    const auto same = must(s.put_appointment(appointment("b"), at(200)));
    CHECK(same.revision == 1);
    CHECK(same.updated_at == at(100));

    Appointment cancelled = appointment("b");
    cancelled.status = AppointmentStatus::cancelled;
    cancelled.notes = "customer called";
    const auto r3 = must(s.put_appointment(cancelled, at(300)));
    CHECK(r3.revision == 3);

    const AppointmentRecord got = must(s.get_appointment("b"));
    CHECK(got.appointment.status == AppointmentStatus::cancelled);
    CHECK(got.appointment.notes == "customer called");
    CHECK(got.appointment.client == "Ann Example");
    CHECK(got.appointment.service == "Oil change");
    CHECK(got.appointment.vehicle == "VW Golf");
    CHECK(got.appointment.time == appointment("b").time);
    CHECK(got.revision == 3);
    CHECK(got.updated_at == at(300));

    const auto all = must(s.list_appointments());
    REQUIRE(all.size() == 2);
    CHECK(all[0].appointment.id == "a");
    CHECK(all[1].appointment.id == "b");

    const auto since = must(s.list_appointments_since(1));
    REQUIRE(since.size() == 2);
    CHECK(since[0].appointment.id == "a");
    CHECK(since[1].appointment.id == "b");
    CHECK(must(s.list_appointments_since(3)).empty());

    fails_with(s.get_appointment("nope"), ErrorCode::not_found, "appointment 'nope'");
    fails_with(s.put_appointment(appointment(""), at(1)), ErrorCode::invalid_argument,
               "appointment id");
    Appointment backwards = appointment("x");
    backwards.time = {at(200), at(100)};
    fails_with(s.put_appointment(backwards, at(1)), ErrorCode::invalid_argument,
               "ends before it starts");
}

TEMPLATE_TEST_CASE("store export map and the intent protocol", "[conformance]",
                   CALSYNC_STORE_FIXTURES) {
    TestType f;
    StateStore& s = *f.store;
    seed(s);
    must(s.put_connection(connection_record("d")));
    must(s.put_calendar(calendar_record("d", "a")));
    for (const char* id : {"ap1", "ap2"})
        must(s.put_appointment(appointment(id), at(1)));

    // 1. the intent, durable before the remote create
    ExportRecord intent = export_record("ap1", "a", ExportIntent::create);
    intent.generation = (std::int64_t{3} << 16) + 2;  // the third creation since revision 3
    must(s.put_export(intent));
    ExportRecord pending = must(s.get_export({"ap1", "c", "a"}));
    CHECK(pending.intent == ExportIntent::create);
    CHECK(pending.intent_hash == "h1");
    CHECK(pending.generation == intent.generation);
    CHECK(pending.remote_id == "/dav/a/ap1.ics");
    CHECK(pending.etag.empty());
    CHECK(pending.updated_at == at(1775000100));
    // 3. confirmed after the remote answered
    ExportRecord done = pending;
    done.intent = ExportIntent::none;
    done.etag = "\"e1\"";
    done.content_hash = pending.intent_hash;
    done.intent_hash.clear();
    must(s.put_export(done));
    const ExportRecord confirmed = must(s.get_export({"ap1", "c", "a"}));
    CHECK(confirmed.intent == ExportIntent::none);
    CHECK(confirmed.etag == "\"e1\"");
    CHECK(confirmed.content_hash == "h1");
    CHECK(confirmed.generation == intent.generation);

    must(s.put_export(export_record("ap1", "b", ExportIntent::update)));
    must(s.put_export(export_record("ap2", "a")));
    ExportRecord elsewhere = export_record("ap1", "a");
    elsewhere.key.connection_id = "d";
    must(s.put_export(elsewhere));

    auto keys = [](const std::vector<ExportRecord>& records) {
        std::vector<std::string> k(records.size());
        std::transform(records.begin(), records.end(), k.begin(), [](const ExportRecord& r) {
            return r.key.appointment_id + "/" + r.key.connection_id + "/" + r.key.calendar_id;
        });
        return k;
    };
    CHECK(keys(must(s.list_exports("c", "a"))) == std::vector<std::string>{"ap1/c/a", "ap2/c/a"});
    CHECK(keys(must(s.list_connection_exports("c"))) ==
          std::vector<std::string>{"ap1/c/a", "ap1/c/b", "ap2/c/a"});
    CHECK(keys(must(s.list_appointment_exports("ap1"))) ==
          std::vector<std::string>{"ap1/c/a", "ap1/c/b", "ap1/d/a"});

    must(s.remove_export({"ap1", "c", "b"}));
    must(s.remove_export({"ap1", "c", "b"}));  // absent: fine
    fails_with(s.get_export({"ap1", "c", "b"}), ErrorCode::not_found,
               "export of appointment 'ap1' to calendar 'b' of connection 'c'");
    fails_with(s.put_export(export_record("unknown", "a")), ErrorCode::not_found,
               "appointment 'unknown'");
    ExportRecord orphan = export_record("ap1", "a");
    orphan.key.connection_id = "nope";
    fails_with(s.put_export(orphan), ErrorCode::not_found, "connection 'nope'");
    ExportRecord keyless = export_record("ap1", "");
    fails_with(s.put_export(keyless), ErrorCode::invalid_argument, "calendar id");
}

TEMPLATE_TEST_CASE("store disconnect purges imports, keeps the export map, reconnect re-attaches",
                   "[conformance]", CALSYNC_STORE_FIXTURES) {
    TestType f;
    StateStore& s = *f.store;
    seed(s);
    must(s.apply_changes("c", "a", upserts({timed_event("e1", 1775000000)}, "k1")));
    must(s.apply_changes("c", "b", upserts({timed_event("e2", 1775000000)}, "k2")));
    SyncStatus st;
    st.state = SyncState::ok;
    st.last_success = at(1775000000);
    must(s.put_connection_status("c", st));
    must(s.put_calendar_status("c", "a", st));
    must(s.put_push_channel({"ch1", "c", "a", "res", "v1.tok", at(1776000000)}));
    must(s.put_pending_authorization({"state-1", "c", "v1.verifier", at(1776000000)}));
    must(s.put_appointment(appointment("ap1"), at(1)));
    must(s.put_export(export_record("ap1", "a")));
    // Another connection is not touched.
    must(s.put_connection(connection_record("other", ProviderKind::caldav, "bob@example.com")));
    must(s.put_calendar(calendar_record("other", "a")));
    must(s.apply_changes("other", "a", upserts({timed_event("o1", 1775000000)}, "ko")));

    must(s.disconnect_connection("c"));

    const ConnectionRecord c = must(s.get_connection("c"));
    CHECK(c.state == ConnectionState::disconnected);
    CHECK(c.sealed_credentials.empty());
    CHECK(c.settings_json == connection_record("c").settings_json);
    CHECK(must(s.list_calendars("c")).empty());
    fails_with(s.load_events("c", "a"), ErrorCode::not_found, "calendar 'a'");
    CHECK(must(s.list_calendar_statuses("c")).empty());
    CHECK(must(s.list_push_channels("c")).empty());
    fails_with(s.take_pending_authorization("state-1", at(1775000000)), ErrorCode::not_found,
               "pending authorization");
    CHECK(must(s.get_connection_status("c")).last_success == at(1775000000));
    CHECK(must(s.list_exports("c", "a")).size() == 1);
    CHECK(must(s.load_events("other", "a")).size() == 1);
    must(s.disconnect_connection("c"));  // again: nothing more to purge
    fails_with(s.disconnect_connection("nope"), ErrorCode::not_found, "connection 'nope'");

    // Reconnect: the account leads back to the same id, whose export map is still there.
    auto found = must(s.find_connection(ProviderKind::caldav, "me@example.com"));
    REQUIRE(found.has_value());
    CHECK(found->id == "c");
    ConnectionRecord back = *found;
    back.state = ConnectionState::active;
    back.sealed_credentials = "v1.new-login";
    must(s.put_connection(back));
    must(s.put_calendar(calendar_record("c", "a")));
    const auto exports = must(s.list_exports("c", "a"));
    REQUIRE(exports.size() == 1);
    CHECK(exports[0].remote_id == "/dav/a/ap1.ics");
    CHECK(must(s.get_calendar("c", "a")).cursor.empty());
}

TEMPLATE_TEST_CASE("store statuses of connections and calendars", "[conformance]",
                   CALSYNC_STORE_FIXTURES) {
    TestType f;
    StateStore& s = *f.store;
    seed(s);
    must(s.put_connection(connection_record("d")));
    CHECK(must(s.get_connection_status("c")).state == SyncState::never_synced);
    CHECK_FALSE(must(s.get_connection_status("c")).last_attempt.has_value());

    SyncStatus st;
    st.state = SyncState::needs_reauthorisation;
    st.last_attempt = at(1775000000);
    st.last_success = at(1774990000);
    st.last_error = "the grant was revoked: log in again";
    st.events_read = 120;
    st.events_exported = 4;
    st.consecutive_failures = 2;
    st.next_due = at(1775001800);
    must(s.put_connection_status("c", st));
    const SyncStatus got = must(s.get_connection_status("c"));
    CHECK(got.state == SyncState::needs_reauthorisation);
    CHECK(got.last_attempt == at(1775000000));
    CHECK(got.last_success == at(1774990000));
    CHECK(got.last_error == st.last_error);
    CHECK(got.events_read == 120);
    CHECK(got.events_exported == 4);
    CHECK(got.consecutive_failures == 2);
    CHECK(got.next_due == at(1775001800));

    // Written again, the record is replaced whole.
    SyncStatus later;
    later.state = SyncState::ok;
    later.last_attempt = at(1775003600);
    later.events_read = 121;
    must(s.put_connection_status("c", later));
    const SyncStatus replaced = must(s.get_connection_status("c"));
    CHECK(replaced.state == SyncState::ok);
    CHECK(replaced.last_attempt == at(1775003600));
    CHECK_FALSE(replaced.last_success.has_value());
    CHECK(replaced.last_error.empty());
    CHECK(replaced.events_read == 121);
    CHECK(replaced.consecutive_failures == 0);
    CHECK_FALSE(replaced.next_due.has_value());
    must(s.put_connection_status("c", st));

    const auto all = must(s.list_connection_statuses());
    REQUIRE(all.size() == 2);
    CHECK(all.at("c").state == SyncState::needs_reauthorisation);
    CHECK(all.at("d").state == SyncState::never_synced);

    SyncStatus gone;
    gone.state = SyncState::calendar_gone;
    gone.last_error = "calendar b was deleted";
    must(s.put_calendar_status("c", "b", gone));
    const auto calendars = must(s.list_calendar_statuses("c"));
    REQUIRE(calendars.size() == 2);
    CHECK(calendars.at("a").state == SyncState::never_synced);
    CHECK(calendars.at("b").state == SyncState::calendar_gone);
    CHECK(calendars.at("b").last_error == "calendar b was deleted");
    gone.state = SyncState::ok;
    gone.last_error.clear();
    gone.events_read = 7;
    must(s.put_calendar_status("c", "b", gone));
    CHECK(must(s.list_calendar_statuses("c")).at("b").state == SyncState::ok);
    CHECK(must(s.list_calendar_statuses("c")).at("b").last_error.empty());
    CHECK(must(s.list_calendar_statuses("c")).at("b").events_read == 7);

    fails_with(s.put_connection_status("nope", st), ErrorCode::not_found, "connection 'nope'");
    fails_with(s.get_connection_status("nope"), ErrorCode::not_found, "connection 'nope'");
    fails_with(s.put_calendar_status("c", "zz", st), ErrorCode::not_found, "calendar 'zz'");
    fails_with(s.list_calendar_statuses("nope"), ErrorCode::not_found, "connection 'nope'");
}

TEMPLATE_TEST_CASE("store sync end: cursors and statuses together, a calendar gone passed over",
                   "[conformance]", CALSYNC_STORE_FIXTURES) {
    TestType f;
    StateStore& s = *f.store;
    seed(s);  // "c" with "a" and "b"; no status written yet: each is made by the call
    SyncStatus ok;
    ok.state = SyncState::ok;
    ok.events_read = 4;
    SyncStatus failed;
    failed.state = SyncState::error;
    failed.last_error = "the server answered 503";

    SyncEnd end;
    end.cursors = {{"a", "cursor-a1"}, {"gone", "cursor-x"}};
    end.calendar_statuses = {{"a", ok}, {"b", failed}, {"gone", ok}};
    end.status = failed;
    must(s.put_sync_end("c", end));
    CHECK(must(s.get_calendar("c", "a")).cursor == "cursor-a1");
    CHECK(must(s.get_calendar("c", "b")).cursor.empty());
    auto statuses = must(s.list_calendar_statuses("c"));
    REQUIRE(statuses.size() == 2);
    CHECK(statuses.at("a").events_read == 4);
    CHECK(statuses.at("b").state == SyncState::error);
    CHECK(statuses.at("b").last_error == "the server answered 503");
    CHECK(must(s.get_connection_status("c")).state == SyncState::error);

    // Written again (the rows now there are updated), and the events stay as they were.
    must(s.apply_changes("c", "b", upserts({timed_event("e1", 1775000000)}, "cursor-b1")));
    end.cursors = {{"b", "cursor-b2"}};
    end.calendar_statuses = {{"b", ok}};
    end.status = ok;
    must(s.put_sync_end("c", end));
    CHECK(must(s.get_calendar("c", "a")).cursor == "cursor-a1");
    CHECK(must(s.get_calendar("c", "b")).cursor == "cursor-b2");
    CHECK(must(s.load_events("c", "b")).size() == 1);
    CHECK(must(s.list_calendar_statuses("c")).at("b").state == SyncState::ok);
    CHECK(must(s.list_calendar_statuses("c")).at("a").events_read == 4);
    CHECK(must(s.get_connection_status("c")).state == SyncState::ok);

    // An unknown connection: not_found, and nothing of the call written.
    fails_with(s.put_sync_end("nope", end), ErrorCode::not_found, "connection 'nope'");
    // Inside a transaction that fails, undone with it.
    end.cursors = {{"a", "cursor-a2"}};
    end.status = failed;
    fails_with(s.transaction([&]() -> Result<void> {
        must(s.put_sync_end("c", end));
        return make_error(ErrorCode::internal, "given up");
    }),
               ErrorCode::internal, "given up");
    CHECK(must(s.get_calendar("c", "a")).cursor == "cursor-a1");
    CHECK(must(s.get_connection_status("c")).state == SyncState::ok);
}

TEMPLATE_TEST_CASE("store snapshot: a connection's first reads together, as each call answers",
                   "[conformance]", CALSYNC_STORE_FIXTURES) {
    TestType f;
    StateStore& s = *f.store;
    seed(s);
    must(s.put_connection(connection_record("other", ProviderKind::google, "ann@example.com")));
    must(s.put_calendar(calendar_record("other", "x")));
    must(s.put_push_channel({"ch-other", "other", "x", "res-x", "v1.tok-x", at(1000)}));
    must(s.put_push_channel({"ch-b", "c", "b", "res-b", "v1.tok-b", at(3000)}));
    must(s.put_push_channel({"ch-a", "c", "a", "res-a", "v1.tok-a", at(2000)}));
    SyncStatus failing;
    failing.state = SyncState::error;
    failing.last_error = "the server answered 503";
    failing.consecutive_failures = 3;
    must(s.put_connection_status("c", failing));
    SyncStatus gone;
    gone.state = SyncState::calendar_gone;
    must(s.put_calendar_status("c", "b", gone));
    must(s.put_business_settings(R"({"zone":"Europe/Paris"})"));
    const TimeRange window{at(1774915200), at(1806451200)};
    SlotChanges whole;
    whole.replace_all = true;
    whole.window = window;
    must(s.apply_slot_changes("c", "a", whole));
    must(s.apply_slot_changes("other", "x", whole));
    SlotChanges without_window;  // written whole, no window kept
    without_window.replace_all = true;
    must(s.apply_slot_changes("c", "b", without_window));

    const ConnectionSnapshot snap = must(s.read_connection_snapshot("c"));
    CHECK(snap.business_settings == std::optional<std::string>(R"({"zone":"Europe/Paris"})"));
    CHECK(snap.connection.id == "c");
    CHECK(snap.connection.account == must(s.get_connection("c")).account);
    CHECK(snap.connection.sealed_credentials == "v1.sealed-c");
    CHECK(snap.status.state == SyncState::error);
    CHECK(snap.status.last_error == "the server answered 503");
    CHECK(snap.status.consecutive_failures == 3);
    REQUIRE(snap.calendars.size() == 2);
    CHECK(snap.calendars[0].calendar.id == "a");
    CHECK(snap.calendars[1].calendar.id == "b");
    CHECK(snap.calendars[1].direction == CalendarDirection::import_only);
    REQUIRE(snap.calendar_statuses.size() == 2);
    CHECK(snap.calendar_statuses.at("a").state == SyncState::never_synced);
    CHECK(snap.calendar_statuses.at("b").state == SyncState::calendar_gone);
    REQUIRE(snap.push_channels.size() == 2);  // by channel id; not the other connection's
    CHECK(snap.push_channels[0].channel_id == "ch-a");
    CHECK(snap.push_channels[0].sealed_token == "v1.tok-a");
    CHECK(snap.push_channels[1].channel_id == "ch-b");
    // Every store here keeps slots, so each reads the windows with the rest: "a" has one,
    // "b" none, and the other connection's is not among them.
    REQUIRE(snap.slot_windows.has_value());
    REQUIRE(snap.slot_windows->size() == 1);
    CHECK(snap.slot_windows->at("a") == window);

    // A connection with nothing but itself; an unknown one.
    must(s.put_connection(connection_record("bare")));
    const ConnectionSnapshot bare = must(s.read_connection_snapshot("bare"));
    CHECK(bare.connection.id == "bare");
    CHECK(bare.status.state == SyncState::never_synced);
    CHECK(bare.calendars.empty());
    CHECK(bare.calendar_statuses.empty());
    CHECK(bare.push_channels.empty());
    REQUIRE(bare.slot_windows.has_value());
    CHECK(bare.slot_windows->empty());
    fails_with(s.read_connection_snapshot("nope"), ErrorCode::not_found, "connection 'nope'");
    // The store still answers after the refused read (on PostgreSQL: the pipeline ended).
    CHECK(must(s.read_connection_snapshot("c")).calendars.size() == 2);
}

TEMPLATE_TEST_CASE("store export inputs: an export run's reads together, as each call answers",
                   "[conformance]", CALSYNC_STORE_FIXTURES) {
    TestType f;
    StateStore& s = *f.store;
    seed(s);
    must(s.put_connection(connection_record("d")));
    must(s.put_calendar(calendar_record("d", "a")));
    for (const char* id : {"ap2", "ap1", "ap3"})
        must(s.put_appointment(appointment(id), at(1)));
    Appointment cancelled = appointment("ap3");
    cancelled.status = AppointmentStatus::cancelled;
    must(s.put_appointment(cancelled, at(2)));
    must(s.put_export(export_record("ap2", "a")));
    must(s.put_export(export_record("ap1", "a", ExportIntent::update)));
    must(s.put_export(export_record("ap1", "b")));  // another calendar's
    ExportRecord elsewhere = export_record("ap3", "a");
    elsewhere.key.connection_id = "d";  // another connection's
    must(s.put_export(elsewhere));
    must(s.apply_changes(
        "c", "a",
        upserts({timed_event("e2", 1775000000), timed_event("e1", 1775003600)}, "cursor-1")));
    must(s.apply_changes("d", "a", upserts({timed_event("other", 1775000000)}, "cursor-d")));

    const ExportInputs in = must(s.read_export_inputs("c", "a"));
    REQUIRE(in.appointments.size() == 3);
    const auto appointments = must(s.list_appointments());
    for (std::size_t i = 0; i < appointments.size(); ++i) {
        CHECK(in.appointments[i].appointment.id == appointments[i].appointment.id);
        CHECK(in.appointments[i].revision == appointments[i].revision);
        CHECK(in.appointments[i].appointment.status == appointments[i].appointment.status);
    }
    CHECK(in.appointments[2].appointment.status == AppointmentStatus::cancelled);
    REQUIRE(in.exports.size() == 2);  // this calendar's, by appointment
    CHECK(in.exports[0].key.appointment_id == "ap1");
    CHECK(in.exports[0].intent == ExportIntent::update);
    CHECK(in.exports[0].intent_hash == "h1");
    CHECK(in.exports[1].key.appointment_id == "ap2");
    CHECK(in.exports[1].etag == "\"1\"");
    CHECK(ids_of(in.events) == std::vector<std::string>{"e1", "e2"});
    const auto loaded = must(s.load_events("c", "a"));
    REQUIRE(loaded.size() == in.events.size());
    for (std::size_t i = 0; i < loaded.size(); ++i)
        CHECK(event_difference(in.events[i], loaded[i]) == "");

    // A calendar holding nothing reads as empty; an unknown one as load_events answers,
    // and the store still answers after it.
    const ExportInputs empty = must(s.read_export_inputs("c", "b"));
    CHECK(empty.exports.size() == 1);
    CHECK(empty.events.empty());
    fails_with(s.read_export_inputs("c", "nope"), ErrorCode::not_found, "nope");
    CHECK(must(s.read_export_inputs("c", "a")).events.size() == 2);
}

TEMPLATE_TEST_CASE("store OAuth: pending authorizations complete once, nonces refuse replays",
                   "[conformance]", CALSYNC_STORE_FIXTURES) {
    TestType f;
    StateStore& s = *f.store;
    must(s.put_pending_authorization({"s1", "c", "v1.verifier-1", at(1000)}));
    must(s.put_pending_authorization({"s2", "c", "v1.verifier-2", at(2000)}));

    const PendingAuthorization taken = must(s.take_pending_authorization("s1", at(900)));
    CHECK(taken.state == "s1");
    CHECK(taken.connection_id == "c");
    CHECK(taken.sealed_code_verifier == "v1.verifier-1");
    CHECK(taken.expires_at == at(1000));
    fails_with(s.take_pending_authorization("s1", at(901)), ErrorCode::not_found,
               "pending authorization");
    // Expired at `now`: refused, and purged.
    fails_with(s.take_pending_authorization("s2", at(2000)), ErrorCode::not_found,
               "pending authorization");
    fails_with(s.take_pending_authorization("s2", at(10)), ErrorCode::not_found,
               "pending authorization");
    fails_with(s.put_pending_authorization({"", "c", "v", at(1)}), ErrorCode::invalid_argument,
               "state");

    CHECK(must(s.spend_nonce("n1", at(1000), at(100))));
    CHECK_FALSE(must(s.spend_nonce("n1", at(1000), at(200))));
    CHECK(must(s.spend_nonce("n2", at(500), at(200))));
    // Once expired the nonce is forgotten (the state it came in expired with it).
    CHECK(must(s.spend_nonce("n1", at(3000), at(1000))));
    CHECK_FALSE(must(s.spend_nonce("n1", at(3000), at(1001))));
}

TEMPLATE_TEST_CASE("store push channels", "[conformance]", CALSYNC_STORE_FIXTURES) {
    TestType f;
    StateStore& s = *f.store;
    seed(s);
    must(s.put_push_channel({"ch-b", "c", "b", "res-b", "v1.tok-b", at(3000)}));
    must(s.put_push_channel({"ch-a", "c", "a", "res-a", "v1.tok-a", at(2000)}));
    must(s.put_push_channel({"ch-c", "c", "a", "res-c", "v1.tok-c", at(5000)}));

    const PushChannel a = must(s.get_push_channel("ch-a"));
    CHECK(a.connection_id == "c");
    CHECK(a.calendar_id == "a");
    CHECK(a.resource_id == "res-a");
    CHECK(a.sealed_token == "v1.tok-a");
    CHECK(a.expires_at == at(2000));

    auto ids = [](const std::vector<PushChannel>& channels) {
        std::vector<std::string> v(channels.size());
        std::transform(channels.begin(), channels.end(), v.begin(),
                       [](const PushChannel& ch) { return ch.channel_id; });
        return v;
    };
    CHECK(ids(must(s.list_push_channels("c"))) == std::vector<std::string>{"ch-a", "ch-b", "ch-c"});
    CHECK(ids(must(s.list_push_channels_expiring(at(4000)))) ==
          std::vector<std::string>{"ch-a", "ch-b"});

    PushChannel renewed = a;
    renewed.expires_at = at(9000);
    must(s.put_push_channel(renewed));
    CHECK(ids(must(s.list_push_channels_expiring(at(4000)))) == std::vector<std::string>{"ch-b"});

    must(s.remove_push_channel("ch-b"));
    must(s.remove_push_channel("ch-b"));
    fails_with(s.get_push_channel("ch-b"), ErrorCode::not_found, "push channel 'ch-b'");
    fails_with(s.put_push_channel({"x", "c", "zz", "", "", at(1)}), ErrorCode::not_found,
               "calendar 'zz'");
}

TEMPLATE_TEST_CASE("store is safe to use from several threads", "[conformance]",
                   CALSYNC_STORE_FIXTURES) {
    TestType f;
    StateStore& s = *f.store;
    constexpr int kThreads = 4;
    constexpr int kRounds = 25;
    for (int t = 0; t < kThreads; ++t) {
        const std::string id = "c" + std::to_string(t);
        must(s.put_connection(connection_record(id)));
        must(s.put_calendar(calendar_record(id, "cal")));
    }
    std::atomic<int> failures{0};
    std::vector<std::thread> threads;
    for (int t = 0; t < kThreads; ++t) {
        threads.emplace_back([&, t] {
            const std::string id = "c" + std::to_string(t);
            for (int r = 0; r < kRounds; ++r) {
                ChangeSet c = upserts({timed_event("e" + std::to_string(r), 1775000000 + r * 60)},
                                      "k" + std::to_string(r));
                const std::string appt = id + "-" + std::to_string(r);
                auto done = s.transaction([&]() -> Result<void> {
                    auto applied = s.apply_changes(id, "cal", c);
                    if (!applied.ok())
                        return applied.error();
                    auto a = s.put_appointment(appointment(appt), at(r));
                    if (!a.ok())
                        return a.error();
                    ExportRecord e;
                    e.key = {appt, id, "cal"};
                    e.intent = ExportIntent::create;
                    return s.put_export(e);
                });
                if (!done.ok() || !s.load_events(id, "cal").ok())
                    ++failures;
            }
        });
    }
    for (std::thread& th : threads)
        th.join();
    CHECK(failures == 0);
    const auto appointments = must(s.list_appointments());
    REQUIRE(appointments.size() == kThreads * kRounds);
    std::set<std::int64_t> revisions;
    for (const AppointmentRecord& a : appointments)
        revisions.insert(a.revision);
    CHECK(revisions.size() == appointments.size());
    CHECK(*revisions.rbegin() == kThreads * kRounds);
    for (int t = 0; t < kThreads; ++t) {
        const std::string id = "c" + std::to_string(t);
        CHECK(must(s.load_events(id, "cal")).size() == kRounds);
        CHECK(must(s.get_calendar(id, "cal")).cursor == "k" + std::to_string(kRounds - 1));
        CHECK(must(s.list_exports(id, "cal")).size() == kRounds);
    }
}

namespace {

// Exchange's definition of Berlin, under a Windows name: a zone the calendar defines.
constexpr const char* kExchangeBerlin =
    "BEGIN:VTIMEZONE\r\nTZID:W. Europe Standard Time\r\nBEGIN:STANDARD\r\n"
    "DTSTART:16010101T030000\r\nTZOFFSETFROM:+0200\r\nTZOFFSETTO:+0100\r\n"
    "RRULE:FREQ=YEARLY;INTERVAL=1;BYDAY=-1SU;BYMONTH=10\r\nEND:STANDARD\r\n"
    "BEGIN:DAYLIGHT\r\nDTSTART:16010101T020000\r\nTZOFFSETFROM:+0100\r\nTZOFFSETTO:+0200\r\n"
    "RRULE:FREQ=YEARLY;INTERVAL=1;BYDAY=-1SU;BYMONTH=3\r\nEND:DAYLIGHT\r\nEND:VTIMEZONE\r\n";

}  // namespace

TEMPLATE_TEST_CASE("store events in a zone the calendar defined come back whole", "[conformance]",
                   CALSYNC_STORE_FIXTURES) {
    TestType f;
    StateStore& s = *f.store;
    seed(s);
    const ZonePtr zone = must(ical::zone_from_definition(kExchangeBerlin));
    std::vector<Event> events;
    for (int i = 0; i < 50; ++i) {
        Event e = timed_event("z" + std::to_string(100 + i), 1775000000);
        e.calendar_id = "a";  // as the store keeps it
        e.start =
            EventTime::in_zone({{2026, 7, 1 + i % 28}, 10, 0, 0}, zone, "W. Europe Standard Time");
        e.end =
            EventTime::in_zone({{2026, 7, 1 + i % 28}, 11, 0, 0}, zone, "W. Europe Standard Time");
        events.push_back(e);
    }
    must(s.apply_changes("c", "a", upserts(events, "k1")));
    const auto back = must(s.load_events("c", "a"));
    REQUIRE(back.size() == events.size());
    for (std::size_t i = 0; i < back.size(); ++i) {
        INFO(event_difference(events[i], back[i]));
        CHECK(event_difference(events[i], back[i]).empty());
        CHECK(back[i].start.zone->definition() == zone->definition());
    }
    // Stored as written: the same events again change nothing.
    const AppliedChanges again = must(s.apply_changes("c", "a", upserts(events, "k2")));
    CHECK(again.unchanged == events.size());
    CHECK_FALSE(again.any());
}

namespace {

BlockedSlot slot(const std::string& event_id, std::int64_t start, std::int64_t hours = 1) {
    BlockedSlot s;
    s.range = {at(start), at(start + hours * 3600)};
    s.event_id = event_id;
    s.recurrence_id = at(start);
    s.label = "Calendar a";
    return s;
}

std::vector<std::string> slot_events(const std::vector<StoredSlot>& slots) {
    std::vector<std::string> ids;
    for (const StoredSlot& s : slots)
        ids.push_back(s.slot.event_id + "@" + std::to_string(to_unix(s.slot.range.start)));
    return ids;
}

}  // namespace

TEMPLATE_TEST_CASE("store blocked slots: kept per calendar, replaced by event, read by range",
                   "[conformance]", CALSYNC_STORE_FIXTURES) {
    TestType f;
    StateStore& s = *f.store;
    seed(s);
    SlotChanges first;
    first.replace_all = true;
    BlockedSlot tentative = slot("e2", 1775010000, 2);
    tentative.tentative = true;
    tentative.all_day = true;
    first.slots = {slot("e1", 1775000000), slot("e1", 1775086400), tentative};
    must(s.apply_slot_changes("c", "a", first));
    SlotChanges other;
    other.replace_all = true;
    other.slots = {slot("x1", 1775003600)};
    must(s.apply_slot_changes("c", "b", other));

    const TimeRange day{at(1775000000), at(1775000000 + 86400)};
    auto held = must(s.list_blocked_slots(day));
    CHECK(slot_events(held) ==
          std::vector<std::string>{"e1@1775000000", "x1@1775003600", "e2@1775010000"});
    CHECK(held[0].connection_id == "c");
    CHECK(held[0].slot.calendar_id == "a");
    CHECK(held[1].slot.calendar_id == "b");
    CHECK(held[2].slot.tentative);
    CHECK(held[2].slot.all_day);
    CHECK(held[2].slot.range.end == at(1775010000 + 7200));
    CHECK(held[0].slot.recurrence_id == at(1775000000));
    CHECK(held[0].slot.label == "Calendar a");
    // Overlap is half-open: a slot ending where the range starts is outside.
    CHECK(must(s.list_blocked_slots({at(1775003600), at(1775003601)})).size() == 1);

    SECTION("the slots of changed events are replaced, the others kept") {
        SlotChanges change;
        change.events = {"e1", "gone"};
        change.slots = {slot("e1", 1775020000)};
        must(s.apply_slot_changes("c", "a", change));
        CHECK(slot_events(must(s.list_blocked_slots({at(0), at(1800000000)}))) ==
              std::vector<std::string>{"x1@1775003600", "e2@1775010000", "e1@1775020000"});
    }
    SECTION("a full replacement drops the calendar's others") {
        SlotChanges change;
        change.replace_all = true;
        must(s.apply_slot_changes("c", "a", change));
        CHECK(slot_events(must(s.list_blocked_slots({at(0), at(1800000000)}))) ==
              std::vector<std::string>{"x1@1775003600"});
    }
    SECTION("slots go with their calendar and with a disconnect") {
        must(s.remove_calendar("c", "b"));
        CHECK(must(s.list_blocked_slots({at(0), at(1800000000)})).size() == 3);
        must(s.disconnect_connection("c"));
        CHECK(must(s.list_blocked_slots({at(0), at(1800000000)})).empty());
    }
    SECTION("bad changes change nothing") {
        SlotChanges reversed;
        reversed.replace_all = true;
        BlockedSlot bad = slot("e9", 1775000000);
        bad.range.end = bad.range.start;
        reversed.slots = {bad};
        fails_with(s.apply_slot_changes("c", "a", reversed), ErrorCode::invalid_argument, "e9");
        fails_with(s.apply_slot_changes("c", "nope", first), ErrorCode::not_found, "nope");
        CHECK(must(s.list_blocked_slots({at(0), at(1800000000)})).size() == 4);
    }
    SECTION("a transaction that fails undoes its slot changes") {
        auto r = s.transaction([&]() -> Result<void> {
            SlotChanges change;
            change.replace_all = true;
            must(s.apply_slot_changes("c", "a", change));
            return make_error(ErrorCode::network, "later step failed");
        });
        CHECK_FALSE(r.ok());
        CHECK(must(s.list_blocked_slots({at(0), at(1800000000)})).size() == 4);
    }
}

TEMPLATE_TEST_CASE("store blocked slots: thousands of slots of any text, kept as written",
                   "[conformance]", CALSYNC_STORE_FIXTURES) {
    TestType f;
    StateStore& s = *f.store;
    seed(s);
    const std::vector<std::string>& texts = test::misreadable_texts();
    // More slots than one statement carries on PostgreSQL (1,000), so the rows go in three.
    std::vector<BlockedSlot> written;
    for (int i = 0; i < 2500; ++i) {
        BlockedSlot b =
            slot(texts[static_cast<std::size_t>(i) % texts.size()] + "#" + std::to_string(i % 7),
                 1775000000 + i * 600, 1 + i % 3);
        b.recurrence_id = at(1775000000 + i * 600 - (i % 5) * 86400);
        b.label = i % 11 == 0 ? "" : texts[static_cast<std::size_t>(i / 3) % texts.size()];
        b.all_day = i % 2 == 0;
        b.tentative = i % 3 == 0;
        written.push_back(b);
    }
    SlotChanges whole;
    whole.replace_all = true;
    whole.slots = written;
    must(s.apply_slot_changes("c", "a", whole));
    auto as_stored = [](const std::vector<BlockedSlot>& slots) {
        std::vector<StoredSlot> out;
        for (const BlockedSlot& b : slots) {
            StoredSlot stored{"c", b};
            stored.slot.calendar_id = "a";
            out.push_back(stored);
        }
        std::sort(out.begin(), out.end());
        return out;
    };
    auto read = [&s] {
        auto all = must(s.list_blocked_slots({at(0), at(1900000000)}));
        std::sort(all.begin(), all.end());
        return all;
    };
    CHECK(read() == as_stored(written));

    // The slots of some events replaced: those events' slots go, whatever their ids read as.
    SlotChanges change;
    change.events = {"\"#1", "NULL#4", "{a,b}#3", "\xc3\xa9\xe6\xbc\xa2\xf0\x9f\x99\x82#0",
                     "absent"};
    BlockedSlot added = slot("NULL#4", 1774000000);
    added.label = "a\"b\\c";
    change.slots = {added};
    must(s.apply_slot_changes("c", "a", change));
    std::vector<BlockedSlot> kept = {added};
    for (const BlockedSlot& b : written)
        if (std::find(change.events.begin(), change.events.end(), b.event_id) ==
            change.events.end())
            kept.push_back(b);
    REQUIRE(kept.size() < written.size());  // some slots were of the replaced events
    CHECK(read() == as_stored(kept));
}

TEMPLATE_TEST_CASE("store blocked slots: two connections with a calendar of one id stay apart",
                   "[conformance]", CALSYNC_STORE_FIXTURES) {
    TestType f;
    StateStore& s = *f.store;
    seed(s);
    must(s.put_connection(connection_record("d", ProviderKind::caldav, "other@x")));
    must(s.put_calendar(calendar_record("d", "a")));
    SlotChanges in_c;
    in_c.replace_all = true;
    in_c.slots = {slot("e1", 1775000000)};
    must(s.apply_slot_changes("c", "a", in_c));
    SlotChanges in_d = in_c;
    in_d.slots = {slot("e1", 1775000000), slot("e2", 1775090000)};
    must(s.apply_slot_changes("d", "a", in_d));
    const TimeRange all{at(0), at(1800000000)};
    auto held = must(s.list_blocked_slots(all));
    REQUIRE(held.size() == 3);
    // Same range, calendar and event: the connection tells them apart, and orders them.
    CHECK(held[0].connection_id == "c");
    CHECK(held[1].connection_id == "d");
    CHECK(held[0].slot == held[1].slot);
    CHECK(held[2].connection_id == "d");
    // Each connection's calendar is written on its own.
    SlotChanges wipe;
    wipe.replace_all = true;
    must(s.apply_slot_changes("d", "a", wipe));
    held = must(s.list_blocked_slots(all));
    REQUIRE(held.size() == 1);
    CHECK(held[0].connection_id == "c");
}

TEMPLATE_TEST_CASE("store blocked slots: a calendar's slot window is kept with a whole write",
                   "[conformance]", CALSYNC_STORE_FIXTURES) {
    TestType f;
    StateStore& s = *f.store;
    seed(s);
    CHECK_FALSE(must(s.find_slot_window("c", "a")).has_value());
    CHECK_FALSE(must(s.find_slot_window("c", "unknown")).has_value());
    const TimeRange window{at(1774915200), at(1806451200)};
    SlotChanges whole;
    whole.replace_all = true;
    whole.slots = {slot("e1", 1775000000)};
    whole.window = window;
    must(s.apply_slot_changes("c", "a", whole));
    REQUIRE(must(s.find_slot_window("c", "a")).has_value());
    CHECK(must(s.find_slot_window("c", "a"))->start == window.start);
    CHECK(must(s.find_slot_window("c", "a"))->end == window.end);
    CHECK_FALSE(must(s.find_slot_window("c", "b")).has_value());

    SECTION("a partial change keeps it") {
        SlotChanges change;
        change.events = {"e1"};
        change.slots = {slot("e1", 1775020000)};
        must(s.apply_slot_changes("c", "a", change));
        CHECK(must(s.find_slot_window("c", "a"))->end == window.end);
    }
    SECTION("a whole write with another window replaces it; one without forgets it") {
        whole.window = TimeRange{at(1775001600), at(1806537600)};
        must(s.apply_slot_changes("c", "a", whole));
        CHECK(must(s.find_slot_window("c", "a"))->start == at(1775001600));
        whole.window.reset();
        must(s.apply_slot_changes("c", "a", whole));
        CHECK_FALSE(must(s.find_slot_window("c", "a")).has_value());
    }
    SECTION("a window without a whole write is refused, and changes nothing") {
        SlotChanges change;
        change.events = {"e1"};
        change.window = TimeRange{at(1775001600), at(1806537600)};
        fails_with(s.apply_slot_changes("c", "a", change), ErrorCode::invalid_argument,
                   "written whole");
        SlotChanges reversed = whole;
        reversed.window = TimeRange{window.end, window.start};
        fails_with(s.apply_slot_changes("c", "a", reversed), ErrorCode::invalid_argument, "window");
        CHECK(must(s.find_slot_window("c", "a"))->start == window.start);
        CHECK(must(s.list_blocked_slots({at(0), at(1800000000)})).size() == 1);
    }
    SECTION("it goes with its calendar") {
        must(s.remove_calendar("c", "a"));
        must(s.put_calendar(calendar_record("c", "a")));
        CHECK_FALSE(must(s.find_slot_window("c", "a")).has_value());
    }
}

TEMPLATE_TEST_CASE("store blocked slots: a long slot begun well before the range is read",
                   "[conformance]", CALSYNC_STORE_FIXTURES) {
    TestType f;
    StateStore& s = *f.store;
    seed(s);
    // A fortnight away (one slot) in calendar b, written by a partial change; short slots
    // in a.
    SlotChanges holiday;
    holiday.events = {"away"};
    holiday.slots = {slot("away", 1775000000, 24 * 14)};
    must(s.apply_slot_changes("c", "b", holiday));
    SlotChanges short_ones;
    short_ones.replace_all = true;
    short_ones.slots = {slot("e1", 1775871200), slot("e2", 1776000000)};
    must(s.apply_slot_changes("c", "a", short_ones));
    // Ten days into the fortnight: only the holiday overlaps.
    const TimeRange day10{at(1775000000 + 10 * 86400), at(1775000000 + 11 * 86400)};
    auto held = must(s.list_blocked_slots(day10));
    REQUIRE(held.size() == 2);
    CHECK(held[0].slot.event_id == "away");
    CHECK(held[1].slot.event_id == "e1");
    // A whole write of b with short slots only: the fortnight is gone, the rest still read.
    SlotChanges back;
    back.replace_all = true;
    back.slots = {slot("x1", 1775000000 + 10 * 86400 + 3600)};
    must(s.apply_slot_changes("c", "b", back));
    CHECK(slot_events(must(s.list_blocked_slots(day10))) ==
          std::vector<std::string>{"x1@1775867600", "e1@1775871200"});
    // The slot ending where the range starts stays outside (half-open).
    CHECK(must(s.list_blocked_slots({at(1775871200 + 3600), at(1775900000)})).empty());
}
