// Zone definitions no stored event references any more are collected (issue 16, item 4):
// removing, replacing or resyncing events, disconnecting or removing a connection deletes
// the zone_definitions rows only the events that went used, in the same transaction, and
// never a row another calendar, connection or business still uses. The SQL stores only:
// the memory store keeps no definitions apart from its events.
#include <catch2/catch.hpp>
#include <map>
#include <string>
#include <thread>
#include <vector>

#include "core/vtimezone.hpp"
#include "sqlite_probe.hpp"
#include "store_fixtures.hpp"

using namespace calsync;
using calsync::test::calendar_record;
using calsync::test::connection_record;
using calsync::test::must;
using calsync::test::timed_event;
using calsync::test::upserts;

namespace {

// A zone the calendar defines (Exchange's Berlin), under a name of its own: each name is
// another definition text, as a sender's new tzdata makes one.
std::string zone_text(const std::string& tzid) {
    return "BEGIN:VTIMEZONE\r\nTZID:" + tzid +
           "\r\nBEGIN:STANDARD\r\n"
           "DTSTART:16010101T030000\r\nTZOFFSETFROM:+0200\r\nTZOFFSETTO:+0100\r\n"
           "RRULE:FREQ=YEARLY;INTERVAL=1;BYDAY=-1SU;BYMONTH=10\r\nEND:STANDARD\r\n"
           "BEGIN:DAYLIGHT\r\nDTSTART:16010101T020000\r\nTZOFFSETFROM:+0100\r\n"
           "TZOFFSETTO:+0200\r\nRRULE:FREQ=YEARLY;INTERVAL=1;BYDAY=-1SU;BYMONTH=3\r\n"
           "END:DAYLIGHT\r\nEND:VTIMEZONE\r\n";
}

Event zoned_event(const std::string& id, const std::string& tzid) {
    const ZonePtr zone = must(ical::zone_from_definition(zone_text(tzid)));
    Event e = timed_event(id, 1775000000);
    e.start = EventTime::in_zone({{2026, 7, 1}, 10, 0, 0}, zone, tzid);
    e.end = EventTime::in_zone({{2026, 7, 1}, 11, 0, 0}, zone, tzid);
    return e;
}

ChangeSet removal(const std::string& id, const std::string& cursor) {
    ChangeSet c;
    c.removals = {id};
    c.next_cursor = cursor;
    return c;
}

// The first value `sql` yields (or "" for none), run behind the store's back.
std::string probe(test::SqliteFleetFixture& f, const std::string& sql) {
    test::SqliteProbe db(f.dir.file("fleet.db"));
    if (sql.rfind("SELECT", 0) != 0) {
        db.exec(sql);
        return {};
    }
    return db.value(sql);
}

#ifdef CALSYNC_TEST_POSTGRES
std::string probe(test::PostgresFleetFixture& f, const std::string& sql) {
    std::unique_ptr<PGconn, decltype(&PQfinish)> db(PQconnectdb(f.conninfo.c_str()), &PQfinish);
    REQUIRE(PQstatus(db.get()) == CONNECTION_OK);
    std::unique_ptr<PGresult, decltype(&PQclear)> r(PQexec(db.get(), sql.c_str()), &PQclear);
    INFO(PQerrorMessage(db.get()));
    REQUIRE((PQresultStatus(r.get()) == PGRES_TUPLES_OK ||
             PQresultStatus(r.get()) == PGRES_COMMAND_OK));
    return PQntuples(r.get()) > 0 ? PQgetvalue(r.get(), 0, 0) : "";
}
#define CALSYNC_ZONE_FIXTURES calsync::test::SqliteFleetFixture, calsync::test::PostgresFleetFixture
#else
#define CALSYNC_ZONE_FIXTURES calsync::test::SqliteFleetFixture
#endif

template <class Fixture>
int zone_rows(Fixture& f) {
    return std::stoi(probe(f, "SELECT count(*) FROM zone_definitions"));
}

// Takes the store back to the schema before event_zones (SQLite 4, PostgreSQL 1), with a
// definition no event refers to, as that version left them (without the tables of the
// later versions either, which the migration makes again).
void to_version_without_event_zones(test::SqliteFleetFixture& f) {
    probe(f, std::string(test::kUndoSinceRequestBudgets) +
                 "DROP TABLE event_zones; PRAGMA user_version = 4");
}

void reopen(test::SqliteFleetFixture& f) {
    f.fleet = test::SqliteFleetFixture::open(f.dir.file("fleet.db"));
}

#ifdef CALSYNC_TEST_POSTGRES
void to_version_without_event_zones(test::PostgresFleetFixture& f) {
    probe(f, std::string(test::kUndoSinceRequestBudgets) +
                 "DROP TABLE event_zones; UPDATE calsync_schema_version SET version = 1");
}

void reopen(test::PostgresFleetFixture& f) {
    f.fleet = test::PostgresFleetFixture::open(f.conninfo);
}
#endif

// Connection `connection` with calendar "a" (and "b").
void seed(StateStore& s, const std::string& connection) {
    must(s.put_connection(connection_record(connection, ProviderKind::caldav, connection + "@x")));
    must(s.put_calendar(calendar_record(connection, "a")));
    must(s.put_calendar(calendar_record(connection, "b")));
}

}  // namespace

TEMPLATE_TEST_CASE(
    "zone definitions: one two calendars use stays with the first removal, goes "
    "with the second",
    "[zones]", CALSYNC_ZONE_FIXTURES) {
    TestType f;
    auto s = must(f.fleet->open_business("garage-a"));
    seed(*s, "c");
    must(s->apply_changes("c", "a", upserts({zoned_event("e1", "Garage Zone")}, "k1")));
    must(s->apply_changes("c", "b", upserts({zoned_event("e2", "Garage Zone")}, "k1")));
    REQUIRE(zone_rows(f) == 1);

    must(s->apply_changes("c", "a", removal("e1", "k2")));
    CHECK(zone_rows(f) == 1);
    REQUIRE(must(s->load_events("c", "b")).size() == 1);

    SECTION("an incremental removal") {
        must(s->apply_changes("c", "b", removal("e2", "k2")));
        CHECK(zone_rows(f) == 0);
    }
    SECTION("a full resync without it") {
        must(s->apply_changes("c", "b", upserts({timed_event("e3", 1775000000)}, "k2", true)));
        CHECK(zone_rows(f) == 0);
        CHECK(must(s->load_events("c", "b")).size() == 1);
    }
    SECTION("the calendar's removal") {
        must(s->remove_calendar("c", "b"));
        CHECK(zone_rows(f) == 0);
    }
}

TEMPLATE_TEST_CASE("zone definitions: replacing an event's zone text leaves one definition",
                   "[zones]", CALSYNC_ZONE_FIXTURES) {
    TestType f;
    auto s = must(f.fleet->open_business("garage-a"));
    seed(*s, "c");
    must(s->apply_changes("c", "a", upserts({zoned_event("e1", "Zone 2025a")}, "k1")));
    REQUIRE(zone_rows(f) == 1);
    SECTION("by an incremental upsert") {
        must(s->apply_changes("c", "a", upserts({zoned_event("e1", "Zone 2025b")}, "k2")));
    }
    SECTION("by a full resync") {
        must(s->apply_changes("c", "a", upserts({zoned_event("e1", "Zone 2025b")}, "k2", true)));
    }
    CHECK(zone_rows(f) == 1);
    const auto back = must(s->load_events("c", "a"));
    REQUIRE(back.size() == 1);
    CHECK(back[0].start.zone->definition() ==
          must(ical::zone_from_definition(zone_text("Zone 2025b")))->definition());
}

TEMPLATE_TEST_CASE(
    "zone definitions: a connection's disconnection or removal takes the ones "
    "only its events used",
    "[zones]", CALSYNC_ZONE_FIXTURES) {
    TestType f;
    auto s = must(f.fleet->open_business("garage-a"));
    seed(*s, "c1");
    seed(*s, "c2");
    must(s->apply_changes(
        "c1", "a", upserts({zoned_event("e1", "Only C1"), zoned_event("e2", "Shared")}, "k1")));
    must(s->apply_changes("c1", "b", upserts({zoned_event("e3", "Only C1 too")}, "k1")));
    must(s->apply_changes("c2", "a", upserts({zoned_event("e4", "Shared")}, "k1")));
    REQUIRE(zone_rows(f) == 3);

    SECTION("disconnected") {
        must(s->disconnect_connection("c1"));
    }
    SECTION("removed") {
        must(s->remove_connection("c1"));
    }
    CHECK(zone_rows(f) == 1);
    CHECK(must(s->load_events("c2", "a")).size() == 1);
    must(s->remove_connection("c2"));
    CHECK(zone_rows(f) == 0);
}

TEMPLATE_TEST_CASE("zone definitions: one business's removal keeps what another business uses",
                   "[zones][isolation]", CALSYNC_ZONE_FIXTURES) {
    TestType f;
    auto a = must(f.fleet->open_business("garage-a"));
    auto b = must(f.fleet->open_business("garage-b"));
    seed(*a, "c");
    seed(*b, "c");  // the same ids in both businesses
    must(a->apply_changes("c", "a", upserts({zoned_event("e1", "Romance Standard Time")}, "k1")));
    must(b->apply_changes("c", "a", upserts({zoned_event("e1", "Romance Standard Time")}, "k1")));
    REQUIRE(zone_rows(f) == 1);  // shared by every business: stored once

    must(a->apply_changes("c", "a", removal("e1", "k2")));
    CHECK(zone_rows(f) == 1);
    must(a->remove_connection("c"));
    CHECK(zone_rows(f) == 1);
    const auto back = must(b->load_events("c", "a"));
    REQUIRE(back.size() == 1);
    CHECK(back[0].start.tzid == "Romance Standard Time");

    must(b->remove_connection("c"));
    CHECK(zone_rows(f) == 0);
}

TEMPLATE_TEST_CASE(
    "zone definitions: the migration finds the references of events stored "
    "before, and deletes the definitions none refers to",
    "[zones][migration]", CALSYNC_ZONE_FIXTURES) {
    TestType f;
    {
        auto s = must(f.fleet->open_business("garage-a"));
        seed(*s, "c");
        must(s->apply_changes(
            "c", "a", upserts({zoned_event("e1", "Kept"), zoned_event("e2", "Gone")}, "k1")));
        must(s->apply_changes("c", "b", upserts({zoned_event("e3", "Kept")}, "k1")));
        must(s->apply_changes("c", "a", removal("e2", "k2")));
    }
    f.fleet.reset();
    to_version_without_event_zones(f);
    probe(f, "INSERT INTO zone_definitions (id, definition) VALUES ('orphan', '{\"tzid\":\"x\"}')");
    REQUIRE(zone_rows(f) == 2);

    reopen(f);
    CHECK(zone_rows(f) == 1);
    CHECK(probe(f, "SELECT count(*) FROM event_zones") == "2");
    auto s = must(f.fleet->open_business("garage-a"));
    CHECK(must(s->load_events("c", "b")).size() == 1);  // its zone is still there
    must(s->apply_changes("c", "a", removal("e1", "k3")));
    CHECK(zone_rows(f) == 1);
    must(s->remove_calendar("c", "b"));
    CHECK(zone_rows(f) == 0);
}

TEMPLATE_TEST_CASE(
    "zone definitions: two processes referring to and releasing one zone at once "
    "never lose it",
    "[zones][concurrency]", CALSYNC_ZONE_FIXTURES) {
    TestType f;
    auto a = must(f.fleet->open_business("garage-a"));
    auto b = must(f.second().open_business("garage-b"));  // another connection, as a worker
    seed(*a, "c");
    seed(*b, "c");
    const Event event = zoned_event("e1", "Romance Standard Time");
    // Each business stores then removes an event in the same zone, over and over: one's
    // collection must never take the row the other's write refers to.
    auto churn = [&event](StateStore& s, std::vector<std::string>* failures) {
        for (int i = 0; i < 40; ++i) {
            const std::string n = std::to_string(i);
            auto stored = s.apply_changes("c", "a", upserts({event}, "s" + n));
            auto back = s.load_events("c", "a");
            auto removed = s.apply_changes("c", "a", removal("e1", "r" + n));
            for (const Error* e :
                 {stored.ok() ? nullptr : &stored.error(), back.ok() ? nullptr : &back.error(),
                  removed.ok() ? nullptr : &removed.error()})
                if (e != nullptr)
                    failures->push_back(e->message);
            if (back.ok() && back->size() != 1)
                failures->push_back("round " + n + ": " + std::to_string(back->size()) +
                                    " events read");
        }
    };
    std::vector<std::string> failures_a;
    std::vector<std::string> failures_b;
    std::thread other([&] { churn(*b, &failures_b); });
    churn(*a, &failures_a);
    other.join();
    CHECK(failures_a == std::vector<std::string>{});  // Catch prints what failed
    CHECK(failures_b == std::vector<std::string>{});
    CHECK(zone_rows(f) == 0);
}

TEMPLATE_TEST_CASE(
    "zone definitions: thousands of events, some in zones, stored and changed a set at a time",
    "[zones]", CALSYNC_ZONE_FIXTURES) {
    TestType f;
    auto s = must(f.fleet->open_business("garage-a"));
    seed(*s, "c");
    const std::vector<std::string>& texts = test::misreadable_texts();
    auto text = [&texts](int i) { return texts[static_cast<std::size_t>(i) % texts.size()]; };
    // Every 250th event in a zone of its calendar's own (two texts in all): its write
    // refers to a stored definition, the others' do not.
    auto made = [&text](int i, const std::string& version) {
        const std::string id = text(i) + "#" + std::to_string(i);
        Event e = i % 250 == 0 ? zoned_event(id, "Garage Zone " + std::to_string(i % 500))
                               : timed_event(id, 1775000000 + i * 600);
        e.summary = version + " " + text(i / 3);
        return e;
    };
    auto summaries = [](const std::vector<Event>& events) {
        std::map<std::string, std::string> out;
        for (const Event& e : events)
            out[e.id] = e.summary;
        return out;
    };
    // More events than PostgreSQL takes in one statement (1,000).
    std::vector<Event> first;
    for (int i = 0; i < 2300; ++i)
        first.push_back(made(i, "v1"));
    auto stored = must(s->apply_changes("c", "a", upserts(first, "k1")));
    CHECK(stored.upserted.size() == first.size());
    CHECK(summaries(must(s->load_events("c", "a"))) == summaries(first));
    CHECK(zone_rows(f) == 2);

    // Every third event changed, the zoned ones moved out of their zone, the rest sent
    // again as they are, and 50 new ones.
    std::vector<Event> next;
    std::size_t changed = 0;
    for (int i = 0; i < 2350; ++i) {
        if (i % 250 == 0 && i < 2300) {
            Event e = timed_event(text(i) + "#" + std::to_string(i), 1775000000);
            e.summary = "v2 out of its zone";
            next.push_back(e);
        } else {
            next.push_back(made(i, i % 3 == 0 || i >= 2300 ? "v2" : "v1"));
        }
        changed += i % 250 == 0 || i % 3 == 0 || i >= 2300 ? 1 : 0;
    }
    auto applied = must(s->apply_changes("c", "a", upserts(next, "k2")));
    CHECK(applied.upserted.size() == changed);
    CHECK(applied.unchanged == next.size() - changed);
    CHECK(applied.removed.empty());
    CHECK(summaries(must(s->load_events("c", "a"))) == summaries(next));
    CHECK(zone_rows(f) == 0);
}
