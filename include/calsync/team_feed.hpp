// The team-sharing feed: appointments as one iCalendar document (RFC 5545) the host serves
// as a subscription URL that team members add to their own calendar apps. Pure: the
// generation time comes in as an argument.
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "calsync/export_render.hpp"
#include "calsync/model.hpp"

namespace calsync {

// A host-kept version of one appointment (e.g. its row version and updated-at time).
struct FeedRevision {
    std::uint32_t sequence = 0;  // SEQUENCE: raise it on every change of the appointment
    Instant last_modified{};     // LAST-MODIFIED and DTSTAMP
};

struct TeamFeedOptions {
    std::string calendar_name;  // X-WR-CALNAME and NAME (RFC 7986); omitted when empty
    // Rendering, UID domain and privacy mode: the same as the exports, so an appointment
    // has one UID in every export calendar and in the feed.
    ExportOptions render;
    // Per appointment id. An appointment with a revision gets SEQUENCE and LAST-MODIFIED
    // from it, and DTSTAMP = last_modified (RFC 5545 3.8.7.2: without METHOD, DTSTAMP is
    // the last revision). Without one: SEQUENCE:0, no LAST-MODIFIED, DTSTAMP = the
    // generation time. Either way the text depends only on the arguments.
    std::map<std::string, FeedRevision> revisions;
    // REFRESH-INTERVAL (RFC 7986) and X-PUBLISHED-TTL (Apple, Outlook): how often
    // subscribers should fetch again; omitted when unset.
    std::optional<std::chrono::seconds> refresh_interval;
};

// One VCALENDAR (VERSION, PRODID, no METHOD: a published calendar, not an iTIP message)
// with one VEVENT per booked appointment, rendered by render_export and sorted by
// appointment id. Cancelled appointments are left out: a subscription is re-read whole,
// so an omitted event disappears from every client, while STATUS:CANCELLED is shown as
// an ordinary event by some clients. Times are UTC; each VEVENT carries the export
// marker, so a calendar that imports the feed never blocks on it.
std::string write_team_feed(const std::vector<Appointment>& appointments,
                            const TeamFeedOptions& options, Instant dtstamp);

}  // namespace calsync
