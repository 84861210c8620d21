// StateStore on an SQL database, one business's view: SQLite (Db = Database,
// sqlite_db.hpp) or PostgreSQL (Db = PgDatabase, pg_db.hpp), which offer the same
// query/transaction interface, so both run the same statements (`?` parameters, upserts as
// INSERT ... ON CONFLICT, RETURNING: the dialect both speak). One connection behind one
// recursive mutex, so calls from several threads are serialised and a transaction() holds
// the connection while the calls its function makes take the mutex again. Every write is
// a transaction (a SAVEPOINT inside an outer one). Every statement names the view's
// business. The member definitions are in sql_store_*.hpp, instantiated once per database
// (sqlite_store.cpp, pg_store.cpp).
#pragma once

#include <initializer_list>
#include <mutex>
#include <set>
#include <string>
#include <string_view>
#include <unordered_map>

#include "calsync/fleet.hpp"
#include "calsync/store.hpp"

namespace calsync::store {

template <class Db>
class SqlStore final : public StateStore {
  public:
    using Query = typename Db::Query;

    // Called with the view's connection when the view closes (a fleet keeps it for its
    // next view); empty: the connection closes with the view.
    using Release = std::function<void(Db)>;

    SqlStore(Db db, std::string business_id, Release release = {})
        : db_(std::move(db)), business_(std::move(business_id)), release_(std::move(release)) {}
    ~SqlStore() override {
        if (release_)
            release_(std::move(db_));
    }
    SqlStore(const SqlStore&) = delete;
    SqlStore& operator=(const SqlStore&) = delete;

    Result<void> transaction(const std::function<Result<void>()>& fn) override;

    Result<void> put_connection(const ConnectionRecord& connection) override;
    Result<ConnectionRecord> get_connection(const std::string& id) override;
    Result<std::vector<ConnectionRecord>> list_connections() override;
    Result<std::optional<ConnectionRecord>> find_connection(ProviderKind kind,
                                                            const std::string& account) override;
    Result<void> set_credentials(const std::string& connection_id,
                                 const std::string& sealed_credentials) override;
    Result<void> disconnect_connection(const std::string& id) override;
    Result<void> remove_connection(const std::string& id) override;

    Result<void> put_calendar(const CalendarRecord& calendar) override;
    Result<CalendarRecord> get_calendar(const std::string& connection_id,
                                        const std::string& calendar_id) override;
    Result<std::vector<CalendarRecord>> list_calendars(const std::string& connection_id) override;
    Result<void> remove_calendar(const std::string& connection_id,
                                 const std::string& calendar_id) override;

    Result<AppliedChanges> apply_changes(const std::string& connection_id,
                                         const std::string& calendar_id,
                                         const ChangeSet& changes) override;
    Result<std::vector<Event>> load_events(const std::string& connection_id,
                                           const std::string& calendar_id) override;

    Result<AppointmentRecord> put_appointment(const Appointment& appointment, Instant now) override;
    Result<AppointmentRecord> get_appointment(const std::string& id) override;
    Result<std::vector<AppointmentRecord>> list_appointments() override;
    Result<std::vector<AppointmentRecord>> list_appointments_since(std::int64_t revision) override;

    Result<void> put_export(const ExportRecord& record) override;
    Result<ExportRecord> get_export(const ExportKey& key) override;
    Result<void> remove_export(const ExportKey& key) override;
    Result<std::vector<ExportRecord>> list_exports(const std::string& connection_id,
                                                   const std::string& calendar_id) override;
    Result<std::vector<ExportRecord>> list_connection_exports(
        const std::string& connection_id) override;
    Result<std::vector<ExportRecord>> list_appointment_exports(
        const std::string& appointment_id) override;

    Result<void> put_connection_status(const std::string& connection_id,
                                       const SyncStatus& status) override;
    Result<SyncStatus> get_connection_status(const std::string& connection_id) override;
    Result<std::map<std::string, SyncStatus>> list_connection_statuses() override;
    Result<void> put_calendar_status(const std::string& connection_id,
                                     const std::string& calendar_id,
                                     const SyncStatus& status) override;
    Result<std::map<std::string, SyncStatus>> list_calendar_statuses(
        const std::string& connection_id) override;

    Result<void> put_pending_authorization(const PendingAuthorization& pending) override;
    Result<PendingAuthorization> take_pending_authorization(const std::string& state,
                                                            Instant now) override;
    Result<bool> spend_nonce(const std::string& nonce, Instant expires_at, Instant now) override;

    Result<void> put_push_channel(const PushChannel& channel) override;
    Result<PushChannel> get_push_channel(const std::string& channel_id) override;
    Result<void> remove_push_channel(const std::string& channel_id) override;
    Result<std::vector<PushChannel>> list_push_channels(const std::string& connection_id) override;
    Result<std::vector<PushChannel>> list_push_channels_expiring(Instant before) override;

    Result<void> put_business_settings(const std::string& settings_json) override;
    Result<std::optional<std::string>> find_business_settings() override;

    Result<void> apply_slot_changes(const std::string& connection_id,
                                    const std::string& calendar_id,
                                    const SlotChanges& changes) override;
    Result<std::vector<StoredSlot>> list_blocked_slots(const TimeRange& range) override;
    Result<std::optional<TimeRange>> find_slot_window(const std::string& connection_id,
                                                      const std::string& calendar_id) override;
    Result<ConnectionSnapshot> read_connection_snapshot(const std::string& connection_id) override;
    Result<ExportInputs> read_export_inputs(const std::string& connection_id,
                                            const std::string& calendar_id) override;
    Result<void> put_sync_end(const std::string& connection_id, const SyncEnd& end) override;

    // Whether `lease` is still its connection's current one (lease_lost otherwise); in
    // PostgreSQL the queue row stays share-locked until the caller's transaction ends, so
    // no claim slips between the check and the writes it guards.
    Result<void> check_lease(const Lease& lease);
    // Releases `lease` and stores its connection's sync end (put_sync_end) together: with
    // Db::kWritingCtes in one statement, a single round trip; otherwise in a transaction.
    // lease_lost, and nothing written, when the lease is no longer its holder's.
    Result<void> end_leased_sync(const Lease& lease, const SyncEnd& end);

  private:
    using Lock = std::lock_guard<std::recursive_mutex>;

    // Releases `lease` (kReleaseLeaseSql) on the view's connection, for end_leased_sync's
    // transaction, where its row lock also guards the writes as check_lease's does.
    // lease_lost when the fence is stale.
    Result<void> release_lease(const Lease& lease, std::optional<Instant> next_due,
                               const char* operation);

    // One statement with text parameters after the business id, stepped to its end.
    Result<void> run(const char* sql, const char* operation,
                     std::initializer_list<std::string_view> values);
    // Whether the statement yields a row.
    Result<bool> exists(const char* sql, const char* operation,
                        std::initializer_list<std::string_view> values);
    // A DELETE of the business's rows expired at `now` (its parameters: business, now).
    Result<void> delete_expired(const char* sql, const char* operation, Instant now);
    Result<void> require_connection(const char* operation, const std::string& id);
    Result<void> require_calendar(const char* operation, const std::string& connection_id,
                                  const std::string& calendar_id);
    template <class Rows>
    Result<Rows> unless_unknown(Result<Rows> rows, const char* operation,
                                const std::string& connection_id);
    Result<std::vector<ExportRecord>> exports_where(const char* sql, const char* operation,
                                                    std::initializer_list<std::string_view> keys);
    // The events of load_events' statement `q`, run: the calendar's existence is asked
    // only when it holds none.
    Result<std::vector<Event>> events_of(Query& q, const std::string& connection_id,
                                         const std::string& calendar_id);
    Result<void> put_status(const char* sql, const char* operation,
                            const std::string& connection_id, const std::string* calendar_id,
                            const SyncStatus& status);
    // The status record made, once an update found none: not_found when its connection or
    // calendar is unknown.
    Result<void> make_status(const char* sql, const char* operation,
                             const std::string& connection_id, const std::string* calendar_id,
                             const SyncStatus& status);
    // Inserts `slots` of a calendar (apply_slot_changes' rows).
    Result<void> insert_slots(const std::string& connection_id, const std::string& calendar_id,
                              const std::vector<BlockedSlot>& slots, const char* operation);
    // Deletes the zone definitions of `keys` no event of any business refers to any more
    // (sql_store_events.hpp); run in the transaction that removed the references.
    Result<void> collect_zones(const std::set<std::string>& keys, const char* operation);
    // The zones the events of a connection (or of one of its calendars) refer to.
    Result<std::set<std::string>> zones_of(const char* operation, const std::string& connection_id,
                                           const std::string* calendar_id = nullptr);
    // A zone object of zone_definitions (stored_zones.hpp), kept once read: a key's text
    // never changes.
    Result<std::string> stored_zone(const std::string& key);
    // A prepared statement with the business id bound as its first parameter, then `values`.
    Result<Query> business_query(const char* sql, const char* operation,
                                 std::initializer_list<std::string_view> values = {});

    std::recursive_mutex mutex_;
    Db db_;
    const std::string business_;
    std::unordered_map<std::string, std::string> zone_cache_;
    Release release_;
};

// "INSERT INTO table (keys..., columns...) VALUES (?...) ON CONFLICT (keys) DO UPDATE SET
// column = excluded.column ...": a put that replaces by key, in SQLite's and PostgreSQL's
// common dialect (neither INSERT OR REPLACE nor MERGE is).
std::string upsert_sql(const char* table, const char* key_columns, const char* columns);
// "column = excluded.column, ..." for each of `columns` (comma separated): an upsert's
// assignments.
std::string excluded_assignments(const char* columns);

}  // namespace calsync::store
