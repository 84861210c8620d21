// StateStore in memory: every record in standard maps behind one recursive mutex (a
// transaction holds it, and the calls its function makes take it again). A transaction
// keeps a copy of the whole state and puts it back when the function fails.
#pragma once

#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <tuple>

#include "calsync/store.hpp"
#include "store/change_application.hpp"

namespace calsync::store {

class MemoryStore final : public StateStore {
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

  private:
    struct CalendarData {
        CalendarRecord record;
        std::map<std::string, PreparedEvent> events;
        std::optional<SyncStatus> status;
    };
    struct ConnectionData {
        ConnectionRecord record;
        std::optional<SyncStatus> status;
        std::map<std::string, CalendarData> calendars;
    };
    using ExportIndex = std::tuple<std::string, std::string, std::string>;
    struct State {
        std::map<std::string, ConnectionData> connections;
        std::map<std::string, AppointmentRecord> appointments;
        std::int64_t last_revision = 0;
        std::map<ExportIndex, ExportRecord> exports;
        std::map<std::string, PendingAuthorization> pending;
        std::map<std::string, Instant> nonces;
        std::map<std::string, PushChannel> channels;
    };

    Result<ConnectionData*> connection(const char* operation, const std::string& id);
    Result<CalendarData*> calendar(const char* operation, const std::string& connection_id,
                                   const std::string& calendar_id);
    template <class Keep>
    std::vector<ExportRecord> exports_where(Keep keep) const;
    void drop_channels(const std::string& connection_id, const std::string* calendar_id);

    std::recursive_mutex mutex_;
    State state_;
};

}  // namespace calsync::store
