// Writing the Event resource of an export (events.insert / events.update bodies).
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
// (the offset may be omitted when timeZone is given); anything else is a UTC instant.
Result<void> write_time(Writer& w, const char* key, const EventTime& t) {
    w.Key(key);
    w.StartObject();
    switch (t.kind) {
        case EventTime::Kind::date:
            write_string(w, "date", format_date(t.local.date));
            break;
        case EventTime::Kind::zoned:
            write_string(w, "dateTime", format_local(t.local));
            write_string(w, "timeZone", t.zone ? t.zone->name() : t.tzid);
            break;
        case EventTime::Kind::utc:
            write_string(w, "dateTime", format_rfc3339(t.resolve(*TimeZone::utc())));
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

}  // namespace

Result<std::string> write_google_event(const Event& event, const std::string& id) {
    if (event.export_marker.empty())
        return make_error(ErrorCode::invalid_argument, "an exported event needs an export marker");
    auto end = end_of(event);
    if (!end.ok())
        return end.error();
    rapidjson::StringBuffer buffer;
    Writer w(buffer);
    w.StartObject();
    if (!id.empty())
        write_string(w, "id", id);
    write_string(w, "summary", event.summary);
    if (!event.description.empty())
        write_string(w, "description", event.description);
    if (!event.location.empty())
        write_string(w, "location", event.location);
    auto start_written = write_time(w, "start", event.start);
    if (!start_written.ok())
        return start_written.error();
    auto end_written = write_time(w, "end", end.value());
    if (!end_written.ok())
        return end_written.error();
    // Written every time: an update of an event deleted in the meantime (which Google
    // keeps as cancelled) brings it back.
    write_string(w, "status", event.status == EventStatus::tentative ? "tentative" : "confirmed");
    write_string(w, "transparency",
                 event.transparency == Transparency::transparent ? "transparent" : "opaque");
    w.Key("extendedProperties");
    w.StartObject();
    w.Key("private");
    w.StartObject();
    write_string(w, kMarkerProperty, event.export_marker);
    w.EndObject();
    w.EndObject();
    w.EndObject();
    return std::string(buffer.GetString(), buffer.GetSize());
}

}  // namespace calsync::providers::google
