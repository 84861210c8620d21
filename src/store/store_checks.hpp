// What every StateStore implementation checks before it writes, and how it words the
// failure: what could not be done, in words ("could not mark a connection due"), and the
// keys involved, never a store call's name, a credential or event data.
#pragma once

#include <string>

#include "calsync/fleet.hpp"
#include "calsync/store.hpp"

namespace calsync::store {

std::string connection_key(const std::string& connection_id);
std::string calendar_key(const std::string& connection_id, const std::string& calendar_id);
std::string export_key(const ExportKey& key);

// "could not <operation>: <why>"; `operation` is a phrase a host's user can read ("store an
// appointment", "open '/var/lib/calsync.db'"). Every store and fleet failure is worded here.
std::string could_not(const char* operation, const std::string& why);

Error not_found(const char* operation, const std::string& what);
Error invalid(const char* operation, const std::string& what);
// NOT_FOUND: "could not <operation>: no connection 'c1' in business 'b1'".
Error unknown_in_business(const char* operation, const std::string& connection_id,
                          const std::string& business_id);
// The worker's lease ended under it: another worker took the connection over.
Error lease_lost(const char* operation, const Lease& lease);

// 1 to 200 bytes.
Result<void> check_business_id(const std::string& business_id);
Result<void> check_connection(const ConnectionRecord& connection);
Result<void> check_calendar(const CalendarRecord& calendar);
Result<void> check_appointment(const Appointment& appointment);
Result<void> check_export(const ExportRecord& record);
Result<void> check_pending_authorization(const PendingAuthorization& pending);
Result<void> check_push_channel(const PushChannel& channel);
Result<void> check_slot_changes(const SlotChanges& changes);

// Equal in every field the store keeps (a put of equal content keeps the revision).
bool same_appointment(const Appointment& a, const Appointment& b);

}  // namespace calsync::store
