// iCalendar (RFC 5545) <-> model, through libical.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "calsync/model.hpp"
#include "calsync/result.hpp"

namespace calsync {

// The property calsync writes on every exported event; its value is the appointment id.
constexpr const char* kExportMarkerProperty = "X-CALSYNC-APPOINTMENT-ID";

struct IcsReadOptions {
    std::string calendar_id;
    // The calendar owner's addresses; the matching ATTENDEE's PARTSTAT is the owner's
    // response. Compared case-insensitively, with or without "mailto:".
    std::vector<std::string> owner_addresses;
};

struct IcsCalendar {
    std::string name;                // X-WR-CALNAME, empty when absent
    std::string time_zone;           // X-WR-TIMEZONE, empty when absent
    std::vector<Event> events;       // masters with their overrides attached
    std::vector<EventError> errors;  // events skipped, each with the reason
};

// Fails only when the text is not an iCalendar object at all; a bad event is skipped and
// listed in `errors`.
Result<IcsCalendar> read_ics(std::string_view text, const IcsReadOptions& options);

// One VEVENT in a VCALENDAR, as calsync writes its exports: times in UTC (or DATE for
// all-day), the export marker, SUMMARY, STATUS and TRANSP. `dtstamp` is passed in because
// the core has no clock.
std::string write_ics(const Event& event, Instant dtstamp);

// One VEVENT of a published calendar, with the version fields a subscriber compares.
struct IcsFeedEvent {
    Event event;
    Instant dtstamp;
    std::uint32_t sequence = 0;            // SEQUENCE
    std::optional<Instant> last_modified;  // LAST-MODIFIED, omitted when unset
};

struct IcsFeed {
    std::string name;  // NAME (RFC 7986) and X-WR-CALNAME; omitted when empty
    // REFRESH-INTERVAL (RFC 7986) and X-PUBLISHED-TTL; omitted when unset.
    std::optional<std::chrono::seconds> refresh_interval;
    std::vector<IcsFeedEvent> events;  // written in this order
};

// A whole published calendar (no METHOD: RFC 5545 3.7.2, not an iTIP message), each
// VEVENT written as write_ics writes one.
std::string write_ics_feed(const IcsFeed& feed);

}  // namespace calsync
