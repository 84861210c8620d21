// Builds TimeZone transition tables from VTIMEZONE components, and resolves the TZIDs
// of one iCalendar object.
#pragma once

#include <libical/ical.h>

#include <map>
#include <string>
#include <string_view>

#include "calsync/result.hpp"
#include "calsync/zone.hpp"

namespace calsync::ical {

// Expands every STANDARD/DAYLIGHT onset (DTSTART, RDATE, RRULE) up to kZoneHorizonYear.
Result<ZonePtr> zone_from_vtimezone(icalcomponent* vtimezone, const std::string& name);

// The zones one VCALENDAR can name: its own VTIMEZONEs first (RFC 5545 3.2.19 makes them
// authoritative), then IANA names. Built zones are cached per TZID.
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
