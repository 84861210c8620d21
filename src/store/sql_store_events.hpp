// SqlStore's cached external events: a ChangeSet and its cursor in one transaction
// (template definitions: included by sqlite_store.cpp and pg_store.cpp only).
#pragma once

#include <algorithm>
#include <functional>
#include <map>
#include <optional>
#include <set>

#include "core/event_json.hpp"
#include "store/change_application.hpp"
#include "store/sql_rows.hpp"
#include "store/sql_store.hpp"
#include "store/sql_store_records.hpp"  // sql_detail::kMoveCursorSql
#include "store/store_checks.hpp"
#include "store/stored_zones.hpp"

namespace calsync::store {
namespace sql_detail {

// load_events' statement, also one of read_export_inputs'.
constexpr const char* kLoadEventsSql =
    "SELECT event_id, body FROM events WHERE business_id = ? AND connection_id = ? AND "
    "calendar_id = ? ORDER BY event_id";
constexpr const char* kLoadEventsOperation = "read stored events";

constexpr const char* kApply = "store a calendar's changes";

// One calendar's rows in `events`, as change_application's Table. Bodies are stored with
// their large zones in zone_definitions (stored_zones.hpp) and come back whole.
template <class Db>
struct EventRows {
    Db& db;
    const std::string& business_id;
    const std::string& connection_id;
    const std::string& calendar_id;
    std::function<Result<std::string>(const std::string&)> zone;
    ZoneKeys zones_written{};          // in this transaction
    std::set<std::string> released{};  // zones removed or replaced events referred to
    // Whether an event may have rows in event_zones, so that its write or removal must look
    // for them: the one body() just read (apply_prepared writes right after) knows; else
    // whether the calendar had any when first asked (most calendars refer to no zone).
    std::string last_read{};
    bool last_read_refers = false;
    std::optional<bool> calendar_refers{};
    // PostgreSQL: the stored text of each id prefetch() was asked for (none when absent),
    // and the writes held back for finish(): a statement each cost about 20 us to execute
    // and a body read a round trip (the fleet benchmark's first syncs, ten events each).
    std::map<std::string, std::optional<std::string>> fetched{};
    std::vector<std::optional<std::string>> held_ids{};
    std::vector<std::optional<std::string>> held_bodies{};

    Result<typename Db::Query> keyed(const char* text) {
        auto q = db.query(text, kApply);
        if (q.ok())
            q->bind(business_id).bind(connection_id).bind(calendar_id);
        return q;
    }

    Result<std::optional<std::string>> body(const std::string& id) {
        auto prefetched = fetched.find(id);
        if (prefetched != fetched.end())
            return stored_form(id, prefetched->second);
        auto q = keyed(
            "SELECT body FROM events WHERE business_id = ? AND connection_id = ? AND "
            "calendar_id = ? AND event_id = ?");
        if (!q.ok())
            return q.error();
        auto row = q->bind(id).step();
        if (!row.ok())
            return row.error();
        return stored_form(id, row.value() ? std::optional<std::string>(q->text(0))
                                           : std::optional<std::string>());
    }

    // An event's stored form from its row's text, its zones put back.
    Result<std::optional<std::string>> stored_form(const std::string& id,
                                                   const std::optional<std::string>& text) {
        last_read = id;
        last_read_refers = text && refers_to_zones(*text);
        if (!text)
            return std::optional<std::string>();
        auto whole = expand_zones(*text, zone);
        if (!whole.ok())
            return whole.error();
        return std::optional<std::string>(std::move(whole).value());
    }

    Result<void> prefetch(const std::vector<std::string>& ids) {
        if constexpr (!Db::kArrayParameters) {
            (void)ids;  // SQLite reads each body when asked: in process, a read is cheap
        } else {
            auto q = keyed(
                "SELECT event_id, body FROM events WHERE business_id = ? AND connection_id = ? "
                "AND calendar_id = ? AND event_id = ANY(CAST(? AS TEXT[]))");
            if (!q.ok())
                return q.error();
            auto rows =
                q->bind_array(std::vector<std::optional<std::string>>(ids.begin(), ids.end()))
                    .collect([](const typename Db::Query& r)
                                 -> Result<std::pair<std::string, std::string>> {
                        return std::make_pair(r.text(0), r.text(1));
                    });
            if (!rows.ok())
                return rows.error();
            for (const std::string& id : ids)
                fetched.emplace(id, std::nullopt);
            for (auto& [id, text] : rows.value())
                fetched[id] = std::move(text);
        }
        return {};
    }

    Result<std::vector<std::string>> ids() {
        auto q = keyed(
            "SELECT event_id FROM events WHERE business_id = ? AND connection_id = ? AND "
            "calendar_id = ?");
        if (!q.ok())
            return q.error();
        return q->collect(read_text<typename Db::Query>);
    }

    Result<bool> may_refer_to_zones(const std::string& id) {
        if (id == last_read)
            return last_read_refers;
        if (!calendar_refers) {
            auto q = keyed(
                "SELECT 1 FROM event_zones WHERE business_id = ? AND connection_id = ? AND "
                "calendar_id = ? LIMIT 1");
            if (!q.ok())
                return q.error();
            auto row = q->step();
            if (!row.ok())
                return row.error();
            calendar_refers = row.value();
        }
        return *calendar_refers;
    }

    // The zones the event referred to before a write or its removal (the event's rows in
    // event_zones go): candidates for collection once the whole set is applied.
    Result<void> release_references(const std::string& id) {
        auto may = may_refer_to_zones(id);
        if (!may.ok() || !may.value())
            return may.ok() ? Result<void>() : Result<void>(may.error());
        auto q = keyed(
            "DELETE FROM event_zones WHERE business_id = ? AND connection_id = ? AND "
            "calendar_id = ? AND event_id = ? RETURNING zone_id");
        if (!q.ok())
            return q.error();
        auto keys = q->bind(id).collect(read_text<typename Db::Query>);
        if (!keys.ok())
            return keys.error();
        released.insert(keys->begin(), keys->end());
        return {};
    }

    // A zone row this transaction refers to, there until it commits: inserted unless held,
    // then share-locked (PostgreSQL), so a concurrent collect_zones either waits for this
    // transaction or has deleted the row first, and then it is inserted again.
    Result<void> hold_zone(const std::string& key, const std::string& object) {
        static const std::string lock =
            std::string("SELECT id FROM zone_definitions WHERE id = ?") + Db::kLockForShare;
        // An attempt fails only when another transaction committed the row's collection in
        // between, so each failure is progress elsewhere. Three were once all lost under
        // load (two writers churning one zone, tests/store/test_zone_collection.cpp).
        for (int attempt = 0; attempt < 10; ++attempt) {
            auto z = db.query(
                "INSERT INTO zone_definitions (id, definition) VALUES (?, ?) "
                "ON CONFLICT (id) DO NOTHING",
                kApply);
            if (!z.ok())
                return z.error();
            auto inserted = z->bind(key).bind(object).run();
            if (!inserted.ok())
                return inserted;
            auto held = db.query(lock.c_str(), kApply);
            if (!held.ok())
                return held.error();
            auto row = held->bind(key).step();
            if (!row.ok())
                return row.error();
            if (row.value())
                return {};
        }
        return make_error(ErrorCode::conflict,
                          could_not(kApply, "zone '" + key + "' kept being collected"));
    }

    Result<void> write(const PreparedEvent& e) {
        CompactedBody compacted = compact_zones(e.body, &zones_written);
        for (const auto& [key, object] : compacted.zones) {
            auto held = hold_zone(key, object);
            if (!held.ok())
                return held;
        }
        auto old = release_references(e.event->id);
        if (!old.ok())
            return old;
        if constexpr (Db::kArrayParameters) {
            if (compacted.references.empty()) {
                held_ids.emplace_back(e.event->id);
                held_bodies.emplace_back(std::move(compacted.body));
                return {};
            }
        }
        auto q = keyed(
            "INSERT INTO events (business_id, connection_id, calendar_id, event_id, body) "
            "VALUES (?, ?, ?, ?, ?) ON CONFLICT (business_id, connection_id, calendar_id, "
            "event_id) DO UPDATE SET body = excluded.body");
        if (!q.ok())
            return q.error();
        auto done = q->bind(e.event->id).bind(compacted.body).run_batched();
        if (!done.ok())
            return done;
        for (const std::string& key : compacted.references) {
            auto r = keyed(
                "INSERT INTO event_zones (business_id, connection_id, calendar_id, event_id, "
                "zone_id) VALUES (?, ?, ?, ?, ?)");
            if (!r.ok())
                return r.error();
            auto referenced = r->bind(e.event->id).bind(key).run_batched();
            if (!referenced.ok())
                return referenced;
        }
        return {};
    }

    // The writes write() held back, kRowsPerArrayStatement a statement: they go out with
    // the transaction's next round trip (its commit).
    Result<void> finish() {
        if constexpr (Db::kArrayParameters) {
            using Column = std::vector<std::optional<std::string>>;
            auto done = in_array_statements(
                held_ids.size(), [this](std::size_t first, std::size_t last) -> Result<void> {
                    auto q = keyed(
                        "INSERT INTO events (business_id, connection_id, calendar_id, event_id, "
                        "body) SELECT CAST(? AS TEXT), CAST(? AS TEXT), CAST(? AS TEXT), v.* "
                        "FROM unnest(CAST(? AS TEXT[]), CAST(? AS TEXT[])) AS v ON CONFLICT "
                        "(business_id, connection_id, calendar_id, event_id) DO UPDATE SET "
                        "body = excluded.body");
                    if (!q.ok())
                        return q.error();
                    const auto begin = static_cast<std::ptrdiff_t>(first);
                    const auto end = static_cast<std::ptrdiff_t>(last);
                    return q->bind_array(Column(held_ids.begin() + begin, held_ids.begin() + end))
                        .bind_array(Column(held_bodies.begin() + begin, held_bodies.begin() + end))
                        .run_batched();
                });
            held_ids.clear();
            held_bodies.clear();
            return done;
        }
        return {};
    }

    Result<bool> erase(const std::string& id) {
        auto old = release_references(id);
        if (!old.ok())
            return old.error();
        auto q = keyed(
            "DELETE FROM events WHERE business_id = ? AND connection_id = ? AND calendar_id = ? "
            "AND event_id = ?");
        if (!q.ok())
            return q.error();
        auto done = q->bind(id).run();
        if (!done.ok())
            return done.error();
        return q->changes() > 0;
    }
};

}  // namespace sql_detail

template <class Db>
Result<AppliedChanges> SqlStore<Db>::apply_changes(const std::string& connection_id,
                                                   const std::string& calendar_id,
                                                   const ChangeSet& changes) {
    using sql_detail::kApply;
    auto prepared = prepare_changes(calendar_id, changes);
    if (!prepared.ok())
        return prepared.error();
    Lock lock(mutex_);
    // Only a cursor to move (a read that found nothing): one statement, no transaction.
    const bool cursor_only = changes.moves_cursor_only();
    std::optional<typename Db::Transaction> tx;
    if (!cursor_only) {
        auto opened = db_.transaction(kApply);
        if (!opened.ok())
            return opened.error();
        tx.emplace(std::move(opened).value());
    }
    // The cursor first: the row it updates is also the calendar's existence check.
    auto q = db_.query(sql_detail::kMoveCursorSql, kApply);
    if (!q.ok())
        return q.error();
    auto cursor =
        q->bind(prepared->cursor).bind(business_).bind(connection_id).bind(calendar_id).run();
    if (!cursor.ok())
        return cursor.error();
    if (q->changes() == 0) {
        auto known = require_calendar(kApply, connection_id, calendar_id);
        return known.ok() ? not_found(kApply, calendar_key(connection_id, calendar_id))
                          : known.error();
    }
    if (cursor_only)
        return AppliedChanges{};
    sql_detail::EventRows<Db> rows{db_, business_, connection_id, calendar_id,
                                   [this](const std::string& key) { return stored_zone(key); }};
    auto applied = apply_prepared(rows, prepared.value());
    if (!applied.ok())
        return applied.error();  // `tx` rolls back: nothing of the set stays
    auto collected = collect_zones(rows.released, kApply);
    if (!collected.ok())
        return collected.error();
    auto committed = tx->commit();
    if (!committed.ok())
        return committed.error();
    return applied;
}

template <class Db>
Result<void> SqlStore<Db>::collect_zones(const std::set<std::string>& keys, const char* operation) {
    // PostgreSQL: the row is locked first, then the references counted by a statement of
    // its own (READ COMMITTED: a snapshot taken after the lock, so every transaction that
    // referred to the zone and released its share lock is seen). A row another transaction
    // holds (EventRows::hold_zone) is skipped: it is being referred to.
    static const std::string lock =
        std::string("SELECT id FROM zone_definitions WHERE id = ?") + Db::kSkipLocked;
    for (const std::string& key : keys) {
        auto locked = db_.query(lock.c_str(), operation);
        if (!locked.ok())
            return locked.error();
        auto row = locked->bind(key).step();
        if (!row.ok())
            return row.error();
        if (!row.value())
            continue;
        auto q = db_.query(
            "DELETE FROM zone_definitions WHERE id = ? AND NOT EXISTS (SELECT 1 FROM event_zones "
            "WHERE zone_id = ?)",
            operation);
        if (!q.ok())
            return q.error();
        auto done = q->bind(key).bind(key).run();
        if (!done.ok())
            return done;
    }
    return {};
}

template <class Db>
Result<std::set<std::string>> SqlStore<Db>::zones_of(const char* operation,
                                                     const std::string& connection_id,
                                                     const std::string* calendar_id) {
    auto q = calendar_id == nullptr
                 ? business_query(
                       "SELECT DISTINCT zone_id FROM event_zones WHERE business_id = ? "
                       "AND connection_id = ?",
                       operation, {connection_id})
                 : business_query(
                       "SELECT DISTINCT zone_id FROM event_zones WHERE business_id = ? "
                       "AND connection_id = ? AND calendar_id = ?",
                       operation, {connection_id, *calendar_id});
    if (!q.ok())
        return q.error();
    auto keys = q->collect(read_text<Query>);
    if (!keys.ok())
        return keys.error();
    return std::set<std::string>(keys->begin(), keys->end());
}

template <class Db>
Result<std::string> SqlStore<Db>::stored_zone(const std::string& key) {
    auto known = zone_cache_.find(key);
    if (known != zone_cache_.end())
        return known->second;
    // A second statement while load_events steps through its rows: its own Query.
    auto q = db_.query("SELECT definition FROM zone_definitions WHERE id = ?", "read zone");
    if (!q.ok())
        return q.error();
    auto row = q->bind(key).step();
    if (!row.ok())
        return row.error();
    if (!row.value())
        return make_error(ErrorCode::not_found, "store: stored zone '" + key + "' is missing");
    return zone_cache_.emplace(key, q->text(0)).first->second;
}

template <class Db>
Result<std::vector<Event>> SqlStore<Db>::load_events(const std::string& connection_id,
                                                     const std::string& calendar_id) {
    Lock lock(mutex_);
    auto q = business_query(sql_detail::kLoadEventsSql, sql_detail::kLoadEventsOperation,
                            {connection_id, calendar_id});
    if (!q.ok())
        return q.error();
    return events_of(q.value(), connection_id, calendar_id);
}

template <class Db>
Result<std::vector<Event>> SqlStore<Db>::events_of(Query& q, const std::string& connection_id,
                                                   const std::string& calendar_id) {
    static const char* const kOperation = sql_detail::kLoadEventsOperation;
    json::EventReader reader;
    auto zone = [this](const std::string& key) { return stored_zone(key); };
    auto events = q.collect([&](const Query& row) -> Result<Event> {
        auto body = expand_zones(row.text(1), zone);
        if (!body.ok())
            return body.error();
        auto e = reader.read(body.value(), calendar_id);
        if (!e.ok())
            return make_error(
                ErrorCode::parse,
                could_not(kOperation, calendar_key(connection_id, calendar_id) + ": event '" +
                                          row.text(0) + "': " + e.error().message));
        return e;
    });
    // The calendar's existence is asked only when it holds nothing: the common read is one
    // statement.
    if (!events.ok() || !events->empty())
        return events;
    auto known = require_calendar(kOperation, connection_id, calendar_id);
    if (!known.ok())
        return known.error();
    return events;
}

}  // namespace calsync::store
