// Google lists a recurring event as a master plus one item per exception (a moved,
// changed or cancelled instance, each with its own id); the engine takes a series as one
// Event with its exceptions attached as overrides and replaces events whole, by id. This
// is where the one becomes the other, for a full listing and for an incremental one.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "providers/google/google_event_json.hpp"

namespace calsync::providers::google {

// A complete listing (a full sync, or every item of one iCalUID): each master with its
// exceptions (cancelled ones included, as cancelled overrides, which is how an exclusion
// reaches the expander); an exception whose master is not listed is an event of its own
// (an invitation to a single instance); deleted items are left out.
std::vector<Event> assemble_listing(const std::vector<GoogleItem>& items);

// An exception kept as an event of its own: its own id, no RECURRENCE-ID.
Event standalone_instance(const GoogleItem& item);

// What an incremental listing (changes since a sync token) asks for. A change to a
// series -- its master or any one exception -- cannot be applied from the change alone:
// the engine would replace the series with a partial one. Such series are read again
// whole (`series`), so every ChangeSet upsert is a complete series.
struct IncrementalPlan {
    std::vector<Event> upserts;                     // changed single events, complete as they are
    std::vector<std::string> removals;              // deleted single events and deleted series
    std::vector<std::string> series;                // master ids whose series must be read whole
    std::map<std::string, std::string> series_uid;  // master id -> iCalUID
    std::map<std::string, std::vector<GoogleItem>> instances;  // master id -> changed ones
};
IncrementalPlan plan_incremental(const std::vector<GoogleItem>& items);

}  // namespace calsync::providers::google
