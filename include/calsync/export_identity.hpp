// The remote identity of an exported appointment: the one place its iCalendar UID is made.
// Core, not engine, so providers (which write the UID when an event comes without one) and
// the export engine derive it alike.
#pragma once

#include <string>
#include <string_view>

namespace calsync {

// "calsync-<appointment id>@<uid_domain>", or "calsync-<appointment id>" when `uid_domain`
// is empty (the form exports had before the domain existed, kept so they are recognised).
// RFC 5545 3.8.4.7 recommends a domain on the right-hand side so UIDs stay unique across
// publishers: a host serving several businesses should give each its own domain.
// The same appointment always gets the same UID, in every export calendar and in the team
// feed, so a retry finds the first write and subscribers see updates, not duplicates.
std::string export_uid(std::string_view appointment_id, std::string_view uid_domain);

}  // namespace calsync
