// Reading one calendar's changes from Graph, two ways that give the same ChangeSet:
//
// - the default calendar: calendarView/delta over the window (Graph "event: delta", v1.0
//   supports it for the primary calendar only), following @odata.nextLink verbatim and
//   keeping @odata.deltaLink as the cursor; 410 / syncStateNotFound starts over as a full
//   resync.
// - any other calendar: the windowed calendarView listing, paged, compared with the
//   id -> changeKey map kept as the cursor.
#pragma once

#include <chrono>
#include <map>
#include <optional>
#include <string>

#include "calsync/provider.hpp"
#include "providers/microsoft/graph_client.hpp"

namespace calsync::providers::microsoft {

struct ImportOptions {
    int page_size = 100;  // Prefer: odata.maxpagesize
    // Prefer: outlook.timezone. UTC by default: instants need no zone mapping, and all-day
    // events are read by their dates whatever zone they come in. A Windows or IANA name
    // works too (Graph echoes it; Windows names map through CLDR).
    std::string time_zone = "UTC";
    int max_pages = 10'000;  // a server that never ends a round is refused
    // A delta round covers the asked window plus this much ahead, so a window that moves a
    // day at a time keeps its delta state for a week instead of starting over each day.
    std::chrono::hours lookahead{24 * 7};
};

Result<ChangeSet> delta_changes(GraphClient& client, const ImportOptions& options,
                                const std::string& calendar_id, const std::string& cursor,
                                const TimeRange& window);

Result<ChangeSet> listing_changes(GraphClient& client, const ImportOptions& options,
                                  const std::string& calendar_id, const std::string& cursor,
                                  const TimeRange& window);

bool is_delta_cursor(const std::string& cursor);
bool is_listing_cursor(const std::string& cursor);

// The listing cursor: id -> changeKey, ids sorted and front-coded (Graph ids of one
// mailbox share long prefixes), one "<shared length>\t<rest of id>\t<changeKey>" line each.
std::string encode_change_keys(const std::map<std::string, std::string>& keys);
// nullopt when `cursor` is not a readable listing cursor.
std::optional<std::map<std::string, std::string>> decode_change_keys(const std::string& cursor);

}  // namespace calsync::providers::microsoft
