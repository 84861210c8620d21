// Zones stored once per distinct definition (issue 16, item 4). An event whose time is in
// a zone that is not IANA's carries the zone's whole definition in its stored JSON
// (event_json.hpp: the VTIMEZONE text, or a transition table): 1-17 KB repeated in every
// event of a calendar. The SQL stores keep each such "zone" object once, in the table
// zone_definitions keyed by its SHA-256, and the event's body holds {"stored":"<key>"}
// instead; reading puts the object back byte for byte, so the body the JSON reader and
// apply_changes' comparison see is the one json::write_event made. event_zones lists the
// references of each event, and a definition goes with the last event that referred to it
// (SqlStore::collect_zones).
//
// The text is our own writer's JSON (RapidJSON, no whitespace): a "zone" key followed by
// an object can only be the zone of a time (a quote inside a string value is escaped).
#pragma once

#include <functional>
#include <map>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "calsync/result.hpp"

namespace calsync::store {

struct CompactedBody {
    std::string body;  // with every large zone object replaced by a reference
    // Key and text of each zone object not in `known` before (compact_zones).
    std::vector<std::pair<std::string, std::string>> zones;
    // The key of every reference in `body`, once each: the rows of event_zones.
    std::vector<std::string> references;
};

// Zone objects shorter than this stay inline: a reference would save nothing.
inline constexpr std::size_t kInlineZoneBytes = 96;

// The keys of the zone objects met so far, by their text. The events of a calendar share a
// few zones: each is hashed, and listed for writing, once per batch of bodies.
using ZoneKeys = std::map<std::string, std::string, std::less<>>;

// Compacts one body; `known` is the batch's (the zones it adds are in the result's `zones`).
CompactedBody compact_zones(std::string_view body, ZoneKeys* known);

// Whether a stored body holds a reference (if not, the event has no rows in event_zones).
bool refers_to_zones(std::string_view stored_body);

// The body with every reference replaced by its zone object; `zone(key)` finds one
// (not_found when a key is unknown: the database lost a row).
Result<std::string> expand_zones(
    std::string_view body, const std::function<Result<std::string>(const std::string&)>& zone);

}  // namespace calsync::store
