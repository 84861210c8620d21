// VTIMEZONE components as TimeZones, and the TZIDs of one iCalendar object.
#pragma once

#include <libical/ical.h>

#include <map>
#include <string>
#include <string_view>

#include "calsync/result.hpp"
#include "calsync/zone.hpp"
#include "core/ics_text.hpp"

namespace calsync::ical {

// Builds the zone a VTIMEZONE defines (src/core/vtimezone.cpp): a table of its onsets, then
// its open-ended observance rules kept as rules. `definition` is the component's text, kept
// in the zone. Errors name the zone and what is wrong.
Result<ZonePtr> zone_from_vtimezone(icalcomponent* vtimezone, const std::string& name,
                                    std::string definition = {});

// The zone a VTIMEZONE's text defines (as TimeZone::definition() keeps it), through the
// shared cache below: a stored event's zone is rebuilt once per distinct text.
Result<ZonePtr> zone_from_definition(const std::string& text);

// What a text says of its VCALENDAR's VTIMEZONEs before libical reads it. A CalDAV calendar
// repeats its few zones in every object: a definition built before from the same text is
// taken from the cache and left out of what libical reads (it cost most of each object's
// parse, and serialising it again to find it in the cache).
struct ZoneTexts {
    std::map<std::string, ZonePtr, std::less<>> known;        // TZID -> its zone
    std::map<std::string, std::string, std::less<>> unknown;  // TZID -> its text, to build
};

// Takes the known definitions out of `prepared->text`. Only for a text of one VCALENDAR
// whose VTIMEZONEs all have a plain TZID (else nothing is taken: which definition a TZID
// means is then libical's to say); the first definition of a TZID is the one used.
ZoneTexts set_aside_known_zones(PreparedIcs* prepared);

// The zones one VCALENDAR can name: its own VTIMEZONEs first (RFC 5545 3.6.5 and 3.2.19 make
// them authoritative, even over an IANA zone of the same name), then IANA names, then Windows
// zone names (Outlook and Exchange write TZID=Pacific Standard Time without a VTIMEZONE)
// through CLDR's table. A VTIMEZONE is built once per distinct text in a bounded cache shared
// by every calendar, resource and sync of the process (thread safe).
class ZoneCatalog {
  public:
    // Remembers the VTIMEZONEs of `vcalendar`; it must outlive the catalog's lookups.
    // `texts`: what set_aside_known_zones() found for it.
    explicit ZoneCatalog(icalcomponent* vcalendar, ZoneTexts texts = {});
    Result<ZonePtr> resolve(const std::string& tzid);

  private:
    std::map<std::string, icalcomponent*, std::less<>> definitions_;
    std::map<std::string, ZonePtr, std::less<>> built_;
    std::map<std::string, std::string, std::less<>> written_;  // ZoneTexts::unknown
};

}  // namespace calsync::ical
