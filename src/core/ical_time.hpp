// Conversions between libical's icaltimetype and calsync's civil (wall-clock) times.
#pragma once

#include <libical/ical.h>

#include "calsync/civil_time.hpp"

namespace calsync::ical {

inline icaltimetype ical_from_civil(const CivilDateTime& c, bool is_date) {
    icaltimetype t = icaltime_null_time();
    t.year = c.date.year;
    t.month = c.date.month;
    t.day = c.date.day;
    t.is_date = is_date ? 1 : 0;
    if (!is_date) {
        t.hour = c.hour;
        t.minute = c.minute;
        t.second = c.second;
    }
    return t;
}

// A DATE or DATE-TIME property's value as written (with "Z" for UTC), its TZID left to the
// caller. icalproperty_get_dtstart and its kin would resolve the TZID too, reaching into
// libical's built-in zone table, which every thread shares and libical 3.0.16 does not lock.
inline icaltimetype written_time(const icalproperty* p) {
    return icalvalue_get_datetime(icalproperty_get_value(p));
}

inline CivilDateTime civil_from_ical(const icaltimetype& t) {
    CivilDateTime c;
    c.date = CivilDate{t.year, t.month, t.day};
    if (t.is_date == 0) {
        c.hour = t.hour;
        c.minute = t.minute;
        c.second = t.second;
    }
    return c;
}

}  // namespace calsync::ical
