// Expansion of one event (master, recurrence rules, overrides) into occurrences.
#pragma once

#include <cstddef>
#include <vector>

#include "calsync/model.hpp"
#include "calsync/result.hpp"

namespace calsync {

struct Occurrence {
    TimeRange range;
    Instant recurrence_id;  // original start of the instance, before any override moved it
    bool all_day = false;
    EventStatus status = EventStatus::confirmed;
    Transparency transparency = Transparency::opaque;
    Response owner_response = Response::none;

    bool operator==(const Occurrence& o) const {
        return range == o.range && recurrence_id == o.recurrence_id && all_day == o.all_day &&
               status == o.status && transparency == o.transparency &&
               owner_response == o.owner_response;
    }
};

struct ExpansionWindow {
    const TimeZone* business_zone = nullptr;  // all-day and floating times are read here
    TimeRange window;                         // occurrences overlapping it are returned
    // A cap per event on occurrences starting inside the window, against pathological
    // rules (FREQ=SECONDLY over a year); exceeding it is an error, not a partial answer.
    std::size_t max_occurrences = 20000;
};

// Occurrences of `event` overlapping the window, sorted by start. An error names what
// could not be read (a broken RRULE, a cap exceeded); nothing partial is returned then.
Result<std::vector<Occurrence>> expand_event(const Event& event, const ExpansionWindow& window);

}  // namespace calsync
