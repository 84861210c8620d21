// The cursor the sync service stores for a calendar: the provider's own, plus the end of
// the window it was begun with. Google syncTokens and Graph deltaLinks keep the window of
// their first request, so when the sync window has moved on far enough the calendar is
// read again in full (ScheduleSettings::refresh_window_after). Every calendar is also
// read in full now and then (ScheduleSettings::full_read_every).
#pragma once

#include <string>

#include "calsync/civil_time.hpp"

namespace calsync::sync {

struct SyncCursor {
    std::string provider_cursor;  // empty: read everything
    Instant window_end{};         // the end of the window the provider cursor began with
    // When the calendar was last read in full (ScheduleSettings::full_read_every); the
    // epoch for a cursor stored before calsync kept it, so such a calendar is read in full
    // at its next sync.
    Instant last_full{};
};

SyncCursor parse_sync_cursor(const std::string& stored);
std::string format_sync_cursor(const SyncCursor& cursor);

}  // namespace calsync::sync
