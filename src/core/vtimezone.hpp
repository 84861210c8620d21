// VTIMEZONE components as TimeZones, and the TZIDs of one iCalendar object.
#pragma once

#include <libical/ical.h>

#include <map>
#include <string>
#include <string_view>

#include "calsync/result.hpp"
#include "calsync/zone.hpp"

namespace calsync::ical {

// Builds the zone a VTIMEZONE defines (src/core/vtimezone.cpp): a table of its onsets, then
// its open-ended observance rules kept as rules. `definition` is the component's text, kept
// in the zone. Errors name the zone and what is wrong.
Result<ZonePtr> zone_from_vtimezone(icalcomponent* vtimezone, const std::string& name,
                                    std::string definition = {});

// The zone a VTIMEZONE's text defines (as TimeZone::definition() keeps it), through the
// shared cache below: a stored event's zone is rebuilt once per distinct text.
Result<ZonePtr> zone_from_definition(const std::string& text);

// The zones one VCALENDAR can name: its own VTIMEZONEs first (RFC 5545 3.6.5 and 3.2.19 make
// them authoritative, even over an IANA zone of the same name), then IANA names, then Windows
// zone names (Outlook and Exchange write TZID=Pacific Standard Time without a VTIMEZONE)
// through CLDR's table. A VTIMEZONE is built once per distinct text in a bounded cache shared
// by every calendar, resource and sync of the process (thread safe).
class ZoneCatalog {
  public:
    // Remembers the VTIMEZONEs of `vcalendar`; it must outlive the catalog's lookups.
    explicit ZoneCatalog(icalcomponent* vcalendar);
    Result<ZonePtr> resolve(const std::string& tzid);

  private:
    std::map<std::string, icalcomponent*, std::less<>> definitions_;
    std::map<std::string, ZonePtr, std::less<>> built_;
};

}  // namespace calsync::ical
