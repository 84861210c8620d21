// Field-by-field equality of events, zones included, with a readable first difference:
// what a lossless round trip (JSON, the state store) must preserve.
#pragma once

#include <optional>
#include <string>

#include "calsync/model.hpp"

namespace calsync::test {

inline std::string zone_difference(const ZonePtr& a, const ZonePtr& b) {
    if (!a || !b)
        return (!a && !b) ? "" : "one zone is unresolved";
    if (a->name() != b->name())
        return "zone " + a->name() + " != " + b->name();
    if (!a->same_rules(*b))
        return "zone " + a->name() + ": the table, initial offset or definition differs";
    return "";
}

inline std::string time_difference(const EventTime& a, const EventTime& b) {
    if (a != b)
        return "time " + format_local(a.local) + " != " + format_local(b.local) + " (kind or zone)";
    if (a.kind == EventTime::Kind::zoned) {
        if (a.tzid != b.tzid)
            return "tzid " + a.tzid + " != " + b.tzid;
        return zone_difference(a.zone, b.zone);
    }
    return "";
}

inline std::string optional_time_difference(const std::optional<EventTime>& a,
                                            const std::optional<EventTime>& b) {
    if (a.has_value() != b.has_value())
        return "one time is absent";
    return a ? time_difference(*a, *b) : "";
}

// Empty when equal, else the first difference found.
inline std::string event_difference(const Event& a, const Event& b) {
    const std::string where = "event " + a.id + ": ";
    const std::pair<const char*, std::pair<const std::string*, const std::string*>> texts[] = {
        {"id", {&a.id, &b.id}},
        {"uid", {&a.uid, &b.uid}},
        {"calendar_id", {&a.calendar_id, &b.calendar_id}},
        {"summary", {&a.summary, &b.summary}},
        {"description", {&a.description, &b.description}},
        {"location", {&a.location, &b.location}},
        {"export_marker", {&a.export_marker, &b.export_marker}},
        {"etag", {&a.etag, &b.etag}}};
    for (const auto& [name, pair] : texts) {
        if (*pair.first != *pair.second)
            return where + name + " \"" + *pair.first + "\" != \"" + *pair.second + "\"";
    }
    std::string d = time_difference(a.start, b.start);
    if (d.empty())
        d = optional_time_difference(a.end, b.end);
    if (d.empty())
        d = optional_time_difference(a.recurrence_id, b.recurrence_id);
    if (!d.empty())
        return where + d;
    if (a.duration.has_value() != b.duration.has_value() ||
        (a.duration && !(*a.duration == *b.duration)))
        return where + "duration differs";
    if (a.status != b.status || a.transparency != b.transparency ||
        a.owner_response != b.owner_response || a.this_and_future != b.this_and_future)
        return where + "status, transparency, answer or range differs";
    if (a.recurrence.rrules != b.recurrence.rrules)
        return where + "rrules differ";
    if (a.recurrence.rdates.size() != b.recurrence.rdates.size() ||
        a.recurrence.exdates.size() != b.recurrence.exdates.size())
        return where + "rdate or exdate count differs";
    for (std::size_t i = 0; i < a.recurrence.rdates.size(); ++i) {
        d = time_difference(a.recurrence.rdates[i].start, b.recurrence.rdates[i].start);
        if (d.empty())
            d = optional_time_difference(a.recurrence.rdates[i].end, b.recurrence.rdates[i].end);
        if (!d.empty())
            return where + "rdate " + std::to_string(i) + ": " + d;
    }
    for (std::size_t i = 0; i < a.recurrence.exdates.size(); ++i) {
        d = time_difference(a.recurrence.exdates[i], b.recurrence.exdates[i]);
        if (!d.empty())
            return where + "exdate " + std::to_string(i) + ": " + d;
    }
    if (a.overrides.size() != b.overrides.size())
        return where + "override count differs";
    for (std::size_t i = 0; i < a.overrides.size(); ++i) {
        d = event_difference(a.overrides[i], b.overrides[i]);
        if (!d.empty())
            return where + "override " + std::to_string(i) + ": " + d;
    }
    return "";
}

}  // namespace calsync::test
