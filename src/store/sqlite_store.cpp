// Connections, calendars, statuses, OAuth state and push channels on SQLite; events are in
// sqlite_store_events.cpp, appointments and the export map in sqlite_store_exports.cpp.
#include "store/sqlite_store.hpp"

#include "store/sqlite_rows.hpp"
#include "store/sqlite_schema.hpp"
#include "store/store_checks.hpp"

namespace calsync::store {
namespace {

std::string sql(std::initializer_list<const char*> parts) {
    std::string s;
    for (const char* p : parts)
        s += p;
    return s;
}

template <class T>
Result<std::map<std::string, SyncStatus>> as_map(Result<T> rows) {
    if (!rows.ok())
        return rows.error();
    return std::map<std::string, SyncStatus>(rows->begin(), rows->end());
}

}  // namespace

Result<void> SqliteStore::transaction(const std::function<Result<void>()>& fn) {
    Lock lock(mutex_);
    auto tx = db_.transaction("transaction");
    if (!tx.ok())
        return tx.error();
    auto result = fn();  // an exception leaves through tx's destructor: rolled back
    if (!result.ok())
        return result;
    return tx->commit();
}

Result<void> SqliteStore::run(const char* text, const char* operation,
                              std::initializer_list<std::string_view> values) {
    auto q = db_.query(text, operation);
    if (!q.ok())
        return q.error();
    for (std::string_view v : values)
        q->bind(v);
    return q->run();
}

Result<bool> SqliteStore::exists(const char* text, const char* operation,
                                 std::initializer_list<std::string_view> values) {
    auto q = db_.query(text, operation);
    if (!q.ok())
        return q.error();
    for (std::string_view v : values)
        q->bind(v);
    return q->step();
}

Result<void> SqliteStore::require_connection(const char* operation, const std::string& id) {
    auto found = exists("SELECT 1 FROM connections WHERE id = ?", operation, {id});
    if (!found.ok())
        return found.error();
    if (!found.value())
        return not_found(operation, connection_key(id));
    return {};
}

Result<void> SqliteStore::require_calendar(const char* operation, const std::string& connection_id,
                                           const std::string& calendar_id) {
    auto found = exists("SELECT 1 FROM calendars WHERE connection_id = ? AND calendar_id = ?",
                        operation, {connection_id, calendar_id});
    if (!found.ok())
        return found.error();
    if (found.value())
        return {};
    auto c = require_connection(operation, connection_id);
    return c.ok() ? not_found(operation, calendar_key(connection_id, calendar_id)) : c;
}

// --- connections

Result<void> SqliteStore::put_connection(const ConnectionRecord& connection) {
    auto ok = check_connection(connection);
    if (!ok.ok())
        return ok;
    Lock lock(mutex_);
    static const std::string text =
        sql({"INSERT INTO connections (", kConnectionColumns,
             ") VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (id) DO UPDATE SET kind = excluded.kind, "
             "account = excluded.account, settings_json = excluded.settings_json, "
             "sealed_credentials = excluded.sealed_credentials, state = excluded.state, "
             "created_at = excluded.created_at"});
    auto q = db_.query(text.c_str(), "put_connection");
    if (!q.ok())
        return q.error();
    return bind_connection(q.value(), connection).run();
}

Result<ConnectionRecord> SqliteStore::get_connection(const std::string& id) {
    Lock lock(mutex_);
    static const std::string text =
        sql({"SELECT ", kConnectionColumns, " FROM connections WHERE id = ?"});
    auto q = db_.query(text.c_str(), "get_connection");
    if (!q.ok())
        return q.error();
    return q->bind(id).single(read_connection, not_found("get_connection", connection_key(id)));
}

Result<std::vector<ConnectionRecord>> SqliteStore::list_connections() {
    Lock lock(mutex_);
    static const std::string text =
        sql({"SELECT ", kConnectionColumns, " FROM connections ORDER BY id"});
    auto q = db_.query(text.c_str(), "list_connections");
    if (!q.ok())
        return q.error();
    return q->collect(read_connection);
}

Result<std::optional<ConnectionRecord>> SqliteStore::find_connection(ProviderKind kind,
                                                                     const std::string& account) {
    Lock lock(mutex_);
    static const std::string text = sql({"SELECT ", kConnectionColumns,
                                         " FROM connections WHERE kind = ? AND account = ? "
                                         "ORDER BY created_at DESC, id DESC LIMIT 1"});
    auto q = db_.query(text.c_str(), "find_connection");
    if (!q.ok())
        return q.error();
    auto found = q->bind(to_string(kind)).bind(account).collect(read_connection);
    if (!found.ok())
        return found.error();
    if (found->empty())
        return std::optional<ConnectionRecord>();
    return std::optional<ConnectionRecord>(std::move(found->front()));
}

Result<void> SqliteStore::set_credentials(const std::string& connection_id,
                                          const std::string& sealed_credentials) {
    Lock lock(mutex_);
    auto q =
        db_.query("UPDATE connections SET sealed_credentials = ? WHERE id = ?", "set_credentials");
    if (!q.ok())
        return q.error();
    auto done = q->bind(sealed_credentials).bind(connection_id).run();
    if (!done.ok())
        return done;
    if (q->changes() == 0)
        return not_found("set_credentials", connection_key(connection_id));
    return {};
}

Result<void> SqliteStore::disconnect_connection(const std::string& id) {
    static const char* const kOperation = "disconnect_connection";
    Lock lock(mutex_);
    auto tx = db_.transaction(kOperation);
    if (!tx.ok())
        return tx.error();
    auto known = require_connection(kOperation, id);
    if (!known.ok())
        return known;
    // Events, cursors, calendar statuses and push channels go with their calendars (ON
    // DELETE CASCADE); the export map and the connection's status stay.
    for (const char* text :
         {"UPDATE connections SET state = 'disconnected', sealed_credentials = '' WHERE id = ?",
          "DELETE FROM calendars WHERE connection_id = ?",
          "DELETE FROM pending_authorizations WHERE connection_id = ?"}) {
        auto done = run(text, kOperation, {id});
        if (!done.ok())
            return done;
    }
    return tx->commit();
}

Result<void> SqliteStore::remove_connection(const std::string& id) {
    static const char* const kOperation = "remove_connection";
    Lock lock(mutex_);
    auto tx = db_.transaction(kOperation);
    if (!tx.ok())
        return tx.error();
    // Everything else hangs off the connection row (ON DELETE CASCADE).
    for (const char* text : {"DELETE FROM pending_authorizations WHERE connection_id = ?",
                             "DELETE FROM connections WHERE id = ?"}) {
        auto done = run(text, kOperation, {id});
        if (!done.ok())
            return done;
    }
    return tx->commit();
}

// --- calendars

Result<void> SqliteStore::put_calendar(const CalendarRecord& calendar) {
    auto ok = check_calendar(calendar);
    if (!ok.ok())
        return ok;
    Lock lock(mutex_);
    auto known = require_connection("put_calendar", calendar.connection_id);
    if (!known.ok())
        return known;
    static const std::string text = sql(
        {"INSERT INTO calendars (connection_id, calendar_id, name, color, time_zone, can_write, "
         "is_primary, selected, direction, tentative_blocks, unanswered_blocks, all_day_blocks) "
         "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) "
         "ON CONFLICT (connection_id, calendar_id) DO UPDATE SET name = excluded.name, "
         "color = excluded.color, time_zone = excluded.time_zone, "
         "can_write = excluded.can_write, is_primary = excluded.is_primary, "
         "selected = excluded.selected, direction = excluded.direction, "
         "tentative_blocks = excluded.tentative_blocks, "
         "unanswered_blocks = excluded.unanswered_blocks, "
         "all_day_blocks = excluded.all_day_blocks"});
    auto q = db_.query(text.c_str(), "put_calendar");
    if (!q.ok())
        return q.error();
    return bind_calendar(q.value(), calendar).run();
}

Result<CalendarRecord> SqliteStore::get_calendar(const std::string& connection_id,
                                                 const std::string& calendar_id) {
    Lock lock(mutex_);
    static const std::string text = sql({"SELECT ", kCalendarColumns,
                                         " FROM calendars WHERE connection_id = ? AND "
                                         "calendar_id = ?"});
    auto q = db_.query(text.c_str(), "get_calendar");
    if (!q.ok())
        return q.error();
    return q->bind(connection_id)
        .bind(calendar_id)
        .single(read_calendar, not_found("get_calendar", calendar_key(connection_id, calendar_id)));
}

Result<std::vector<CalendarRecord>> SqliteStore::list_calendars(const std::string& connection_id) {
    Lock lock(mutex_);
    auto known = require_connection("list_calendars", connection_id);
    if (!known.ok())
        return known.error();
    static const std::string text =
        sql({"SELECT ", kCalendarColumns,
             " FROM calendars WHERE connection_id = ? ORDER BY calendar_id"});
    auto q = db_.query(text.c_str(), "list_calendars");
    if (!q.ok())
        return q.error();
    return q->bind(connection_id).collect(read_calendar);
}

Result<void> SqliteStore::remove_calendar(const std::string& connection_id,
                                          const std::string& calendar_id) {
    Lock lock(mutex_);
    auto known = require_connection("remove_calendar", connection_id);
    if (!known.ok())
        return known;
    return run("DELETE FROM calendars WHERE connection_id = ? AND calendar_id = ?",
               "remove_calendar", {connection_id, calendar_id});
}

// --- statuses

Result<void> SqliteStore::put_status(const char* text, const char* operation,
                                     const std::string& connection_id,
                                     const std::string* calendar_id, const SyncStatus& status) {
    auto known = calendar_id == nullptr ? require_connection(operation, connection_id)
                                        : require_calendar(operation, connection_id, *calendar_id);
    if (!known.ok())
        return known;
    auto q = db_.query(text, operation);
    if (!q.ok())
        return q.error();
    q->bind(connection_id);
    if (calendar_id != nullptr)
        q->bind(*calendar_id);
    return bind_status(q.value(), status).run();
}

Result<void> SqliteStore::put_connection_status(const std::string& connection_id,
                                                const SyncStatus& status) {
    Lock lock(mutex_);
    static const std::string text =
        sql({"INSERT OR REPLACE INTO connection_status (connection_id, ", kStatusColumns,
             ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)"});
    return put_status(text.c_str(), "put_connection_status", connection_id, nullptr, status);
}

Result<void> SqliteStore::put_calendar_status(const std::string& connection_id,
                                              const std::string& calendar_id,
                                              const SyncStatus& status) {
    Lock lock(mutex_);
    static const std::string text =
        sql({"INSERT OR REPLACE INTO calendar_status (connection_id, calendar_id, ", kStatusColumns,
             ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"});
    return put_status(text.c_str(), "put_calendar_status", connection_id, &calendar_id, status);
}

Result<SyncStatus> SqliteStore::get_connection_status(const std::string& connection_id) {
    Lock lock(mutex_);
    static const std::string text = sql({"SELECT c.id, ", kJoinedStatusColumns,
                                         " FROM connections c LEFT JOIN connection_status s ON "
                                         "s.connection_id = c.id WHERE c.id = ?"});
    auto q = db_.query(text.c_str(), "get_connection_status");
    if (!q.ok())
        return q.error();
    auto row = q->bind(connection_id)
                   .single(read_keyed_status,
                           not_found("get_connection_status", connection_key(connection_id)));
    if (!row.ok())
        return row.error();
    return std::move(row->second);
}

Result<std::map<std::string, SyncStatus>> SqliteStore::list_connection_statuses() {
    Lock lock(mutex_);
    static const std::string text = sql({"SELECT c.id, ", kJoinedStatusColumns,
                                         " FROM connections c LEFT JOIN connection_status s ON "
                                         "s.connection_id = c.id ORDER BY c.id"});
    auto q = db_.query(text.c_str(), "list_connection_statuses");
    if (!q.ok())
        return q.error();
    return as_map(q->collect(read_keyed_status));
}

Result<std::map<std::string, SyncStatus>> SqliteStore::list_calendar_statuses(
    const std::string& connection_id) {
    Lock lock(mutex_);
    auto known = require_connection("list_calendar_statuses", connection_id);
    if (!known.ok())
        return known.error();
    static const std::string text =
        sql({"SELECT c.calendar_id, ", kJoinedStatusColumns,
             " FROM calendars c LEFT JOIN calendar_status s ON s.connection_id = c.connection_id "
             "AND s.calendar_id = c.calendar_id WHERE c.connection_id = ? ORDER BY c.calendar_id"});
    auto q = db_.query(text.c_str(), "list_calendar_statuses");
    if (!q.ok())
        return q.error();
    return as_map(q->bind(connection_id).collect(read_keyed_status));
}

// --- OAuth

Result<void> SqliteStore::put_pending_authorization(const PendingAuthorization& pending) {
    auto ok = check_pending_authorization(pending);
    if (!ok.ok())
        return ok;
    Lock lock(mutex_);
    auto q = db_.query(
        "INSERT OR REPLACE INTO pending_authorizations (state, connection_id, "
        "sealed_code_verifier, expires_at) VALUES (?, ?, ?, ?)",
        "put_pending_authorization");
    if (!q.ok())
        return q.error();
    return q->bind(pending.state)
        .bind(pending.connection_id)
        .bind(pending.sealed_code_verifier)
        .bind(pending.expires_at)
        .run();
}

Result<PendingAuthorization> SqliteStore::take_pending_authorization(const std::string& state,
                                                                     Instant now) {
    static const char* const kOperation = "take_pending_authorization";
    Lock lock(mutex_);
    auto tx = db_.transaction(kOperation);
    if (!tx.ok())
        return tx.error();
    // Deleting with RETURNING takes it exactly once; expired ones go first.
    auto purge = db_.query("DELETE FROM pending_authorizations WHERE expires_at <= ?", kOperation);
    if (!purge.ok())
        return purge.error();
    auto purged = purge->bind(now).run();
    if (!purged.ok())
        return purged.error();
    std::vector<PendingAuthorization> taken;
    {
        auto q = db_.query(
            "DELETE FROM pending_authorizations WHERE state = ? "
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

Result<bool> SqliteStore::spend_nonce(const std::string& nonce, Instant expires_at, Instant now) {
    static const char* const kOperation = "spend_nonce";
    Lock lock(mutex_);
    auto tx = db_.transaction(kOperation);
    if (!tx.ok())
        return tx.error();
    auto purge = db_.query("DELETE FROM spent_nonces WHERE expires_at <= ?", kOperation);
    if (!purge.ok())
        return purge.error();
    auto purged = purge->bind(now).run();
    if (!purged.ok())
        return purged.error();
    auto q = db_.query("INSERT OR IGNORE INTO spent_nonces (nonce, expires_at) VALUES (?, ?)",
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

Result<void> SqliteStore::put_push_channel(const PushChannel& channel) {
    auto ok = check_push_channel(channel);
    if (!ok.ok())
        return ok;
    Lock lock(mutex_);
    auto known = require_calendar("put_push_channel", channel.connection_id, channel.calendar_id);
    if (!known.ok())
        return known;
    static const std::string text = sql(
        {"INSERT OR REPLACE INTO push_channels (", kChannelColumns, ") VALUES (?, ?, ?, ?, ?, ?)"});
    auto q = db_.query(text.c_str(), "put_push_channel");
    if (!q.ok())
        return q.error();
    return bind_channel(q.value(), channel).run();
}

Result<PushChannel> SqliteStore::get_push_channel(const std::string& channel_id) {
    Lock lock(mutex_);
    static const std::string text =
        sql({"SELECT ", kChannelColumns, " FROM push_channels WHERE channel_id = ?"});
    auto q = db_.query(text.c_str(), "get_push_channel");
    if (!q.ok())
        return q.error();
    return q->bind(channel_id)
        .single(read_channel, not_found("get_push_channel", "push channel '" + channel_id + "'"));
}

Result<void> SqliteStore::remove_push_channel(const std::string& channel_id) {
    Lock lock(mutex_);
    return run("DELETE FROM push_channels WHERE channel_id = ?", "remove_push_channel",
               {channel_id});
}

Result<std::vector<PushChannel>> SqliteStore::list_push_channels(const std::string& connection_id) {
    Lock lock(mutex_);
    static const std::string text =
        sql({"SELECT ", kChannelColumns,
             " FROM push_channels WHERE connection_id = ? ORDER BY channel_id"});
    auto q = db_.query(text.c_str(), "list_push_channels");
    if (!q.ok())
        return q.error();
    return q->bind(connection_id).collect(read_channel);
}

Result<std::vector<PushChannel>> SqliteStore::list_push_channels_expiring(Instant before) {
    Lock lock(mutex_);
    static const std::string text = sql({"SELECT ", kChannelColumns,
                                         " FROM push_channels WHERE expires_at < ? ORDER BY "
                                         "expires_at, channel_id"});
    auto q = db_.query(text.c_str(), "list_push_channels_expiring");
    if (!q.ok())
        return q.error();
    return q->bind(before).collect(read_channel);
}

}  // namespace calsync::store

namespace calsync {

Result<std::unique_ptr<StateStore>> open_sqlite_store(const std::string& path,
                                                      const SqliteStoreOptions& options) {
    auto db = store::Database::open(path);
    if (!db.ok())
        return db.error();
    auto configured = store::configure_connection(db.value(), options);
    if (!configured.ok())
        return configured.error();
    auto migrated = store::migrate(db.value());
    if (!migrated.ok())
        return migrated.error();
    return std::unique_ptr<StateStore>(std::make_unique<store::SqliteStore>(std::move(db).value()));
}

}  // namespace calsync
