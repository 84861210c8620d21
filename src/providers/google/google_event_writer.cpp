// Writing the Event resource of an export: the events.insert body, and the events.patch
// body that writes only what differs.
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <algorithm>

#include "providers/google/google_event_json.hpp"

namespace calsync::providers::google {
namespace {

using Writer = rapidjson::Writer<rapidjson::StringBuffer>;

void write_string(Writer& w, const char* key, const std::string& value) {
    w.Key(key);
    w.String(value.c_str(), static_cast<rapidjson::SizeType>(value.size()));
}

// An all-day value is a civil date; a zoned one is wall-clock time plus its IANA zone
// (the offset may be omitted when timeZone is given); anything else is a UTC instant. In a
// patch the members not written are set to null: patch semantics merge objects, so a date
// left in place beside a new dateTime would make the value both.
Result<void> write_time(Writer& w, const char* key, const EventTime& t, bool patch) {
    w.Key(key);
    w.StartObject();
    const auto absent = [&](const char* member) {
        if (patch) {
            w.Key(member);
            w.Null();
        }
    };
    switch (t.kind) {
        case EventTime::Kind::date:
            write_string(w, "date", format_date(t.local.date));
            absent("dateTime");
            absent("timeZone");
            break;
        case EventTime::Kind::zoned:
            write_string(w, "dateTime", format_local(t.local));
            write_string(w, "timeZone", t.zone ? t.zone->name() : t.tzid);
            absent("date");
            break;
        case EventTime::Kind::utc:
            write_string(w, "dateTime", format_rfc3339(t.resolve(*TimeZone::utc())));
            absent("date");
            break;
        case EventTime::Kind::floating:
            return make_error(
                ErrorCode::invalid_argument,
                std::string(key) +
                    ": a floating time has no zone; exports need a UTC or zoned time");
    }
    w.EndObject();
    return {};
}

// The end the export engine gave, or the start plus its duration.
Result<EventTime> end_of(const Event& e) {
    if (e.end)
        return *e.end;
    const NominalDuration d = e.duration.value_or(NominalDuration{e.start.is_date() ? 1 : 0, 0});
    if (e.start.is_date())
        return EventTime::all_day(add_days(e.start.local.date, std::max<std::int64_t>(1, d.days)));
    if (!e.duration)
        return make_error(ErrorCode::invalid_argument, "an exported event needs an end");
    if (e.start.kind == EventTime::Kind::zoned && e.start.zone) {
        CivilDateTime local = e.start.local;
        local.date = add_days(local.date, d.days);
        const Instant at = e.start.zone->to_instant(local) + std::chrono::seconds(d.seconds);
        return EventTime::in_zone(e.start.zone->to_local(at), e.start.zone, e.start.tzid);
    }
    return EventTime::at_utc(e.start.resolve(*TimeZone::utc()) +
                             std::chrono::seconds(d.days * 86400 + d.seconds));
}

// Whether Google's value `held` says what `wanted` does: the same date, or the same
// instant (in the same zone, for a zoned time; a UTC time does not mind the zone Google
// answers it in, nor one the owner gave it).
bool same_time(const EventTime& wanted, const EventTime& held) {
    if (wanted.is_date() || held.is_date())
        return wanted.is_date() && held.is_date() && wanted.local.date == held.local.date;
    if (held.kind == EventTime::Kind::floating)
        return false;
    if (wanted.kind == EventTime::Kind::zoned &&
        (held.kind != EventTime::Kind::zoned || held.tzid != wanted.tzid))
        return false;
    const TimeZone& utc = *TimeZone::utc();
    return wanted.resolve(utc) == held.resolve(utc);
}

const char* status_name(EventStatus s) {
    return s == EventStatus::tentative ? "tentative" : "confirmed";
}

const char* transparency_name(Transparency t) {
    return t == Transparency::transparent ? "transparent" : "opaque";
}

// The fields calsync writes, each a bit: an insert writes all, a patch those that differ.
enum Field : unsigned {
    kSummary = 1,
    kDescription = 2,
    kLocation = 4,
    kTimes = 8,  // start and end together: Google checks the end against the start
    kStatus = 16,
    kTransparency = 32,
    kMarker = 64,
    kAll = 127,
};

Result<std::string> write_fields(const Event& event, const EventTime& end, const std::string& id,
                                 unsigned fields, bool patch) {
    rapidjson::StringBuffer buffer;
    Writer w(buffer);
    w.StartObject();
    if (!id.empty())
        write_string(w, "id", id);
    if (fields & kSummary)
        write_string(w, "summary", event.summary);
    // An insert leaves empty ones out; a patch empties what the owner's copy holds.
    if ((fields & kDescription) && (patch || !event.description.empty()))
        write_string(w, "description", event.description);
    if ((fields & kLocation) && (patch || !event.location.empty()))
        write_string(w, "location", event.location);
    if (fields & kTimes) {
        auto start_written = write_time(w, "start", event.start, patch);
        if (!start_written.ok())
            return start_written.error();
        auto end_written = write_time(w, "end", end, patch);
        if (!end_written.ok())
            return end_written.error();
    }
    // Written by every insert: an event deleted in the meantime (which Google keeps as
    // cancelled) comes back with its status.
    if (fields & kStatus)
        write_string(w, "status", status_name(event.status));
    if (fields & kTransparency)
        write_string(w, "transparency", transparency_name(event.transparency));
    if (fields & kMarker) {
        // Merged into extendedProperties.private by a patch: another app's keys stay.
        w.Key("extendedProperties");
        w.StartObject();
        w.Key("private");
        w.StartObject();
        write_string(w, kMarkerProperty, event.export_marker);
        w.EndObject();
        w.EndObject();
    }
    w.EndObject();
    return std::string(buffer.GetString(), buffer.GetSize());
}

}  // namespace

Result<std::string> write_google_event(const Event& event, const std::string& id) {
    if (event.export_marker.empty())
        return make_error(ErrorCode::invalid_argument, "an exported event needs an export marker");
    auto end = end_of(event);
    if (!end.ok())
        return end.error();
    return write_fields(event, end.value(), id, kAll, false);
}

Result<std::optional<std::string>> write_google_patch(const Event& event,
                                                      const GoogleItem& current) {
    if (event.export_marker.empty())
        return make_error(ErrorCode::invalid_argument, "an exported event needs an export marker");
    auto end = end_of(event);
    if (!end.ok())
        return end.error();
    const Event& held = current.event;
    unsigned fields = 0;
    if (current.is_cancelled()) {
        fields = kAll;  // a deletion keeps no fields Google promises to show
    } else {
        const auto differs = [&fields](bool changed, Field f) {
            if (changed)
                fields |= f;
        };
        differs(held.summary != event.summary, kSummary);
        differs(held.description != event.description, kDescription);
        differs(held.location != event.location, kLocation);
        differs(
            !same_time(event.start, held.start) || !held.end || !same_time(end.value(), *held.end),
            kTimes);
        differs(held.status != event.status, kStatus);
        differs(held.transparency != event.transparency, kTransparency);
        differs(current.marker_property != event.export_marker, kMarker);
    }
    if (fields == 0)
        return std::optional<std::string>();
    auto body = write_fields(event, end.value(), "", fields, true);
    if (!body.ok())
        return body.error();
    return std::optional<std::string>(std::move(body).value());
}

}  // namespace calsync::providers::google
