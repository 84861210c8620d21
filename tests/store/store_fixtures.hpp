// The stores the conformance suite runs against, small record builders, and the checks
// the store tests share.
#pragma once

#include <catch2/catch.hpp>
#include <memory>
#include <string>
#include <vector>

#include "calsync/fleet.hpp"
#include "calsync/store.hpp"
#include "temp_dir.hpp"
#ifdef CALSYNC_TEST_POSTGRES
#include "pg_test_server.hpp"
#endif

namespace calsync::test {

struct MemoryStoreFixture {
    std::unique_ptr<StateStore> store = make_memory_store();
};

struct SqliteStoreFixture {
    TempDir dir;
    std::unique_ptr<StateStore> store;
    SqliteStoreFixture() {
        auto opened = open_sqlite_store(dir.file("state.db"));
        if (!opened.ok())
            throw std::runtime_error(opened.error().message);
        store = std::move(opened).value();
    }
};

// Fleets (many businesses, the workers' queue) of every kind. `reopen()` gives another
// FleetStore on the same storage, as a second worker process would have.
struct MemoryFleetFixture {
    std::unique_ptr<FleetStore> fleet = make_memory_fleet();
    // Memory has no second process: the same fleet, shared.
    FleetStore& second() { return *fleet; }
};

struct SqliteFleetFixture {
    TempDir dir;
    std::unique_ptr<FleetStore> fleet = open(dir.file("fleet.db"));
    std::unique_ptr<FleetStore> other;
    FleetStore& second() {
        if (!other)
            other = open(dir.file("fleet.db"));
        return *other;
    }
    static std::unique_ptr<FleetStore> open(const std::string& path) {
        auto opened = open_sqlite_fleet(path);
        if (!opened.ok())
            throw std::runtime_error(opened.error().message);
        return std::move(opened).value();
    }
};

#ifdef CALSYNC_TEST_POSTGRES
struct PostgresFleetFixture {
    std::string conninfo = PostgresTestServer::shared().new_database();
    std::unique_ptr<FleetStore> fleet = open(conninfo);
    std::unique_ptr<FleetStore> other;
    FleetStore& second() {
        if (!other)
            other = open(conninfo);
        return *other;
    }
    static std::unique_ptr<FleetStore> open(const std::string& conninfo) {
        auto opened = open_postgres_fleet(conninfo);
        if (!opened.ok())
            throw std::runtime_error(opened.error().message);
        return std::move(opened).value();
    }
};
#define CALSYNC_FLEET_FIXTURES                                            \
    calsync::test::MemoryFleetFixture, calsync::test::SqliteFleetFixture, \
        calsync::test::PostgresFleetFixture
#else
#define CALSYNC_FLEET_FIXTURES calsync::test::MemoryFleetFixture, calsync::test::SqliteFleetFixture
#endif

#ifdef CALSYNC_TEST_POSTGRES
// A store on a database of its own on the tests' PostgreSQL server (pg_test_server.hpp).
struct PostgresStoreFixture {
    std::string conninfo = PostgresTestServer::shared().new_database();
    std::unique_ptr<StateStore> store;
    PostgresStoreFixture() {
        auto opened = open_postgres_store(conninfo);
        if (!opened.ok())
            throw std::runtime_error(opened.error().message);
        store = std::move(opened).value();
    }
};
// Every store kind, for TEMPLATE_TEST_CASE.
#define CALSYNC_STORE_FIXTURES                                            \
    calsync::test::MemoryStoreFixture, calsync::test::SqliteStoreFixture, \
        calsync::test::PostgresStoreFixture
#else
#define CALSYNC_STORE_FIXTURES calsync::test::MemoryStoreFixture, calsync::test::SqliteStoreFixture
#endif

// SQL that takes a database's later schema versions back off (SQLite 6 on, PostgreSQL 3 on:
// the tables and the index they added), for tests that migrate from an older version.
inline constexpr const char* kUndoSinceRequestBudgets =
    "DROP TABLE request_budgets; DROP TABLE business_settings; DROP TABLE slot_windows; "
    "DROP INDEX work_queue_by_claim_order; CREATE INDEX work_queue_by_due ON work_queue "
    "(due_at); ";

inline Instant at(std::int64_t unix_seconds) {
    return instant_from_unix(unix_seconds);
}

inline ConnectionRecord connection_record(const std::string& id,
                                          ProviderKind kind = ProviderKind::caldav,
                                          const std::string& account = "me@example.com") {
    ConnectionRecord c;
    c.id = id;
    c.kind = kind;
    c.account = account;
    c.settings_json = R"({"url":"https://dav.example.com/"})";
    c.sealed_credentials = "v1.sealed-" + id;
    c.created_at = at(1770000000);
    return c;
}

inline CalendarRecord calendar_record(const std::string& connection_id, const std::string& id,
                                      CalendarDirection direction = CalendarDirection::both) {
    CalendarRecord c;
    c.connection_id = connection_id;
    c.calendar.id = id;
    c.calendar.name = "Calendar " + id;
    c.calendar.color = "#3366ff";
    c.calendar.time_zone = "Europe/Berlin";
    c.calendar.can_write = true;
    c.selected = true;
    c.direction = direction;
    c.policy.tentative_blocks = false;
    return c;
}

inline Event timed_event(const std::string& id, std::int64_t start,
                         const std::string& summary = {}) {
    Event e;
    e.id = id;
    e.uid = id + "@example.com";
    e.summary = summary.empty() ? "event " + id : summary;
    e.start = EventTime::at_utc(at(start));
    e.end = EventTime::at_utc(at(start + 3600));
    return e;
}

inline Appointment appointment(const std::string& id, std::int64_t start = 1775000000) {
    Appointment a;
    a.id = id;
    a.time = {at(start), at(start + 5400)};
    a.client = "Ann Example";
    a.service = "Oil change";
    a.vehicle = "VW Golf";
    return a;
}

template <class T>
T must(Result<T> r) {
    INFO((r.ok() ? std::string() : r.error().message));
    REQUIRE(r.ok());
    return std::move(r).value();
}

inline void must(const Result<void>& r) {
    INFO((r.ok() ? std::string() : r.error().message));
    REQUIRE(r.ok());
}

template <class R>
void fails_with(const R& r, ErrorCode code, const std::string& part) {
    REQUIRE_FALSE(r.ok());
    INFO(r.error().message);
    CHECK(r.error().code == code);
    CHECK(r.error().message.find(part) != std::string::npos);
}

inline ChangeSet upserts(std::vector<Event> events, const std::string& cursor, bool full = false) {
    ChangeSet c;
    c.upserts = std::move(events);
    c.next_cursor = cursor;
    c.full_resync = full;
    return c;
}

// Texts an array literal or a statement could misread, for ids, labels and summaries:
// quotes, backslashes, braces, commas, the word NULL, blanks, a tab, multi-byte UTF-8.
inline const std::vector<std::string>& misreadable_texts() {
    static const std::vector<std::string> texts = {"plain",
                                                   "\"",
                                                   "\\",
                                                   "{a,b}",
                                                   "NULL",
                                                   "null",
                                                   "a\"b\\c",
                                                   "x,y",
                                                   "}{",
                                                   " spaced ",
                                                   "\xc3\xa9\xe6\xbc\xa2\xf0\x9f\x99\x82",
                                                   "'quote'",
                                                   "tab\there"};
    return texts;
}

}  // namespace calsync::test
