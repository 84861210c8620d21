// StateStore on SQLite: one connection (sqlite_db.hpp) behind one recursive mutex, so
// calls from several threads are serialised and a transaction() holds the connection
// while the calls its function makes take the mutex again. Every write is a transaction
// (a SAVEPOINT inside an outer one). The schema and its migrations: sqlite_schema.cpp.
#pragma once

#include <initializer_list>
#include <mutex>
#include <string>
#include <string_view>

#include "calsync/store.hpp"
#include "store/sqlite_db.hpp"

namespace calsync::store {

class SqliteStore final : public StateStore {
  public:
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

    explicit SqliteStore(Database db) : db_(std::move(db)) {}

  private:
    using Lock = std::lock_guard<std::recursive_mutex>;

    // One statement with text parameters, stepped to its end.
    Result<void> run(const char* sql, const char* operation,
                     std::initializer_list<std::string_view> values);
    // Whether the statement yields a row.
    Result<bool> exists(const char* sql, const char* operation,
                        std::initializer_list<std::string_view> values);
    Result<void> require_connection(const char* operation, const std::string& id);
    Result<void> require_calendar(const char* operation, const std::string& connection_id,
                                  const std::string& calendar_id);
    Result<std::vector<ExportRecord>> exports_where(const char* sql, const char* operation,
                                                    std::initializer_list<std::string_view> keys);
    Result<void> put_status(const char* sql, const char* operation,
                            const std::string& connection_id, const std::string* calendar_id,
                            const SyncStatus& status);

    std::recursive_mutex mutex_;
    Database db_;
};

}  // namespace calsync::store
