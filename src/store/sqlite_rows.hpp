// Store records <-> SQLite rows: the column lists and how each is read back. A stored
// name that does not parse (the file was altered by hand) is an error naming the column.
#pragma once

#include "calsync/store.hpp"
#include "store/sqlite_db.hpp"

namespace calsync::store {

constexpr const char* kConnectionColumns =
    "id, kind, account, settings_json, sealed_credentials, state, created_at";
Result<ConnectionRecord> read_connection(const Query& q);
Query& bind_connection(Query& q, const ConnectionRecord& c);

constexpr const char* kCalendarColumns =
    "connection_id, calendar_id, name, color, time_zone, can_write, is_primary, selected, "
    "direction, tentative_blocks, unanswered_blocks, all_day_blocks, cursor";
Result<CalendarRecord> read_calendar(const Query& q);
Query& bind_calendar(Query& q, const CalendarRecord& c);  // all but the cursor

// After the key columns.
constexpr const char* kStatusColumns =
    "state, last_attempt, last_success, last_error, events_read, events_exported, "
    "consecutive_failures, next_due";
// The same, from a status table joined as `s`.
constexpr const char* kJoinedStatusColumns =
    "s.state, s.last_attempt, s.last_success, s.last_error, s.events_read, s.events_exported, "
    "s.consecutive_failures, s.next_due";
Result<SyncStatus> read_status(const Query& q, int first_column);
// A key in column 0, then the status columns, NULL when no status row was joined (that
// record reads as never_synced).
Result<std::pair<std::string, SyncStatus>> read_keyed_status(const Query& q);
Query& bind_status(Query& q, const SyncStatus& s);

constexpr const char* kAppointmentColumns =
    "id, start_at, end_at, client, service, vehicle, notes, status, revision, updated_at";
Result<AppointmentRecord> read_appointment(const Query& q);

constexpr const char* kExportColumns =
    "appointment_id, connection_id, calendar_id, remote_id, etag, content_hash, intent, "
    "intent_hash, updated_at, generation";
Result<ExportRecord> read_export(const Query& q);
Query& bind_export(Query& q, const ExportRecord& e);

constexpr const char* kChannelColumns =
    "channel_id, connection_id, calendar_id, resource_id, sealed_token, expires_at";
Result<PushChannel> read_channel(const Query& q);
Query& bind_channel(Query& q, const PushChannel& c);

Result<std::string> read_text(const Query& q);  // column 0

}  // namespace calsync::store
