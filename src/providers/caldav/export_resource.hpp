// Where an exported appointment lives in a CalDAV calendar, and how an event found there
// is known to be ours. The identity derives from the appointment id (design.md): the
// resource name (create_event's PUT target) and the UID (export_uid). calsync's
// X-CALSYNC-APPOINTMENT-ID property is a hint only: other calendar apps are free to drop
// X- properties when they rewrite an event (RFC 5545 3.8.8.2), and the event stays ours.
#pragma once

#include <string>

namespace calsync::providers::caldav {

// The resource name calsync gives the export of `appointment_id`: the id, reduced to
// characters every server takes in a path segment, and ".ics".
std::string export_resource_name(const std::string& appointment_id);

// The appointment whose export an event at `href` with `uid` is, recognised by both
// halves of the derived identity: the last path segment is export_resource_name(id) and
// the UID is export_uid(id, any domain or none). Empty when the event is not an export.
std::string exported_appointment(const std::string& href, const std::string& uid);

}  // namespace calsync::providers::caldav
