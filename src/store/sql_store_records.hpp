// SqlStore's connections, calendars, statuses, OAuth state and push channels (template
// definitions: included by sqlite_store.cpp and pg_store.cpp only); events are in
// sql_store_events.hpp, appointments and the export map in sql_store_exports.hpp.
#pragma once

#include <algorithm>
#include <array>

#include "store/fenced_store.hpp"  // release_then_put_sync_end
#include "store/sql_rows.hpp"
#include "store/sql_store.hpp"
#include "store/store_checks.hpp"

namespace calsync::store {
namespace sql_detail {

// Rows a statement carries as array columns (Db::kArrayParameters): enough that a change
// set of thousands is a few statements, few enough to bound one statement's parameters
// (a thousand event bodies are about 2 MB).
constexpr std::size_t kRowsPerArrayStatement = 1000;

// Calls write(first, last) for each run [first, last) of `rows` rows, kRowsPerArrayStatement
// at most, until one fails.
template <class Write>
Result<void> in_array_statements(std::size_t rows, Write write) {
    for (std::size_t first = 0; first < rows; first += kRowsPerArrayStatement) {
        auto done = write(first, std::min(rows, first + kRowsPerArrayStatement));
        if (!done.ok())
            return done;
    }
    return {};
}

inline std::string sql(std::initializer_list<const char*> parts) {
    std::string s;
    for (const char* p : parts)
        s += p;
    return s;
}

// The reads read_connection_snapshot runs together, each also a call of its own.
inline const std::string& read_connection_sql() {
    static const std::string text =
        sql({"SELECT ", kConnectionColumns, " FROM connections WHERE business_id = ? AND id = ?"});
    return text;
}
inline const std::string& read_connection_status_sql() {
    static const std::string text =
        sql({"SELECT c.id, ", kJoinedStatusColumns,
             " FROM connections c LEFT JOIN connection_status s ON s.business_id = c.business_id "
             "AND s.connection_id = c.id WHERE c.business_id = ? AND c.id = ?"});
    return text;
}
inline const std::string& list_calendars_sql() {
    static const std::string text =
        sql({"SELECT ", kCalendarColumns,
             " FROM calendars WHERE business_id = ? AND connection_id = ? ORDER BY calendar_id"});
    return text;
}
inline const std::string& list_calendar_statuses_sql() {
    static const std::string text =
        sql({"SELECT c.calendar_id, ", kJoinedStatusColumns,
             " FROM calendars c LEFT JOIN calendar_status s ON s.business_id = c.business_id AND "
             "s.connection_id = c.connection_id AND s.calendar_id = c.calendar_id "
             "WHERE c.business_id = ? AND c.connection_id = ? ORDER BY c.calendar_id"});
    return text;
}
inline const std::string& list_push_channels_sql() {
    static const std::string text =
        sql({"SELECT ", kChannelColumns,
             " FROM push_channels WHERE business_id = ? AND connection_id = ? "
             "ORDER BY channel_id"});
    return text;
}
// Only the windows kept whole: a row without one answers as no row (find_slot_window).
inline constexpr const char* kListSlotWindowsSql =
    "SELECT calendar_id, window_start, window_end FROM slot_windows WHERE business_id = ? AND "
    "connection_id = ? AND window_start IS NOT NULL AND window_end IS NOT NULL";
// The same reads for the connections of a claimed batch (FleetStore::read_leased_snapshots;
// PostgreSQL only): the businesses as the first array, the connections as the second, every
// row followed by its connection's and business's ids. The arrays admit every pairing of
// their elements; the reader drops the rows of a pair not leased. The statuses are read
// without the joins above (the fleet's connection plans once, and the generic plan of such
// a join scanned the status table); the reader makes a record without a status row
// never_synced, as the joins do.
inline constexpr const char* kLeasedPairs =
    "business_id = ANY(CAST(? AS TEXT[])) AND connection_id = ANY(CAST(? AS TEXT[]))";
inline constexpr const char* kReadLeasedSettingsSql =
    "SELECT settings_json, business_id FROM business_settings WHERE business_id = "
    "ANY(CAST(? AS TEXT[]))";
inline const std::string& read_leased_connections_sql() {
    static const std::string text =
        sql({"SELECT ", kConnectionColumns,
             ", id, business_id FROM connections WHERE business_id = ANY(CAST(? AS TEXT[])) AND "
             "id = ANY(CAST(? AS TEXT[]))"});
    return text;
}
inline const std::string& read_leased_connection_statuses_sql() {
    static const std::string text =
        sql({"SELECT connection_id, ", kStatusColumns,
             ", connection_id, business_id FROM connection_status WHERE ", kLeasedPairs});
    return text;
}
inline const std::string& list_leased_calendars_sql() {
    static const std::string text =
        sql({"SELECT ", kCalendarColumns, ", connection_id, business_id FROM calendars WHERE ",
             kLeasedPairs, " ORDER BY business_id, connection_id, calendar_id"});
    return text;
}
inline const std::string& list_leased_calendar_statuses_sql() {
    static const std::string text =
        sql({"SELECT calendar_id, ", kStatusColumns,
             ", connection_id, business_id FROM calendar_status WHERE ", kLeasedPairs});
    return text;
}
inline const std::string& list_leased_push_channels_sql() {
    static const std::string text =
        sql({"SELECT ", kChannelColumns, ", connection_id, business_id FROM push_channels WHERE ",
             kLeasedPairs, " ORDER BY business_id, connection_id, channel_id"});
    return text;
}
inline const std::string& list_leased_slot_windows_sql() {
    static const std::string text =
        sql({"SELECT calendar_id, window_start, window_end, connection_id, business_id FROM "
             "slot_windows WHERE ",
             kLeasedPairs, " AND window_start IS NOT NULL AND window_end IS NOT NULL"});
    return text;
}
inline const std::string& update_connection_status_sql() {
    static const std::string text = sql({"UPDATE connection_status SET ", kStatusAssignments,
                                         " WHERE business_id = ? AND connection_id = ?"});
    return text;
}
inline const std::string& update_calendar_status_sql() {
    static const std::string text =
        sql({"UPDATE calendar_status SET ", kStatusAssignments,
             " WHERE business_id = ? AND connection_id = ? AND calendar_id = ?"});
    return text;
}
inline const std::string& put_connection_status_sql() {
    static const std::string text =
        upsert_sql("connection_status", "business_id, connection_id", kStatusColumns);
    return text;
}
inline const std::string& put_calendar_status_sql() {
    static const std::string text =
        upsert_sql("calendar_status", "business_id, connection_id, calendar_id", kStatusColumns);
    return text;
}
// A calendar's cursor moved; the row it updates is also the calendar's existence check.
constexpr const char* kMoveCursorSql =
    "UPDATE calendars SET cursor = ? WHERE business_id = ? AND connection_id = ? AND "
    "calendar_id = ?";
// A lease released (FleetStore::finish_lease): due next at the parameter (bound twice more
// for the CASE), or at a requeue_at marked while it was held, whichever is earlier. It
// changes no row when the lease's fence or owner is no longer the row's.
constexpr const char* kReleaseLeaseSql =
    "UPDATE work_queue SET due_at = CASE WHEN requeue_at IS NOT NULL AND "
    "(CAST(? AS BIGINT) IS NULL OR requeue_at < ?) THEN requeue_at ELSE ? END, "
    "requeue_at = NULL, lease_owner = NULL, lease_until = NULL "
    "WHERE business_id = ? AND connection_id = ? AND fence = ? AND lease_owner = ?";
// `text` with its `?`s replaced, in order, by `markers`: PostgreSQL's $n, for a statement
// that refers to one parameter more than once.
inline std::string numbered(const char* text, std::initializer_list<const char*> markers) {
    std::string out;
    const auto* marker = markers.begin();
    for (const char* p = text; *p != '\0'; ++p) {
        if (*p == '?' && marker != markers.end())
            out += *marker++;
        else
            out += *p;
    }
    return out;
}
// A leased sync's end in one statement (PostgreSQL): the release as kReleaseLeaseSql, and
// only when it changed its row, the cursors moved and the statuses stored (made when
// missing); a calendar gone meanwhile is passed over. The calendars' values come as
// parallel arrays. The main query reads `released` first, so the queue row is locked before
// the others, in the order every fenced write takes. Numbered parameters: $1 next due,
// $2-$5 the lease's business, connection, fence and owner, $6-$7 the cursors, $8-$16 the
// calendar statuses, $17-$24 the connection's.
inline const std::string& end_leased_sync_sql() {
    static const std::string text = [] {
        const std::string release =
            numbered(kReleaseLeaseSql, {"$1", "$1", "$1", "$2", "$3", "$4", "$5"});
        const std::string excluded = excluded_assignments(kStatusColumns);
        return sql(
            {"WITH released AS (", release.c_str(),
             " RETURNING 1), "
             "moved AS (UPDATE calendars AS k SET cursor = v.cursor "
             "FROM unnest(CAST($6 AS TEXT[]), CAST($7 AS TEXT[])) AS v (calendar_id, cursor) "
             "WHERE k.business_id = $2 AND k.connection_id = $3 AND k.calendar_id = v.calendar_id "
             "AND EXISTS (SELECT 1 FROM released)), "
             "calendars_kept AS (INSERT INTO calendar_status (business_id, connection_id, "
             "calendar_id, ",
             kStatusColumns,
             ") SELECT k.business_id, k.connection_id, "
             "k.calendar_id, v.state, v.last_attempt, v.last_success, v.last_error, "
             "v.events_read, v.events_exported, v.consecutive_failures, v.next_due "
             "FROM unnest(CAST($8 AS TEXT[]), CAST($9 AS TEXT[]), CAST($10 AS BIGINT[]), "
             "CAST($11 AS BIGINT[]), CAST($12 AS TEXT[]), CAST($13 AS BIGINT[]), "
             "CAST($14 AS BIGINT[]), CAST($15 AS BIGINT[]), CAST($16 AS BIGINT[])) AS v "
             "(calendar_id, state, last_attempt, last_success, last_error, events_read, "
             "events_exported, consecutive_failures, next_due) "
             "JOIN calendars AS k ON k.business_id = $2 AND k.connection_id = $3 AND "
             "k.calendar_id = v.calendar_id WHERE EXISTS (SELECT 1 FROM released) "
             "ON CONFLICT (business_id, connection_id, calendar_id) DO UPDATE SET ",
             excluded.c_str(),
             "), "
             "connection_kept AS (INSERT INTO connection_status (business_id, connection_id, ",
             kStatusColumns,
             ") SELECT $2, $3, CAST($17 AS TEXT), CAST($18 AS BIGINT), "
             "CAST($19 AS BIGINT), CAST($20 AS TEXT), CAST($21 AS BIGINT), CAST($22 AS BIGINT), "
             "CAST($23 AS BIGINT), CAST($24 AS BIGINT) FROM released "
             "ON CONFLICT (business_id, connection_id) DO UPDATE SET ",
             excluded.c_str(),
             ") "
             "SELECT count(*) FROM released"});
    }();
    return text;
}
constexpr const char* kReadBusinessSettingsSql =
    "SELECT settings_json FROM business_settings WHERE business_id = ?";

// The settings' rows (none or one) as find_business_settings answers.
inline Result<std::optional<std::string>> settings_of(Result<std::vector<std::string>> rows) {
    if (!rows.ok())
        return rows.error();
    if (rows->empty())
        return std::optional<std::string>();
    return std::optional<std::string>(std::move(rows->front()));
}

// Runs `q`, whose last parameters are the lease's row and holder (business, connection,
// fence, owner); lease_lost when it changed no row.
template <class Query>
Result<void> run_on_lease(Query& q, const Lease& lease, const char* operation) {
    auto done = q.bind(lease.business_id)
                    .bind(lease.connection_id)
                    .bind(lease.fence)
                    .bind(lease.owner)
                    .run();
    if (!done.ok())
        return done;
    if (q.changes() == 0)
        return lease_lost(operation, lease);
    return {};
}

// Releases `lease` on `db` (kReleaseLeaseSql); lease_lost when its fence is stale.
template <class Db>
Result<void> release_lease(Db& db, const Lease& lease, std::optional<Instant> next_due,
                           const char* operation) {
    auto q = db.query(kReleaseLeaseSql, operation);
    if (!q.ok())
        return q.error();
    q->bind(next_due).bind(next_due).bind(next_due);
    return run_on_lease(*q, lease, operation);
}

// Rows of (key, value) pairs as a map.
template <class Value>
Result<std::map<std::string, Value>> as_map(
    Result<std::vector<std::pair<std::string, Value>>> rows) {
    if (!rows.ok())
        return rows.error();
    return std::map<std::string, Value>(rows->begin(), rows->end());
}

}  // namespace sql_detail

template <class Db>
Result<void> SqlStore<Db>::transaction(const std::function<Result<void>()>& fn) {
    Lock lock(mutex_);
    auto tx = db_.transaction("begin a transaction");
    if (!tx.ok())
        return tx.error();
    auto result = fn();  // an exception leaves through tx's destructor: rolled back
    if (!result.ok())
        return result;
    return tx->commit();
}

template <class Db>
Result<typename Db::Query> SqlStore<Db>::business_query(
    const char* text, const char* operation, std::initializer_list<std::string_view> values) {
    auto q = db_.query(text, operation);
    if (!q.ok())
        return q.error();
    q->bind(business_);
    for (std::string_view v : values)
        q->bind(v);
    return q;
}

template <class Db>
Result<void> SqlStore<Db>::run(const char* text, const char* operation,
                               std::initializer_list<std::string_view> values) {
    auto q = business_query(text, operation, values);
    return q.ok() ? q->run() : q.error();
}

template <class Db>
Result<bool> SqlStore<Db>::exists(const char* text, const char* operation,
                                  std::initializer_list<std::string_view> values) {
    auto q = business_query(text, operation, values);
    if (!q.ok())
        return q.error();
    return q->step();
}

template <class Db>
Result<void> SqlStore<Db>::delete_expired(const char* text, const char* operation, Instant now) {
    auto q = business_query(text, operation);
    if (!q.ok())
        return q.error();
    return q->bind(now).run();
}

template <class Db>
Result<void> SqlStore<Db>::require_connection(const char* operation, const std::string& id) {
    auto found =
        exists("SELECT 1 FROM connections WHERE business_id = ? AND id = ?", operation, {id});
    if (!found.ok())
        return found.error();
    if (!found.value())
        return not_found(operation, connection_key(id));
    return {};
}

template <class Db>
Result<void> SqlStore<Db>::require_calendar(const char* operation, const std::string& connection_id,
                                            const std::string& calendar_id) {
    auto found = exists(
        "SELECT 1 FROM calendars WHERE business_id = ? AND connection_id = ? AND calendar_id = ?",
        operation, {connection_id, calendar_id});
    if (!found.ok())
        return found.error();
    if (found.value())
        return {};
    auto c = require_connection(operation, connection_id);
    return c.ok() ? not_found(operation, calendar_key(connection_id, calendar_id)) : c;
}

// A connection's rows, or not_found when the connection itself is unknown: asked only when
// there are no rows, so that the common read (a connection with calendars) is one statement.
template <class Db>
template <class Rows>
Result<Rows> SqlStore<Db>::unless_unknown(Result<Rows> rows, const char* operation,
                                          const std::string& connection_id) {
    if (!rows.ok() || !rows->empty())
        return rows;
    auto known = require_connection(operation, connection_id);
    if (!known.ok())
        return known.error();
    return rows;
}

template <class Db>
Result<void> SqlStore<Db>::release_lease(const Lease& lease, std::optional<Instant> next_due,
                                         const char* operation) {
    Lock lock(mutex_);
    return sql_detail::release_lease(db_, lease, next_due, operation);
}

template <class Db>
Result<void> SqlStore<Db>::check_lease(const Lease& lease) {
    static const std::string text =
        std::string(
            "SELECT fence, lease_owner FROM work_queue WHERE business_id = ? AND "
            "connection_id = ?") +
        Db::kLockForShare;
    Lock lock(mutex_);
    auto q = db_.query(text.c_str(), "check lease");
    if (!q.ok())
        return q.error();
    auto row = q->bind(lease.business_id).bind(lease.connection_id).step();
    if (!row.ok())
        return row.error();
    if (!row.value() || q->integer(0) != lease.fence || q->is_null(1) || q->text(1) != lease.owner)
        return lease_lost("write to the store", lease);
    return {};
}

// --- connections

template <class Db>
Result<void> SqlStore<Db>::put_connection(const ConnectionRecord& connection) {
    auto ok = check_connection(connection);
    if (!ok.ok())
        return ok;
    Lock lock(mutex_);
    static const std::string text =
        upsert_sql("connections", "business_id, id",
                   "kind, account, settings_json, sealed_credentials, state, created_at");
    auto q = business_query(text.c_str(), "store a connection");
    if (!q.ok())
        return q.error();
    return bind_connection(q.value(), connection).run();
}

template <class Db>
Result<ConnectionRecord> SqlStore<Db>::get_connection(const std::string& id) {
    Lock lock(mutex_);
    auto q = business_query(sql_detail::read_connection_sql().c_str(), "read a connection");
    if (!q.ok())
        return q.error();
    return q->bind(id).single(read_connection<Query>,
                              not_found("read a connection", connection_key(id)));
}

template <class Db>
Result<std::vector<ConnectionRecord>> SqlStore<Db>::list_connections() {
    Lock lock(mutex_);
    static const std::string text = sql_detail::sql(
        {"SELECT ", kConnectionColumns, " FROM connections WHERE business_id = ? ORDER BY id"});
    auto q = business_query(text.c_str(), "list the connections");
    if (!q.ok())
        return q.error();
    return q->collect(read_connection<Query>);
}

template <class Db>
Result<std::optional<ConnectionRecord>> SqlStore<Db>::find_connection(ProviderKind kind,
                                                                      const std::string& account) {
    Lock lock(mutex_);
    static const std::string text =
        sql_detail::sql({"SELECT ", kConnectionColumns,
                         " FROM connections WHERE business_id = ? AND kind = ? AND account = ? "
                         "ORDER BY created_at DESC, id DESC LIMIT 1"});
    auto q = business_query(text.c_str(), "find a connection");
    if (!q.ok())
        return q.error();
    auto found = q->bind(to_string(kind)).bind(account).collect(read_connection<Query>);
    if (!found.ok())
        return found.error();
    if (found->empty())
        return std::optional<ConnectionRecord>();
    return std::optional<ConnectionRecord>(std::move(found->front()));
}

template <class Db>
Result<void> SqlStore<Db>::set_credentials(const std::string& connection_id,
                                           const std::string& sealed_credentials) {
    Lock lock(mutex_);
    auto q =
        db_.query("UPDATE connections SET sealed_credentials = ? WHERE business_id = ? AND id = ?",
                  "store a connection's credentials");
    if (!q.ok())
        return q.error();
    auto done = q->bind(sealed_credentials).bind(business_).bind(connection_id).run();
    if (!done.ok())
        return done;
    if (q->changes() == 0)
        return not_found("store a connection's credentials", connection_key(connection_id));
    return {};
}

template <class Db>
Result<void> SqlStore<Db>::disconnect_connection(const std::string& id) {
    static const char* const kOperation = "disconnect a connection";
    Lock lock(mutex_);
    auto tx = db_.transaction(kOperation);
    if (!tx.ok())
        return tx.error();
    auto known = require_connection(kOperation, id);
    if (!known.ok())
        return known;
    auto zones = zones_of(kOperation, id);
    if (!zones.ok())
        return zones.error();
    // Events, cursors, calendar statuses and push channels go with their calendars (ON
    // DELETE CASCADE); the export map and the connection's status stay.
    for (const char* text : {"UPDATE connections SET state = 'disconnected', sealed_credentials "
                             "= '' WHERE business_id = ? AND id = ?",
                             "DELETE FROM calendars WHERE business_id = ? AND connection_id = ?",
                             "DELETE FROM pending_authorizations WHERE business_id = ? AND "
                             "connection_id = ?"}) {
        auto done = run(text, kOperation, {id});
        if (!done.ok())
            return done;
    }
    auto collected = collect_zones(zones.value(), kOperation);
    if (!collected.ok())
        return collected;
    return tx->commit();
}

template <class Db>
Result<void> SqlStore<Db>::remove_connection(const std::string& id) {
    static const char* const kOperation = "remove a connection";
    Lock lock(mutex_);
    auto tx = db_.transaction(kOperation);
    if (!tx.ok())
        return tx.error();
    auto zones = zones_of(kOperation, id);
    if (!zones.ok())
        return zones.error();
    // Everything else hangs off the connection row (ON DELETE CASCADE), its queue entry too.
    for (const char* text :
         {"DELETE FROM pending_authorizations WHERE business_id = ? AND connection_id = ?",
          "DELETE FROM connections WHERE business_id = ? AND id = ?"}) {
        auto done = run(text, kOperation, {id});
        if (!done.ok())
            return done;
    }
    auto collected = collect_zones(zones.value(), kOperation);
    if (!collected.ok())
        return collected;
    return tx->commit();
}

// --- calendars

template <class Db>
Result<void> SqlStore<Db>::put_calendar(const CalendarRecord& calendar) {
    auto ok = check_calendar(calendar);
    if (!ok.ok())
        return ok;
    Lock lock(mutex_);
    auto known = require_connection("store a calendar", calendar.connection_id);
    if (!known.ok())
        return known;
    static const std::string text =
        upsert_sql("calendars", "business_id, connection_id, calendar_id",
                   "name, color, time_zone, can_write, is_primary, selected, direction, "
                   "tentative_blocks, unanswered_blocks, all_day_blocks");
    auto q = business_query(text.c_str(), "store a calendar");
    if (!q.ok())
        return q.error();
    return bind_calendar(q.value(), calendar).run();
}

template <class Db>
Result<CalendarRecord> SqlStore<Db>::get_calendar(const std::string& connection_id,
                                                  const std::string& calendar_id) {
    Lock lock(mutex_);
    static const std::string text =
        sql_detail::sql({"SELECT ", kCalendarColumns,
                         " FROM calendars WHERE business_id = ? AND connection_id = ? AND "
                         "calendar_id = ?"});
    auto q = business_query(text.c_str(), "read a calendar");
    if (!q.ok())
        return q.error();
    return q->bind(connection_id)
        .bind(calendar_id)
        .single(read_calendar<Query>,
                not_found("read a calendar", calendar_key(connection_id, calendar_id)));
}

template <class Db>
Result<std::vector<CalendarRecord>> SqlStore<Db>::list_calendars(const std::string& connection_id) {
    Lock lock(mutex_);
    auto q = business_query(sql_detail::list_calendars_sql().c_str(), "list the calendars");
    if (!q.ok())
        return q.error();
    return unless_unknown(q->bind(connection_id).collect(read_calendar<Query>),
                          "list the calendars", connection_id);
}

template <class Db>
Result<void> SqlStore<Db>::remove_calendar(const std::string& connection_id,
                                           const std::string& calendar_id) {
    static const char* const kOperation = "remove a calendar";
    Lock lock(mutex_);
    auto tx = db_.transaction(kOperation);
    if (!tx.ok())
        return tx.error();
    auto known = require_connection(kOperation, connection_id);
    if (!known.ok())
        return known;
    auto zones = zones_of(kOperation, connection_id, &calendar_id);
    if (!zones.ok())
        return zones.error();
    auto removed =
        run("DELETE FROM calendars WHERE business_id = ? AND connection_id = ? AND calendar_id = ?",
            kOperation, {connection_id, calendar_id});
    if (!removed.ok())
        return removed;
    auto collected = collect_zones(zones.value(), kOperation);
    if (!collected.ok())
        return collected;
    return tx->commit();
}

// --- statuses

template <class Db>
Result<void> SqlStore<Db>::put_status(const char* text, const char* operation,
                                      const std::string& connection_id,
                                      const std::string* calendar_id, const SyncStatus& status) {
    // Every sync rewrites its statuses: an update of the row there is, one statement; the
    // record's existence is asked only when there was none.
    auto update = db_.query((calendar_id == nullptr ? sql_detail::update_connection_status_sql()
                                                    : sql_detail::update_calendar_status_sql())
                                .c_str(),
                            operation);
    if (!update.ok())
        return update.error();
    bind_status(update.value(), status).bind(business_).bind(connection_id);
    if (calendar_id != nullptr)
        update->bind(*calendar_id);
    auto updated = update->run();
    if (!updated.ok())
        return updated;
    if (update->changes() == 1)
        return {};
    return make_status(text, operation, connection_id, calendar_id, status);
}

template <class Db>
Result<void> SqlStore<Db>::make_status(const char* text, const char* operation,
                                       const std::string& connection_id,
                                       const std::string* calendar_id, const SyncStatus& status) {
    auto known = calendar_id == nullptr ? require_connection(operation, connection_id)
                                        : require_calendar(operation, connection_id, *calendar_id);
    if (!known.ok())
        return known;
    auto q = business_query(text, operation);
    if (!q.ok())
        return q.error();
    q->bind(connection_id);
    if (calendar_id != nullptr)
        q->bind(*calendar_id);
    return bind_status(q.value(), status).run();
}

template <class Db>
Result<void> SqlStore<Db>::put_connection_status(const std::string& connection_id,
                                                 const SyncStatus& status) {
    Lock lock(mutex_);
    return put_status(sql_detail::put_connection_status_sql().c_str(),
                      "store a connection's status", connection_id, nullptr, status);
}

template <class Db>
Result<void> SqlStore<Db>::put_calendar_status(const std::string& connection_id,
                                               const std::string& calendar_id,
                                               const SyncStatus& status) {
    Lock lock(mutex_);
    return put_status(sql_detail::put_calendar_status_sql().c_str(), "store a calendar's status",
                      connection_id, &calendar_id, status);
}

template <class Db>
Result<SyncStatus> SqlStore<Db>::get_connection_status(const std::string& connection_id) {
    Lock lock(mutex_);
    auto q = business_query(sql_detail::read_connection_status_sql().c_str(),
                            "read a connection's status");
    if (!q.ok())
        return q.error();
    auto row = q->bind(connection_id)
                   .single(read_keyed_status<Query>,
                           not_found("read a connection's status", connection_key(connection_id)));
    if (!row.ok())
        return row.error();
    return std::move(row->second);
}

template <class Db>
Result<std::map<std::string, SyncStatus>> SqlStore<Db>::list_connection_statuses() {
    Lock lock(mutex_);
    static const std::string text = sql_detail::sql(
        {"SELECT c.id, ", kJoinedStatusColumns,
         " FROM connections c LEFT JOIN connection_status s ON s.business_id = c.business_id "
         "AND s.connection_id = c.id WHERE c.business_id = ? ORDER BY c.id"});
    auto q = business_query(text.c_str(), "read the connections' statuses");
    if (!q.ok())
        return q.error();
    return sql_detail::as_map(q->collect(read_keyed_status<Query>));
}

template <class Db>
Result<std::map<std::string, SyncStatus>> SqlStore<Db>::list_calendar_statuses(
    const std::string& connection_id) {
    Lock lock(mutex_);
    auto q = business_query(sql_detail::list_calendar_statuses_sql().c_str(),
                            "read the calendars' statuses");
    if (!q.ok())
        return q.error();
    return sql_detail::as_map(
        unless_unknown(q->bind(connection_id).collect(read_keyed_status<Query>),
                       "read the calendars' statuses", connection_id));
}

// --- OAuth

template <class Db>
Result<void> SqlStore<Db>::put_pending_authorization(const PendingAuthorization& pending) {
    auto ok = check_pending_authorization(pending);
    if (!ok.ok())
        return ok;
    Lock lock(mutex_);
    static const std::string text = upsert_sql("pending_authorizations", "business_id, state",
                                               "connection_id, sealed_code_verifier, expires_at");
    auto q = business_query(text.c_str(), "store a pending sign-in");
    if (!q.ok())
        return q.error();
    return q->bind(pending.state)
        .bind(pending.connection_id)
        .bind(pending.sealed_code_verifier)
        .bind(pending.expires_at)
        .run();
}

template <class Db>
Result<PendingAuthorization> SqlStore<Db>::take_pending_authorization(const std::string& state,
                                                                      Instant now) {
    static const char* const kOperation = "take a pending sign-in";
    Lock lock(mutex_);
    auto tx = db_.transaction(kOperation);
    if (!tx.ok())
        return tx.error();
    // Deleting with RETURNING takes it exactly once; expired ones go first.
    auto purged = delete_expired(
        "DELETE FROM pending_authorizations WHERE business_id = ? AND expires_at <= ?", kOperation,
        now);
    if (!purged.ok())
        return purged.error();
    std::vector<PendingAuthorization> taken;
    {
        auto q = business_query(
            "DELETE FROM pending_authorizations WHERE business_id = ? AND state = ? "
            "RETURNING state, connection_id, sealed_code_verifier, expires_at",
            kOperation);
        if (!q.ok())
            return q.error();
        auto rows = q->bind(state).collect([](const Query& r) -> Result<PendingAuthorization> {
            return PendingAuthorization{r.text(0), r.text(1), r.text(2), r.instant(3)};
        });
        if (!rows.ok())
            return rows.error();
        taken = std::move(rows).value();
    }
    auto committed = tx->commit();
    if (!committed.ok())
        return committed.error();
    if (taken.empty())
        return not_found(kOperation,
                         "pending authorization for this state (unknown, used or expired)");
    return std::move(taken.front());
}

template <class Db>
Result<bool> SqlStore<Db>::spend_nonce(const std::string& nonce, Instant expires_at, Instant now) {
    static const char* const kOperation = "record a used nonce";
    Lock lock(mutex_);
    auto tx = db_.transaction(kOperation);
    if (!tx.ok())
        return tx.error();
    auto purged = delete_expired(
        "DELETE FROM spent_nonces WHERE business_id = ? AND expires_at <= ?", kOperation, now);
    if (!purged.ok())
        return purged.error();
    auto q = business_query(
        "INSERT INTO spent_nonces (business_id, nonce, expires_at) VALUES (?, ?, ?) "
        "ON CONFLICT (business_id, nonce) DO NOTHING",
        kOperation);
    if (!q.ok())
        return q.error();
    auto done = q->bind(nonce).bind(expires_at).run();
    if (!done.ok())
        return done.error();
    const bool fresh = q->changes() == 1;
    auto committed = tx->commit();
    if (!committed.ok())
        return committed.error();
    return fresh;
}

// --- push channels

template <class Db>
Result<void> SqlStore<Db>::put_push_channel(const PushChannel& channel) {
    auto ok = check_push_channel(channel);
    if (!ok.ok())
        return ok;
    Lock lock(mutex_);
    auto known =
        require_calendar("store a push channel", channel.connection_id, channel.calendar_id);
    if (!known.ok())
        return known;
    static const std::string text =
        upsert_sql("push_channels", "business_id, channel_id",
                   "connection_id, calendar_id, resource_id, sealed_token, expires_at");
    auto q = business_query(text.c_str(), "store a push channel");
    if (!q.ok())
        return q.error();
    return bind_channel(q.value(), channel).run();
}

template <class Db>
Result<PushChannel> SqlStore<Db>::get_push_channel(const std::string& channel_id) {
    Lock lock(mutex_);
    static const std::string text =
        sql_detail::sql({"SELECT ", kChannelColumns,
                         " FROM push_channels WHERE business_id = ? AND channel_id = ?"});
    auto q = business_query(text.c_str(), "read a push channel");
    if (!q.ok())
        return q.error();
    return q->bind(channel_id)
        .single(read_channel<Query>,
                not_found("read a push channel", "push channel '" + channel_id + "'"));
}

template <class Db>
Result<void> SqlStore<Db>::remove_push_channel(const std::string& channel_id) {
    Lock lock(mutex_);
    return run("DELETE FROM push_channels WHERE business_id = ? AND channel_id = ?",
               "remove a push channel", {channel_id});
}

template <class Db>
Result<std::vector<PushChannel>> SqlStore<Db>::list_push_channels(
    const std::string& connection_id) {
    Lock lock(mutex_);
    auto q = business_query(sql_detail::list_push_channels_sql().c_str(), "list the push channels");
    if (!q.ok())
        return q.error();
    return q->bind(connection_id).collect(read_channel<Query>);
}

template <class Db>
Result<std::vector<PushChannel>> SqlStore<Db>::list_push_channels_expiring(Instant before) {
    Lock lock(mutex_);
    static const std::string text =
        sql_detail::sql({"SELECT ", kChannelColumns,
                         " FROM push_channels WHERE business_id = ? AND expires_at < ? ORDER BY "
                         "expires_at, channel_id"});
    auto q = business_query(text.c_str(), "list the push channels about to expire");
    if (!q.ok())
        return q.error();
    return q->bind(before).collect(read_channel<Query>);
}

// --- a sync's first reads

template <class Db>
Result<ConnectionSnapshot> SqlStore<Db>::read_connection_snapshot(
    const std::string& connection_id) {
    Lock lock(mutex_);
    auto settings =
        business_query(sql_detail::kReadBusinessSettingsSql, "read the business's settings");
    auto connection = business_query(sql_detail::read_connection_sql().c_str(), "read a connection",
                                     {connection_id});
    auto status = business_query(sql_detail::read_connection_status_sql().c_str(),
                                 "read a connection's status", {connection_id});
    auto calendars = business_query(sql_detail::list_calendars_sql().c_str(), "list the calendars",
                                    {connection_id});
    auto statuses = business_query(sql_detail::list_calendar_statuses_sql().c_str(),
                                   "read the calendars' statuses", {connection_id});
    auto channels = business_query(sql_detail::list_push_channels_sql().c_str(),
                                   "list the push channels", {connection_id});
    auto windows = business_query(sql_detail::kListSlotWindowsSql,
                                  "read the calendars' slot windows", {connection_id});
    for (const auto* q :
         {&settings, &connection, &status, &calendars, &statuses, &channels, &windows})
        if (!q->ok())
            return q->error();
    db_.run_together({&settings.value(), &connection.value(), &status.value(), &calendars.value(),
                      &statuses.value(), &channels.value(), &windows.value()});
    // The connection's row answers whether it exists: no other part is asked again.
    ConnectionSnapshot snapshot;
    auto found = connection->single(read_connection<Query>,
                                    not_found("read a connection", connection_key(connection_id)));
    if (!found.ok())
        return found.error();
    snapshot.connection = std::move(found).value();
    auto kept_settings = sql_detail::settings_of(settings->collect(read_text<Query>));
    if (!kept_settings.ok())
        return kept_settings.error();
    snapshot.business_settings = std::move(kept_settings).value();
    auto own_status =
        status->single(read_keyed_status<Query>,
                       not_found("read a connection's status", connection_key(connection_id)));
    if (!own_status.ok())
        return own_status.error();
    snapshot.status = std::move(own_status->second);
    auto listed = calendars->collect(read_calendar<Query>);
    if (!listed.ok())
        return listed.error();
    snapshot.calendars = std::move(listed).value();
    auto calendar_statuses = sql_detail::as_map(statuses->collect(read_keyed_status<Query>));
    if (!calendar_statuses.ok())
        return calendar_statuses.error();
    snapshot.calendar_statuses = std::move(calendar_statuses).value();
    auto listed_channels = channels->collect(read_channel<Query>);
    if (!listed_channels.ok())
        return listed_channels.error();
    snapshot.push_channels = std::move(listed_channels).value();
    auto slot_windows = sql_detail::as_map(
        windows->collect([](const Query& r) -> Result<std::pair<std::string, TimeRange>> {
            return std::make_pair(r.text(0), TimeRange{r.instant(1), r.instant(2)});
        }));
    if (!slot_windows.ok())
        return slot_windows.error();
    snapshot.slot_windows = std::move(slot_windows).value();
    return snapshot;
}

// --- a sync's end

template <class Db>
Result<void> SqlStore<Db>::put_sync_end(const std::string& connection_id, const SyncEnd& end) {
    if constexpr (!Db::kPipelines) {
        return StateStore::put_sync_end(connection_id, end);  // in process: call by call
    } else {
        static const char* const kOperation = "store a sync's end";
        Lock lock(mutex_);
        // Within a caller's transaction (a leased view's closing one) no savepoint: a
        // savepoint that writes costs PostgreSQL a subtransaction, and the call fails whole
        // or not at all without one. Its only failure of its own, an unknown connection,
        // comes before anything was written (every update found no row); any other failure
        // of a statement aborts the caller's transaction anyway.
        std::optional<typename Db::Transaction> tx;
        if (!db_.in_transaction()) {
            auto opened = db_.transaction(kOperation);
            if (!opened.ok())
                return opened.error();
            tx.emplace(std::move(opened).value());
        }
        // Every update in one round trip; the rows each touched tell what must be made or
        // passed over.
        std::vector<Query> cursors;
        std::vector<Query> statuses;
        for (const auto& [calendar_id, cursor] : end.cursors) {
            auto q = db_.query(sql_detail::kMoveCursorSql, kOperation);
            if (!q.ok())
                return q.error();
            q->bind(cursor).bind(business_).bind(connection_id).bind(calendar_id);
            cursors.push_back(std::move(q).value());
        }
        for (const auto& [calendar_id, status] : end.calendar_statuses) {
            auto q = db_.query(sql_detail::update_calendar_status_sql().c_str(), kOperation);
            if (!q.ok())
                return q.error();
            bind_status(q.value(), status).bind(business_).bind(connection_id).bind(calendar_id);
            statuses.push_back(std::move(q).value());
        }
        auto own = db_.query(sql_detail::update_connection_status_sql().c_str(), kOperation);
        if (!own.ok())
            return own.error();
        bind_status(own.value(), end.status).bind(business_).bind(connection_id);
        std::vector<Query*> all(cursors.size() + statuses.size());
        auto address = [](Query& q) { return &q; };
        std::transform(statuses.begin(), statuses.end(),
                       std::transform(cursors.begin(), cursors.end(), all.begin(), address),
                       address);
        all.push_back(&own.value());
        db_.run_together(all);
        // The connection first: unknown, it fails the call, and `tx` rolls back.
        auto written = own->run();
        if (!written.ok())
            return written;
        if (own->changes() == 0) {
            auto made = make_status(sql_detail::put_connection_status_sql().c_str(), kOperation,
                                    connection_id, nullptr, end.status);
            if (!made.ok())
                return made;
        }
        for (Query& q : cursors) {
            auto moved = q.run();  // a calendar gone meanwhile touched no row: passed over
            if (!moved.ok())
                return moved;
        }
        auto status = end.calendar_statuses.begin();
        for (Query& q : statuses) {
            auto kept = q.run();
            if (!kept.ok())
                return kept;
            if (q.changes() == 0) {
                auto made = make_status(sql_detail::put_calendar_status_sql().c_str(), kOperation,
                                        connection_id, &status->first, status->second);
                if (!made.ok() && made.error().code != ErrorCode::not_found)
                    return made;
            }
            ++status;
        }
        return tx ? tx->commit() : Result<void>();
    }
}

template <class Db>
Result<void> SqlStore<Db>::end_leased_sync(const Lease& lease, const SyncEnd& end) {
    static const char* const kOperation = "end a worker's lease with its sync";
    if constexpr (!Db::kWritingCtes) {
        auto release = [&] { return release_lease(lease, end.status.next_due, kOperation); };
        return release_then_put_sync_end(*this, release, lease.connection_id, end);
    } else {
        using Column = std::vector<std::optional<std::string>>;
        auto instant = [](const std::optional<Instant>& t) {
            return t ? std::optional<std::string>(std::to_string(to_unix(*t))) : std::nullopt;
        };
        Column cursor_calendars;
        Column cursors;
        for (const auto& [calendar_id, cursor] : end.cursors) {
            cursor_calendars.emplace_back(calendar_id);
            cursors.emplace_back(cursor);
        }
        // The calendar statuses column by column, in kStatusColumns' order.
        Column status_calendars;
        std::array<Column, 8> statuses;
        for (const auto& [calendar_id, s] : end.calendar_statuses) {
            status_calendars.emplace_back(calendar_id);
            statuses[0].emplace_back(to_string(s.state));
            statuses[1].push_back(instant(s.last_attempt));
            statuses[2].push_back(instant(s.last_success));
            statuses[3].emplace_back(s.last_error);
            statuses[4].emplace_back(std::to_string(s.events_read));
            statuses[5].emplace_back(std::to_string(s.events_exported));
            statuses[6].emplace_back(std::to_string(s.consecutive_failures));
            statuses[7].push_back(instant(s.next_due));
        }
        Lock lock(mutex_);
        auto q = db_.query(sql_detail::end_leased_sync_sql().c_str(), kOperation);
        if (!q.ok())
            return q.error();
        q->bind(end.status.next_due)
            .bind(lease.business_id)
            .bind(lease.connection_id)
            .bind(lease.fence)
            .bind(lease.owner)
            .bind_array(cursor_calendars)
            .bind_array(cursors)
            .bind_array(status_calendars);
        for (const Column& column : statuses)
            q->bind_array(column);
        bind_status(q.value(), end.status);
        auto row = q->step();
        if (!row.ok())
            return row.error();
        if (!row.value() || q->integer(0) == 0)
            return lease_lost(kOperation, lease);
        return {};
    }
}

}  // namespace calsync::store
