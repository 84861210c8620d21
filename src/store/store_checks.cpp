#include "store/store_checks.hpp"

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

Error invalid(const char* operation, const std::string& what) {
    return make_error(ErrorCode::invalid_argument, std::string(operation) + ": " + what);
}

Result<void> check_connection(const ConnectionRecord& connection) {
    return need("put_connection", connection.id, "connection id");
}

Result<void> check_calendar(const CalendarRecord& calendar) {
    auto r = need("put_calendar", calendar.connection_id, "connection id");
    if (!r.ok())
        return r;
    return need("put_calendar", calendar.calendar.id, "calendar id");
}

Result<void> check_appointment(const Appointment& appointment) {
    auto r = need("put_appointment", appointment.id, "appointment id");
    if (!r.ok())
        return r;
    if (appointment.time.end < appointment.time.start)
        return invalid("put_appointment",
                       "appointment '" + appointment.id + "' ends before it starts");
    return {};
}

Result<void> check_export(const ExportRecord& record) {
    for (const auto& [value, field] : {std::pair{&record.key.appointment_id, "appointment id"},
                                       std::pair{&record.key.connection_id, "connection id"},
                                       std::pair{&record.key.calendar_id, "calendar id"}}) {
        auto r = need("put_export", *value, field);
        if (!r.ok())
            return r;
    }
    return {};
}

Result<void> check_pending_authorization(const PendingAuthorization& pending) {
    return need("put_pending_authorization", pending.state, "state");
}

Result<void> check_push_channel(const PushChannel& channel) {
    return need("put_push_channel", channel.channel_id, "channel id");
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

}  // namespace calsync::store
