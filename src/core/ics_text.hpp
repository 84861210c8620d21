// iCalendar text made fit for libical before it reads it: content lines unfolded and folded
// again at 75 octets (libical 3.0.16 rescans a physical line once for every 80 octets it
// reads: one unfolded 4 MB line cost 3.8 s), ill-formed UTF-8 replaced, and the work one
// text may cost bounded. What goes over a limit is left out whole and reported: the event
// (or other component) it is in, never the rest of the calendar.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace calsync::ical {

// One content line, unfolded (RFC 5545 3.1). Descriptions run to a few KB; inline
// attachments (ATTACH;VALUE=BINARY) to some hundred KB.
constexpr std::size_t kMaxPropertyBytes = std::size_t{1} << 20;
// Components inside one another: VCALENDAR > VEVENT > VALARM is 3 deep. libical frees a
// component tree recursively, so depth costs stack.
constexpr std::size_t kMaxComponentDepth = 8;
// Components of the calendars in one text (VEVENTs, VTIMEZONEs, ...): libical holds about
// 1 KB for each of them, and a garage's calendar of ten years holds some tens of thousands.
constexpr std::size_t kMaxComponents = 100'000;
// Distinct VTIMEZONEs in one text: a calendar defines the zones its events use (Exchange
// and Apple export one per zone in use); repeated copies (concatenated CalDAV objects each
// carry theirs) do not count, the zone cache builds them once. Each distinct one is a zone
// to build, tens of microseconds now, bounded by its own work budget (vtimezone.cpp).
constexpr std::size_t kMaxTimeZones = 1'000;

struct LeftOut {
    std::string event_id;  // the UID (or "#<n>", the VEVENT's position) of a VEVENT; else ""
    std::string message;   // names the limit
};

// A VTIMEZONE directly inside a VCALENDAR, as it stands in PreparedIcs::text.
struct TimeZoneBlock {
    std::string tzid;       // its one TZID when written plainly ("TZID:" and a value without
                            // a backslash), else "": read only by libical
    std::size_t begin = 0;  // where its BEGIN line starts
    std::size_t end = 0;    // past its END line
};

struct PreparedIcs {
    std::string text;  // what libical reads: CRLF lines of at most 75 octets, valid UTF-8
    std::vector<LeftOut> left_out;
    std::vector<TimeZoneBlock> time_zones;  // the kept ones, in text order
    // Where each kept VEVENT directly inside a VCALENDAR begins, in text order: where a
    // large calendar can be cut to be parsed in parts.
    std::vector<std::size_t> events;
    std::size_t calendars = 0;  // BEGIN:VCALENDARs at the top level
};

// What of a VEVENT its reader reads. libical parses every property into a value (a
// DTSTAMP is a date to parse, an ATTACH a blob to copy); the rest need not reach it.
struct EventPropertiesRead {
    std::vector<std::string_view> names;  // upper case; empty: every property
    bool x_properties = true;             // X-...: the export marker is one
};

// Linear in the text; holds one content line of up to kMaxPropertyBytes besides its output.
// A VEVENT keeps only the properties `read` names, and no component nested in it (VALARM):
// an unread property is dropped whatever its size, so an inline attachment over the
// limit no longer costs its event.
PreparedIcs prepare_for_libical(std::string_view text, const EventPropertiesRead& read = {});

// `prepared`'s one VCALENDAR as `parts` VCALENDARs to parse apart, each with the calendar's
// properties and zones and a contiguous share of its VEVENTs (the first share keeps all that
// precedes the first VEVENT, the last all that follows the last); none when the text is not
// one VCALENDAR written plainly (BEGIN and END in capitals, alone) with its zones before its
// events, has fewer VEVENTs than `parts`, or so long a part before its first VEVENT that its
// copies would exceed the text's size.
std::vector<std::string> cut_into_parts(const PreparedIcs& prepared, std::size_t parts);

}  // namespace calsync::ical
