// What every StateStore implementation checks before it writes, and how it words the
// failure: one operation name and the keys involved, never a credential or event data.
#pragma once

#include <string>

#include "calsync/store.hpp"

namespace calsync::store {

std::string connection_key(const std::string& connection_id);
std::string calendar_key(const std::string& connection_id, const std::string& calendar_id);
std::string export_key(const ExportKey& key);

Error not_found(const char* operation, const std::string& what);
Error invalid(const char* operation, const std::string& what);

// 1 to 200 bytes.
Result<void> check_business_id(const std::string& business_id);
Result<void> check_connection(const ConnectionRecord& connection);
Result<void> check_calendar(const CalendarRecord& calendar);
Result<void> check_appointment(const Appointment& appointment);
Result<void> check_export(const ExportRecord& record);
Result<void> check_pending_authorization(const PendingAuthorization& pending);
Result<void> check_push_channel(const PushChannel& channel);

// Equal in every field the store keeps (a put of equal content keeps the revision).
bool same_appointment(const Appointment& a, const Appointment& b);

}  // namespace calsync::store
