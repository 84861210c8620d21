// The Google event id calsync chooses for an export: derived from the appointment id, so
// a retry after a lost response names the same event (and gets 409, not a second event).
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace calsync::providers::google {

// RFC 4648 section 7 "base32hex", lower case, no padding: the alphabet Google allows in
// client-chosen ids (a-v, 0-9; length 5 to 1024).
std::string base32hex(std::string_view bytes);

// "calsync:" + marker in base32hex (always starts with 'c'); a marker too long for the
// 1024-character limit is hashed instead ('h' + base32hex(SHA-256)). Stable: the same
// marker always gives the same id.
std::string export_event_id(std::string_view export_marker);

// The marker `event_id` was derived from, when export_event_id made it ('c' ids; a hashed
// one cannot be read back): the identity of an export even when another app dropped its
// extendedProperties marker. nullopt for any other id (Google's own, an instance's).
std::optional<std::string> marker_of_event_id(std::string_view event_id);

}  // namespace calsync::providers::google
