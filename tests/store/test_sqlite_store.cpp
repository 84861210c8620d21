// What only the SQLite store has (sqlite_store*.cpp, sqlite_schema.cpp, sqlite_db.cpp): a
// file that persists, WAL, foreign keys, migrations, integrity, rollback of a write that
// fails halfway, several connections to one file.
#include <sys/stat.h>

#include <catch2/catch.hpp>
#include <chrono>
#include <fstream>
#include <future>
#include <sstream>
#include <thread>

#include "core/vtimezone.hpp"
#include "event_equality.hpp"
#include "random_events.hpp"
#include "sqlite_probe.hpp"
#include "store_fixtures.hpp"

using namespace calsync;
using calsync::test::appointment;
using calsync::test::at;
using calsync::test::calendar_record;
using calsync::test::connection_record;
using calsync::test::must;
using calsync::test::SqliteProbe;
using calsync::test::TempDir;
using calsync::test::timed_event;
using calsync::test::upserts;

namespace {

std::unique_ptr<StateStore> open(const std::string& path) {
    return must(open_sqlite_store(path));
}

// The store at `path` with connection "c" and its calendar "a".
std::unique_ptr<StateStore> open_with_calendar(const std::string& path) {
    auto s = open(path);
    must(s->put_connection(connection_record("c")));
    must(s->put_calendar(calendar_record("c", "a")));
    return s;
}

std::string read_text(const std::string& path) {
    std::ifstream in(path);
    std::stringstream s;
    s << in.rdbuf();
    return s.str();
}

// One record of every kind.
void fill(StateStore& s) {
    must(s.put_connection(connection_record("c")));
    must(s.put_calendar(calendar_record("c", "a")));
    calsync::test::EventFactory factory(5);
    std::vector<Event> events;
    for (int i = 0; i < 50; ++i)
        events.push_back(factory.make("a", "e" + std::to_string(100 + i)));
    must(s.apply_changes("c", "a", upserts(events, "cursor-1")));
    must(s.put_appointment(appointment("ap1"), at(5)));
    ExportRecord e;
    e.key = {"ap1", "c", "a"};
    e.remote_id = "/dav/a/ap1.ics";
    e.intent = ExportIntent::create;
    e.intent_hash = "h";
    must(s.put_export(e));
    SyncStatus st;
    st.state = SyncState::error;
    st.last_error = "HTTP 503";
    must(s.put_connection_status("c", st));
    must(s.put_calendar_status("c", "a", st));
    must(s.put_pending_authorization({"state", "c", "v1.verifier", at(2000000000)}));
    must(s.spend_nonce("nonce", at(2000000000), at(1)));
    must(s.put_push_channel({"ch", "c", "a", "res", "v1.tok", at(2000000000)}));
}

}  // namespace

TEST_CASE("sqlite store: everything persists across a reopen", "[sqlite]") {
    TempDir dir;
    const std::string path = dir.file("state.db");
    std::vector<Event> before;
    {
        auto s = open(path);
        fill(*s);
        before = must(s->load_events("c", "a"));
    }
    auto s = open(path);
    CHECK(must(s->get_connection("c")).sealed_credentials == "v1.sealed-c");
    CHECK(must(s->get_calendar("c", "a")).cursor == "cursor-1");
    const auto after = must(s->load_events("c", "a"));
    REQUIRE(after.size() == before.size());
    for (std::size_t i = 0; i < after.size(); ++i)
        CHECK(calsync::test::event_difference(before[i], after[i]) == "");
    CHECK(must(s->get_appointment("ap1")).revision == 1);
    CHECK(must(s->get_export({"ap1", "c", "a"})).intent == ExportIntent::create);
    CHECK(must(s->get_connection_status("c")).last_error == "HTTP 503");
    CHECK(must(s->list_calendar_statuses("c")).at("a").state == SyncState::error);
    CHECK_FALSE(must(s->spend_nonce("nonce", at(2000000000), at(2))));
    CHECK(must(s->take_pending_authorization("state", at(3))).sealed_code_verifier ==
          "v1.verifier");
    CHECK(must(s->get_push_channel("ch")).resource_id == "res");
}

TEST_CASE("sqlite store: WAL journal, enforced foreign keys, a clean integrity check", "[sqlite]") {
    TempDir dir;
    const std::string path = dir.file("state.db");
    auto s = open(path);
    fill(*s);
    SqliteProbe probe(path);
    CHECK(probe.value("PRAGMA journal_mode") == "wal");  // WAL is a property of the file
    CHECK(probe.value("PRAGMA user_version") == "9");
    CHECK(probe.value("PRAGMA integrity_check") == "ok");
    CHECK(probe.value("PRAGMA foreign_key_check") == "");
    CHECK(probe.value("SELECT count(*) FROM events") == "50");
    // The store's own connection enforces foreign keys: the cascade removed the rows.
    must(s->remove_connection("c"));
    CHECK(probe.value("SELECT count(*) FROM events") == "0");
    CHECK(probe.value("SELECT count(*) FROM calendar_status") == "0");
    CHECK(probe.value("SELECT count(*) FROM push_channels") == "0");
    CHECK(probe.value("SELECT count(*) FROM exports") == "0");
    CHECK(probe.value("SELECT count(*) FROM appointments") == "1");
}

TEST_CASE("sqlite store: hosts read blocked slots by SQL from calsync_blocked_slots", "[sqlite]") {
    TempDir dir;
    const std::string path = dir.file("state.db");
    auto s = open_with_calendar(path);
    SlotChanges slots;
    slots.replace_all = true;
    BlockedSlot busy;
    busy.range = {at(1775000000), at(1775003600)};
    busy.event_id = "e1";
    busy.recurrence_id = at(1775000000);
    busy.label = "Workshop";
    busy.tentative = true;
    slots.slots = {busy};
    must(s->apply_slot_changes("c", "a", slots));
    SqliteProbe probe(path);
    CHECK(probe.value("SELECT business_id || '|' || connection_id || '|' || calendar_id || '|' || "
                      "event_id || '|' || start_at || '|' || end_at || '|' || label || '|' || "
                      "tentative FROM calsync_blocked_slots") ==
          "default|c|a|e1|1775000000|1775003600|Workshop|1");
}

TEST_CASE("sqlite store: slots kept by version 5 are read in full after the migration",
          "[sqlite]") {
    // Version 8 reads the slots overlapping a range from range.start minus the longest slot
    // on: the migration must know the longest slot of slots kept before it.
    TempDir dir;
    const std::string path = dir.file("state.db");
    {
        auto s = open_with_calendar(path);
        SlotChanges slots;
        slots.replace_all = true;
        BlockedSlot away;  // a fortnight
        away.range = {at(1775000000), at(1775000000 + 14 * 86400)};
        away.event_id = "away";
        slots.slots = {away};
        must(s->apply_slot_changes("c", "a", slots));
    }
    SqliteProbe(path).exec(std::string(test::kUndoSinceRequestBudgets) + "PRAGMA user_version = 5");
    auto s = open(path);
    CHECK(SqliteProbe(path).value("PRAGMA user_version") == "9");
    const auto held =
        must(s->list_blocked_slots({at(1775000000 + 10 * 86400), at(1775000000 + 11 * 86400)}));
    REQUIRE(held.size() == 1);
    CHECK(held[0].slot.event_id == "away");
    // Kept before windows were: none is known, so the next sync writes the calendar whole.
    CHECK_FALSE(must(s->find_slot_window("c", "a")).has_value());
}

TEST_CASE("sqlite store: the file and its journal are the owner's alone, whatever the umask",
          "[sqlite]") {
    // The store holds sealed credentials and the appointments' clients: a host running
    // with umask 000 (a container default) must not get a world-readable database.
    TempDir dir;
    const std::string path = dir.file("state.db");
    const mode_t before = umask(0);
    {
        auto s = open(path);
        fill(*s);
        // While the store is open, its WAL journal and shared-memory index exist.
        for (const std::string& file : {path, path + "-wal", path + "-shm"}) {
            struct stat st {};
            INFO(file);
            REQUIRE(stat(file.c_str(), &st) == 0);
            CHECK((st.st_mode & 0777) == 0600);
        }
    }
    umask(before);
}

TEST_CASE("sqlite store: a version 1 database is migrated and keeps its data", "[sqlite]") {
    TempDir dir;
    const std::string path = dir.file("old.db");
    {
        SqliteProbe probe(path);
        probe.exec(read_text(CALSYNC_STORE_DATA_DIR "/calsync_v1.sql"));
        REQUIRE(probe.value("PRAGMA user_version") == "1");
    }
    auto s = open(path);
    CHECK(SqliteProbe(path).value("PRAGMA user_version") == "9");
    // Its records became the default business's, and only that business's.
    CHECK(SqliteProbe(path).value("SELECT count(*) FROM connections WHERE business_id = "
                                  "'default'") == "1");
    SqliteStoreOptions other;
    other.business_id = "other";
    auto o = must(open_sqlite_store(path, other));
    CHECK(must(o->list_connections()).empty());
    CHECK(must(o->list_appointments()).empty());
    const ConnectionRecord c = must(s->get_connection("c1"));
    CHECK(c.sealed_credentials == "v1.sealed-credentials");
    const CalendarRecord cal = must(s->get_calendar("c1", "work"));
    CHECK(cal.cursor == "http://example.com/sync/42");
    CHECK(cal.direction == CalendarDirection::both);
    CHECK(cal.policy.tentative_blocks);
    CHECK_FALSE(cal.policy.unanswered_blocks);
    const auto events = must(s->load_events("c1", "work"));
    REQUIRE(events.size() == 1);
    CHECK(events[0].summary == "MOT");
    CHECK(events[0].etag == "\"7\"");
    CHECK(events[0].start.zone->name() == "Europe/Berlin");
    CHECK(must(s->get_export({"ap1", "c1", "work"})).etag == "\"e1\"");
    CHECK(must(s->get_export({"ap1", "c1", "work"})).generation == 0);  // its first event
    CHECK(must(s->get_connection_status("c1")).next_due == at(1774991800));
    CHECK(must(s->put_appointment(appointment("ap2"), at(9))).revision == 2);
    // What version 2 added works on the migrated file.
    must(s->put_calendar_status("c1", "work", SyncStatus{}));
    must(s->put_push_channel({"ch", "c1", "work", "r", "t", at(10)}));
    must(s->put_pending_authorization({"st", "c1", "v", at(10)}));
    CHECK(must(s->spend_nonce("n", at(10), at(1))));
    CHECK(SqliteProbe(path).value("PRAGMA integrity_check") == "ok");
}

TEST_CASE("sqlite store: refuses a newer schema, another program's file and a non-database",
          "[sqlite]") {
    TempDir dir;
    SECTION("a database from a newer calsync") {
        const std::string path = dir.file("newer.db");
        { open(path); }
        SqliteProbe(path).exec("PRAGMA user_version = 10");
        auto s = open_sqlite_store(path);
        REQUIRE_FALSE(s.ok());
        CHECK(s.error().code == ErrorCode::invalid_argument);
        CHECK(s.error().message.find("schema version 10, newer than 9") != std::string::npos);
        CHECK(SqliteProbe(path).value("PRAGMA user_version") == "10");  // left as it was
    }
    SECTION("another application's database") {
        const std::string path = dir.file("other.db");
        SqliteProbe(path).exec("CREATE TABLE invoices (id INTEGER)");
        auto s = open_sqlite_store(path);
        REQUIRE_FALSE(s.ok());
        CHECK(s.error().message.find("another application") != std::string::npos);
        CHECK(SqliteProbe(path).value("SELECT count(*) FROM sqlite_master") == "1");
    }
    SECTION("a file that is not SQLite") {
        const std::string path = dir.file("junk.db");
        std::ofstream(path) << std::string(4096, 'x');
        auto s = open_sqlite_store(path);
        REQUIRE_FALSE(s.ok());
        CHECK(s.error().message.find("not a database") != std::string::npos);
    }
    SECTION("a directory that does not exist") {
        auto s = open_sqlite_store(dir.file("missing/state.db"));
        REQUIRE_FALSE(s.ok());
        CHECK(s.error().message.find("open '") != std::string::npos);
    }
}

TEST_CASE("sqlite store: a write failing halfway through a change set leaves nothing", "[sqlite]") {
    TempDir dir;
    const std::string path = dir.file("state.db");
    auto s = open(path);
    must(s->put_connection(connection_record("c")));
    must(s->put_calendar(calendar_record("c", "a")));
    must(s->apply_changes(
        "c", "a", upserts({timed_event("e1", 1775000000), timed_event("e2", 1775003600)}, "k1")));
    // The database refuses the third row, after the store has already written two.
    SqliteProbe(path).exec(
        "CREATE TRIGGER poison BEFORE INSERT ON events WHEN NEW.event_id = 'poison' "
        "BEGIN SELECT RAISE(ABORT, 'disk says no'); END");
    for (bool full : {false, true}) {
        ChangeSet bad = upserts({timed_event("e1", 1775000000, "changed"),
                                 timed_event("e3", 1775007200), timed_event("poison", 1775010800)},
                                "k2");
        bad.removals = {"e2"};
        bad.full_resync = full;
        auto r = s->apply_changes("c", "a", bad);
        REQUIRE_FALSE(r.ok());
        CHECK(r.error().message.find("could not store a calendar's changes: ") !=
              std::string::npos);
        CHECK(r.error().message.find("disk says no") != std::string::npos);
        const auto events = must(s->load_events("c", "a"));
        REQUIRE(events.size() == 2);
        CHECK(events[0].summary == "event e1");
        CHECK(events[1].id == "e2");
        CHECK(must(s->get_calendar("c", "a")).cursor == "k1");
    }
    // And the store carries on.
    must(s->apply_changes("c", "a", upserts({timed_event("e3", 1775007200)}, "k3")));
    CHECK(must(s->load_events("c", "a")).size() == 3);
}

TEST_CASE("sqlite store: errors name the operation, never the credentials", "[sqlite]") {
    TempDir dir;
    const std::string path = dir.file("state.db");
    auto s = open(path);
    ConnectionRecord c = connection_record("c");
    c.sealed_credentials = "v1.SECRET-TOKEN-VALUE";
    must(s->put_connection(c));
    SqliteProbe(path).exec(
        "CREATE TRIGGER frozen BEFORE UPDATE ON connections "
        "BEGIN SELECT RAISE(ABORT, 'read-only'); END");
    for (const Result<void>& r :
         {s->put_connection(c), s->set_credentials("c", "v1.SECRET-TOKEN-VALUE")}) {
        REQUIRE_FALSE(r.ok());
        INFO(r.error().message);
        CHECK(r.error().message.find("sqlite store: could not ") == 0);
        CHECK(r.error().message.find("SECRET") == std::string::npos);
    }
}

TEST_CASE("sqlite store: two stores on one file see each other and wait for each other",
          "[sqlite]") {
    TempDir dir;
    const std::string path = dir.file("state.db");
    auto first = open(path);
    auto second = open(path);
    must(first->put_connection(connection_record("c")));
    CHECK(must(second->get_connection("c")).id == "c");

    // `second` writes while `first` holds a transaction: it waits (busy timeout) instead
    // of failing, and lands after the transaction's commit.
    std::promise<void> inside;
    Result<void> held;
    std::thread holder([&] {
        held = first->transaction([&]() -> Result<void> {
            auto put = first->put_appointment(appointment("held"), at(1));
            inside.set_value();
            std::this_thread::sleep_for(std::chrono::milliseconds(200));
            if (!put.ok())
                return put.error();
            return {};
        });
    });
    inside.get_future().wait();
    auto written = second->put_appointment(appointment("waiting"), at(2));
    holder.join();
    CHECK(held.ok());
    REQUIRE(written.ok());
    CHECK(written->revision == 2);  // after `held`, which committed first
    CHECK(must(first->list_appointments()).size() == 2);
}

TEST_CASE("sqlite store: a zone the calendar defined is stored once, not in every event",
          "[sqlite]") {
    // Issue 16, item 4: an event in a zone that is not IANA's stored the zone's whole
    // definition in its own row (17 KB an event as a transition table).
    TempDir dir;
    const std::string path = dir.file("state.db");
    auto s = open(path);
    must(s->put_connection(connection_record("c")));
    must(s->put_calendar(calendar_record("c", "a")));
    const std::string definition = std::string(
        "BEGIN:VTIMEZONE\r\nTZID:W. Europe Standard Time\r\nBEGIN:STANDARD\r\n"
        "DTSTART:16010101T030000\r\nTZOFFSETFROM:+0200\r\nTZOFFSETTO:+0100\r\n"
        "RRULE:FREQ=YEARLY;INTERVAL=1;BYDAY=-1SU;BYMONTH=10\r\nEND:STANDARD\r\n"
        "BEGIN:DAYLIGHT\r\nDTSTART:16010101T020000\r\nTZOFFSETFROM:+0100\r\n"
        "TZOFFSETTO:+0200\r\nRRULE:FREQ=YEARLY;INTERVAL=1;BYDAY=-1SU;BYMONTH=3\r\n"
        "END:DAYLIGHT\r\nEND:VTIMEZONE\r\n");
    const ZonePtr zone = ical::zone_from_definition(definition).value();
    std::vector<Event> events;
    for (int i = 0; i < 100; ++i) {
        Event e = timed_event("e" + std::to_string(100 + i), 1775000000);
        e.start = EventTime::in_zone({{2026, 7, 1}, 10, 0, 0}, zone, "W. Europe Standard Time");
        e.end = EventTime::in_zone({{2026, 7, 1}, 11, 0, 0}, zone, "W. Europe Standard Time");
        events.push_back(e);
    }
    must(s->apply_changes("c", "a", upserts(events, "k")));
    SqliteProbe probe(path);
    CHECK(probe.value("SELECT count(*) FROM zone_definitions") == "1");
    CHECK(probe.value("SELECT count(*) FROM events WHERE body LIKE '%BEGIN:VTIMEZONE%'") == "0");
    CHECK(probe.value("SELECT count(*) FROM events WHERE body LIKE '%\"stored\":%'") == "100");
    // Reopened (no cache), the events come back in their zone.
    s.reset();
    auto reopened = open(path);
    const auto back = must(reopened->load_events("c", "a"));
    REQUIRE(back.size() == 100);
    CHECK(back[0].start.zone->definition() == definition);
    CHECK(back[99].end->zone->offset_at(at(1782900000)) == 7200);
}
