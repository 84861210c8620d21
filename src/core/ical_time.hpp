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
