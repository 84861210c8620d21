// Expansion of one event (master, recurrence rules, overrides) into occurrences.
#pragma once

#include <cstddef>
#include <cstdint>
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

// Work units one event's expansion may spend by default: about one per period of a rule
// visited, skip taken or instance made (tens of nanoseconds each), so any event answers
// within it in about 20 ms; a daily series counted from 1990 needs 25,000.
constexpr std::uint64_t kDefaultExpansionWorkBudget = 500'000;

struct ExpansionWindow {
    const TimeZone* business_zone = nullptr;  // all-day and floating times are read here
    TimeRange window;                         // occurrences overlapping it are returned
    // A cap per event on occurrences starting inside the window, against pathological
    // rules (FREQ=SECONDLY over a year); exceeding it is an error, not a partial answer.
    std::size_t max_occurrences = 20000;
    // The work one event may cost (see kDefaultExpansionWorkBudget); running out is an
    // error naming the event, never a hang and never a partial answer.
    std::uint64_t work_budget = kDefaultExpansionWorkBudget;
};

// Occurrences of `event` overlapping the window, sorted by start. An error names the event
// and what could not be read (an invalid RRULE, an end before the start, a cap or the work
// budget exceeded); nothing partial is returned then. Recurrence follows RFC 5545 3.3.10 and
// 3.8.5 with our own expander (src/core/rrule_iterator.hpp); a rule that can never give an
// instance leaves DTSTART alone, which always counts as the first.
Result<std::vector<Occurrence>> expand_event(const Event& event, const ExpansionWindow& window);

}  // namespace calsync
