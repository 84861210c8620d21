// The cached external events on SQLite: a ChangeSet and its cursor in one transaction.
#include "core/event_json.hpp"
#include "store/change_application.hpp"
#include "store/sqlite_rows.hpp"
#include "store/sqlite_store.hpp"
#include "store/store_checks.hpp"

namespace calsync::store {
namespace {

constexpr const char* kApply = "apply_changes";

// One calendar's rows in `events`, as change_application's Table.
struct EventRows {
    Database& db;
    const std::string& connection_id;
    const std::string& calendar_id;

    Result<std::optional<std::string>> body(const std::string& id) {
        auto q = db.query(
            "SELECT body FROM events WHERE connection_id = ? AND calendar_id = ? AND event_id = ?",
            kApply);
        if (!q.ok())
            return q.error();
        auto row = q->bind(connection_id).bind(calendar_id).bind(id).step();
        if (!row.ok())
            return row.error();
        return row.value() ? std::optional<std::string>(q->text(0)) : std::nullopt;
    }

    Result<std::vector<std::string>> ids() {
        auto q = db.query("SELECT event_id FROM events WHERE connection_id = ? AND calendar_id = ?",
                          kApply);
        if (!q.ok())
            return q.error();
        return q->bind(connection_id).bind(calendar_id).collect(read_text);
    }

    Result<void> write(const PreparedEvent& e) {
        auto q = db.query(
            "INSERT INTO events (connection_id, calendar_id, event_id, body) VALUES (?, ?, ?, ?) "
            "ON CONFLICT (connection_id, calendar_id, event_id) DO UPDATE SET body = excluded.body",
            kApply);
        if (!q.ok())
            return q.error();
        return q->bind(connection_id).bind(calendar_id).bind(e.event.id).bind(e.body).run();
    }

    Result<bool> erase(const std::string& id) {
        auto q = db.query(
            "DELETE FROM events WHERE connection_id = ? AND calendar_id = ? AND event_id = ?",
            kApply);
        if (!q.ok())
            return q.error();
        auto done = q->bind(connection_id).bind(calendar_id).bind(id).run();
        if (!done.ok())
            return done.error();
        return q->changes() > 0;
    }
};

}  // namespace

Result<AppliedChanges> SqliteStore::apply_changes(const std::string& connection_id,
                                                  const std::string& calendar_id,
                                                  const ChangeSet& changes) {
    auto prepared = prepare_changes(calendar_id, changes);
    if (!prepared.ok())
        return prepared.error();
    Lock lock(mutex_);
    auto tx = db_.transaction(kApply);
    if (!tx.ok())
        return tx.error();
    auto known = require_calendar(kApply, connection_id, calendar_id);
    if (!known.ok())
        return known.error();
    EventRows rows{db_, connection_id, calendar_id};
    auto applied = apply_prepared(rows, prepared.value());
    if (!applied.ok())
        return applied.error();  // `tx` rolls back: nothing of the set stays
    auto q = db_.query(
        "UPDATE calendars SET cursor = ? WHERE connection_id = ? AND calendar_id = ?", kApply);
    if (!q.ok())
        return q.error();
    auto cursor = q->bind(prepared->cursor).bind(connection_id).bind(calendar_id).run();
    if (!cursor.ok())
        return cursor.error();
    auto committed = tx->commit();
    if (!committed.ok())
        return committed.error();
    return applied;
}

Result<std::vector<Event>> SqliteStore::load_events(const std::string& connection_id,
                                                    const std::string& calendar_id) {
    static const char* const kOperation = "load_events";
    Lock lock(mutex_);
    auto known = require_calendar(kOperation, connection_id, calendar_id);
    if (!known.ok())
        return known.error();
    auto q = db_.query(
        "SELECT event_id, body FROM events WHERE connection_id = ? AND calendar_id = ? "
        "ORDER BY event_id",
        kOperation);
    if (!q.ok())
        return q.error();
    json::EventReader reader;
    return q->bind(connection_id).bind(calendar_id).collect([&](const Query& row) -> Result<Event> {
        auto e = reader.read(row.text(1), calendar_id);
        if (!e.ok())
            return make_error(ErrorCode::parse, std::string(kOperation) + ": " +
                                                    calendar_key(connection_id, calendar_id) +
                                                    ": event '" + row.text(0) +
                                                    "': " + e.error().message);
        return e;
    });
}

}  // namespace calsync::store
