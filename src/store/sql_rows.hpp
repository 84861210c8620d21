// Store records <-> SQL rows, for every SQL database (SQLite's Query, PostgreSQL's
// PgQuery: the same bind/read interface): the column lists and how each is read back. A
// stored name that does not parse (the database was altered by hand) is an error naming
// the column. Business ids are bound by the caller, before a record's columns.
#pragma once

#include <string>
#include <utility>

#include "calsync/store.hpp"

namespace calsync::store {

inline Error bad_column(const char* table, const char* column, const std::string& value) {
    return make_error(ErrorCode::parse, std::string("store: ") + table + "." + column +
                                            ": unknown value '" + value + "'");
}

template <class Enum, class Q>
Result<Enum> name_column(const Q& q, int column, std::optional<Enum> (*parse)(std::string_view),
                         const char* table, const char* name) {
    const std::string text = q.text(column);
    auto value = parse(text);
    if (!value)
        return bad_column(table, name, text);
    return *value;
}

constexpr const char* kConnectionColumns =
    "id, kind, account, settings_json, sealed_credentials, state, created_at";

template <class Q>
Result<ConnectionRecord> read_connection(const Q& q) {
    ConnectionRecord c;
    c.id = q.text(0);
    auto kind = name_column(q, 1, provider_kind_from_string, "connections", "kind");
    if (!kind.ok())
        return kind.error();
    c.kind = kind.value();
    c.account = q.text(2);
    c.settings_json = q.text(3);
    c.sealed_credentials = q.text(4);
    auto state = name_column(q, 5, connection_state_from_string, "connections", "state");
    if (!state.ok())
        return state.error();
    c.state = state.value();
    c.created_at = q.instant(6);
    return c;
}

template <class Q>
Q& bind_connection(Q& q, const ConnectionRecord& c) {
    return q.bind(c.id)
        .bind(to_string(c.kind))
        .bind(c.account)
        .bind(c.settings_json)
        .bind(c.sealed_credentials)
        .bind(to_string(c.state))
        .bind(c.created_at);
}

constexpr const char* kCalendarColumns =
    "connection_id, calendar_id, name, color, time_zone, can_write, is_primary, selected, "
    "direction, tentative_blocks, unanswered_blocks, all_day_blocks, cursor";

template <class Q>
Result<CalendarRecord> read_calendar(const Q& q) {
    CalendarRecord c;
    c.connection_id = q.text(0);
    c.calendar.id = q.text(1);
    c.calendar.name = q.text(2);
    c.calendar.color = q.text(3);
    c.calendar.time_zone = q.text(4);
    c.calendar.can_write = q.boolean(5);
    c.calendar.is_primary = q.boolean(6);
    c.selected = q.boolean(7);
    auto direction = name_column(q, 8, calendar_direction_from_string, "calendars", "direction");
    if (!direction.ok())
        return direction.error();
    c.direction = direction.value();
    c.policy.tentative_blocks = q.boolean(9);
    c.policy.unanswered_blocks = q.boolean(10);
    c.policy.all_day_blocks = q.boolean(11);
    c.cursor = q.text(12);
    return c;
}

// All but the cursor.
template <class Q>
Q& bind_calendar(Q& q, const CalendarRecord& c) {
    return q.bind(c.connection_id)
        .bind(c.calendar.id)
        .bind(c.calendar.name)
        .bind(c.calendar.color)
        .bind(c.calendar.time_zone)
        .bind(c.calendar.can_write)
        .bind(c.calendar.is_primary)
        .bind(c.selected)
        .bind(to_string(c.direction))
        .bind(c.policy.tentative_blocks)
        .bind(c.policy.unanswered_blocks)
        .bind(c.policy.all_day_blocks);
}

// After the key columns.
constexpr const char* kStatusColumns =
    "state, last_attempt, last_success, last_error, events_read, events_exported, "
    "consecutive_failures, next_due";
// The same, as an UPDATE's assignments, bound in the same order.
constexpr const char* kStatusAssignments =
    "state = ?, last_attempt = ?, last_success = ?, last_error = ?, events_read = ?, "
    "events_exported = ?, consecutive_failures = ?, next_due = ?";
// The same, from a status table joined as `s`.
constexpr const char* kJoinedStatusColumns =
    "s.state, s.last_attempt, s.last_success, s.last_error, s.events_read, s.events_exported, "
    "s.consecutive_failures, s.next_due";

template <class Q>
Result<SyncStatus> read_status(const Q& q, int first) {
    SyncStatus s;
    auto state = name_column(q, first, sync_state_from_string, "status", "state");
    if (!state.ok())
        return state.error();
    s.state = state.value();
    s.last_attempt = q.optional_instant(first + 1);
    s.last_success = q.optional_instant(first + 2);
    s.last_error = q.text(first + 3);
    s.events_read = q.integer(first + 4);
    s.events_exported = q.integer(first + 5);
    s.consecutive_failures = static_cast<int>(q.integer(first + 6));
    s.next_due = q.optional_instant(first + 7);
    return s;
}

// A key in column 0, then the status columns, NULL when no status row was joined (that
// record reads as never_synced).
template <class Q>
Result<std::pair<std::string, SyncStatus>> read_keyed_status(const Q& q) {
    if (q.is_null(1))
        return std::pair{q.text(0), SyncStatus{}};
    auto s = read_status(q, 1);
    if (!s.ok())
        return s.error();
    return std::pair{q.text(0), std::move(s).value()};
}

template <class Q>
Q& bind_status(Q& q, const SyncStatus& s) {
    return q.bind(to_string(s.state))
        .bind(s.last_attempt)
        .bind(s.last_success)
        .bind(s.last_error)
        .bind(s.events_read)
        .bind(s.events_exported)
        .bind(s.consecutive_failures)
        .bind(s.next_due);
}

constexpr const char* kAppointmentColumns =
    "id, start_at, end_at, client, service, vehicle, notes, status, revision, updated_at";

template <class Q>
Result<AppointmentRecord> read_appointment(const Q& q) {
    AppointmentRecord r;
    Appointment& a = r.appointment;
    a.id = q.text(0);
    a.time = {q.instant(1), q.instant(2)};
    a.client = q.text(3);
    a.service = q.text(4);
    a.vehicle = q.text(5);
    a.notes = q.text(6);
    const std::string status = q.text(7);
    if (status == "booked")
        a.status = AppointmentStatus::booked;
    else if (status == "cancelled")
        a.status = AppointmentStatus::cancelled;
    else
        return bad_column("appointments", "status", status);
    r.revision = q.integer(8);
    r.updated_at = q.instant(9);
    return r;
}

constexpr const char* kExportColumns =
    "appointment_id, connection_id, calendar_id, remote_id, etag, content_hash, intent, "
    "intent_hash, updated_at, generation";

template <class Q>
Result<ExportRecord> read_export(const Q& q) {
    ExportRecord e;
    e.key = {q.text(0), q.text(1), q.text(2)};
    e.remote_id = q.text(3);
    e.etag = q.text(4);
    e.content_hash = q.text(5);
    auto intent = name_column(q, 6, export_intent_from_string, "exports", "intent");
    if (!intent.ok())
        return intent.error();
    e.intent = intent.value();
    e.intent_hash = q.text(7);
    e.updated_at = q.instant(8);
    e.generation = q.integer(9);
    return e;
}

template <class Q>
Q& bind_export(Q& q, const ExportRecord& e) {
    return q.bind(e.key.appointment_id)
        .bind(e.key.connection_id)
        .bind(e.key.calendar_id)
        .bind(e.remote_id)
        .bind(e.etag)
        .bind(e.content_hash)
        .bind(to_string(e.intent))
        .bind(e.intent_hash)
        .bind(e.updated_at)
        .bind(e.generation);
}

constexpr const char* kChannelColumns =
    "channel_id, connection_id, calendar_id, resource_id, sealed_token, expires_at";

template <class Q>
Result<PushChannel> read_channel(const Q& q) {
    return PushChannel{q.text(0), q.text(1), q.text(2), q.text(3), q.text(4), q.instant(5)};
}

template <class Q>
Q& bind_channel(Q& q, const PushChannel& c) {
    return q.bind(c.channel_id)
        .bind(c.connection_id)
        .bind(c.calendar_id)
        .bind(c.resource_id)
        .bind(c.sealed_token)
        .bind(c.expires_at);
}

template <class Q>
Result<std::string> read_text(const Q& q) {  // column 0
    return q.text(0);
}

}  // namespace calsync::store
