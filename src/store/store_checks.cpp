#include "store/store_checks.hpp"

#include <algorithm>
#include <tuple>

namespace calsync::store {
namespace {

Result<void> need(const char* operation, const std::string& value, const char* field) {
    if (value.empty())
        return invalid(operation, std::string(field) + " must not be empty");
    return {};
}

}  // namespace

std::string connection_key(const std::string& connection_id) {
    return "connection '" + connection_id + "'";
}

std::string calendar_key(const std::string& connection_id, const std::string& calendar_id) {
    return "calendar '" + calendar_id + "' of connection '" + connection_id + "'";
}

std::string export_key(const ExportKey& key) {
    return "export of appointment '" + key.appointment_id + "' to " +
           calendar_key(key.connection_id, key.calendar_id);
}

// The message reaches people (a host's error page, the CLI): it names what is missing, not
// the store call that looked for it ("get_appointment").
Error not_found(const char* /*operation*/, const std::string& what) {
    return make_error(ErrorCode::not_found, "no " + what);
}

std::string could_not(const char* operation, const std::string& why) {
    return std::string("could not ") + operation + ": " + why;
}

Error invalid(const char* operation, const std::string& what) {
    return make_error(ErrorCode::invalid_argument, could_not(operation, what));
}

Error unknown_in_business(const char* operation, const std::string& connection_id,
                          const std::string& business_id) {
    return make_error(ErrorCode::not_found,
                      could_not(operation, "no " + connection_key(connection_id) +
                                               " in business '" + business_id + "'"));
}

Error lease_lost(const char* operation, const Lease& lease) {
    return make_error(
        ErrorCode::lease_lost,
        could_not(operation, "the lease of worker '" + lease.owner + "' on " +
                                 connection_key(lease.connection_id) + " of business '" +
                                 lease.business_id + "' (fence " + std::to_string(lease.fence) +
                                 ") was taken over or released"));
}

Result<void> check_connection(const ConnectionRecord& connection) {
    return need("store a connection", connection.id, "connection id");
}

Result<void> check_calendar(const CalendarRecord& calendar) {
    auto r = need("store a calendar", calendar.connection_id, "connection id");
    if (!r.ok())
        return r;
    return need("store a calendar", calendar.calendar.id, "calendar id");
}

Result<void> check_appointment(const Appointment& appointment) {
    auto r = need("store an appointment", appointment.id, "appointment id");
    if (!r.ok())
        return r;
    if (appointment.time.end < appointment.time.start)
        return invalid("store an appointment",
                       "appointment '" + appointment.id + "' ends before it starts");
    return {};
}

Result<void> check_export(const ExportRecord& record) {
    for (const auto& [value, field] : {std::pair{&record.key.appointment_id, "appointment id"},
                                       std::pair{&record.key.connection_id, "connection id"},
                                       std::pair{&record.key.calendar_id, "calendar id"}}) {
        auto r = need("record an export", *value, field);
        if (!r.ok())
            return r;
    }
    return {};
}

Result<void> check_pending_authorization(const PendingAuthorization& pending) {
    return need("store a pending sign-in", pending.state, "state");
}

Result<void> check_push_channel(const PushChannel& channel) {
    return need("store a push channel", channel.channel_id, "channel id");
}

bool same_appointment(const Appointment& a, const Appointment& b) {
    return std::tie(a.id, a.time.start, a.time.end, a.client, a.service, a.vehicle, a.notes,
                    a.status) == std::tie(b.id, b.time.start, b.time.end, b.client, b.service,
                                          b.vehicle, b.notes, b.status);
}

Result<void> check_business_id(const std::string& business_id) {
    if (business_id.empty() || business_id.size() > 200)
        return make_error(ErrorCode::invalid_argument,
                          "store: a business id is 1 to 200 bytes (got " +
                              std::to_string(business_id.size()) + ")");
    return {};
}

Result<void> check_slot_changes(const SlotChanges& changes) {
    const auto bad =
        std::find_if(changes.slots.begin(), changes.slots.end(),
                     [](const BlockedSlot& s) { return !(s.range.start < s.range.end); });
    if (bad != changes.slots.end())
        return invalid("store blocked slot changes",
                       "slot of event '" + bad->event_id + "': its range is empty or reversed");
    if (changes.window && !changes.replace_all)
        return invalid("store blocked slot changes",
                       "a slot window is kept only when the calendar's slots are written "
                       "whole");
    if (changes.window && !(changes.window->start < changes.window->end))
        return invalid("store blocked slot changes", "the slot window is empty or reversed");
    return {};
}

}  // namespace calsync::store
