#include "calsync/model.hpp"

#include <tuple>

namespace calsync {

EventTime EventTime::all_day(CivilDate d) {
    EventTime t;
    t.kind = Kind::date;
    t.local.date = d;
    return t;
}

EventTime EventTime::at_utc(Instant instant) {
    EventTime t;
    t.kind = Kind::utc;
    t.local = civil_from_seconds(to_unix(instant));
    return t;
}

EventTime EventTime::in_zone(const CivilDateTime& local, ZonePtr zone, std::string tzid) {
    EventTime t;
    t.kind = Kind::zoned;
    t.local = local;
    if (tzid.empty() && zone)
        tzid = zone->name();
    t.tzid = std::move(tzid);
    t.zone = std::move(zone);
    return t;
}

EventTime EventTime::floating_time(const CivilDateTime& local) {
    EventTime t;
    t.kind = Kind::floating;
    t.local = local;
    return t;
}

Instant EventTime::resolve(const TimeZone& business) const {
    switch (kind) {
        case Kind::date:
            return business.start_of_day(local.date);
        case Kind::utc:
            return instant_from_unix(civil_seconds(local));
        case Kind::zoned:
            return zone ? zone->to_instant(local) : business.to_instant(local);
        case Kind::floating:
            return business.to_instant(local);
    }
    return instant_from_unix(civil_seconds(local));
}

bool EventTime::operator==(const EventTime& o) const {
    if (kind != o.kind)
        return false;
    if (kind == Kind::date)
        return local.date == o.local.date;
    if (local != o.local)
        return false;
    if (kind != Kind::zoned)
        return true;
    const std::string a = zone ? zone->name() : tzid;
    const std::string b = o.zone ? o.zone->name() : o.tzid;
    return a == b;
}

const char* to_string(EventStatus s) {
    switch (s) {
        case EventStatus::confirmed:
            return "confirmed";
        case EventStatus::tentative:
            return "tentative";
        case EventStatus::cancelled:
            return "cancelled";
    }
    return "confirmed";
}

const char* to_string(Transparency t) {
    return t == Transparency::transparent ? "transparent" : "opaque";
}

const char* to_string(Response r) {
    switch (r) {
        case Response::none:
            return "none";
        case Response::needs_action:
            return "needs_action";
        case Response::accepted:
            return "accepted";
        case Response::tentative:
            return "tentative";
        case Response::declined:
            return "declined";
    }
    return "none";
}

bool BlockedSlot::operator==(const BlockedSlot& o) const {
    return range == o.range && calendar_id == o.calendar_id && label == o.label &&
           event_id == o.event_id && recurrence_id == o.recurrence_id && all_day == o.all_day &&
           tentative == o.tentative;
}

bool BlockedSlot::operator<(const BlockedSlot& o) const {
    return std::tie(range.start, range.end, calendar_id, event_id, recurrence_id) <
           std::tie(o.range.start, o.range.end, o.calendar_id, o.event_id, o.recurrence_id);
}

}  // namespace calsync
