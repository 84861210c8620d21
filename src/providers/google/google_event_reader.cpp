// Reading Google Calendar Event resources (Calendar API v3 reference, "Events").
#include <algorithm>
#include <cctype>
#include <cstdio>

#include "calsync/ical.hpp"
#include "calsync/zone.hpp"
#include "core/ascii.hpp"
#include "providers/google/google_event_id.hpp"
#include "providers/google/google_event_json.hpp"

namespace calsync::providers::google {
namespace {

using rapidjson::Value;

const Value* member(const Value& v, const char* name) {
    if (!v.IsObject())
        return nullptr;
    auto it = v.FindMember(name);
    return it == v.MemberEnd() ? nullptr : &it->value;
}

std::string string_of(const Value& v, const char* name) {
    const Value* m = member(v, name);
    return m != nullptr && m->IsString() ? std::string(m->GetString(), m->GetStringLength()) : "";
}

Error field_error(const std::string& field, const std::string& why) {
    return make_error(ErrorCode::parse, field + " " + why);
}

// An EventDateTime: {date} for all-day, or {dateTime, timeZone}. The offset in dateTime
// fixes the instant; timeZone (required on recurring events) is the zone the series is
// expanded in, so the time is kept as wall-clock time in that zone. `zone_unknown` is set
// when timeZone names no known zone but the offset still gives the instant.
Result<EventTime> read_time(const Value* dt, const std::string& field,
                            const std::string& default_zone, bool* zone_unknown) {
    if (dt == nullptr || !dt->IsObject())
        return field_error(field, "is missing");
    const std::string date = string_of(*dt, "date");
    if (!date.empty()) {
        auto d = parse_date(date);
        if (!d.ok())
            return field_error(field + ".date", "'" + date + "' is not a date (yyyy-mm-dd)");
        return EventTime::all_day(d.value());
    }
    const std::string text = string_of(*dt, "dateTime");
    if (text.empty())
        return field_error(field, "has neither date nor dateTime");
    auto instant = parse_rfc3339(text);
    Result<CivilDateTime> local =
        instant.ok() ? Result<CivilDateTime>(CivilDateTime{}) : parse_local(text);
    if (!instant.ok() && !local.ok())
        return field_error(field + ".dateTime", "'" + text + "' is not an RFC 3339 time");
    std::string zone_name = string_of(*dt, "timeZone");
    // "A time zone offset is required unless a time zone is explicitly specified in
    // timeZone"; without either, the calendar's zone is the best reading.
    if (zone_name.empty() && !instant.ok())
        zone_name = default_zone;
    if (zone_name.empty() && !instant.ok())
        return field_error(field + ".dateTime", "'" + text + "' has no offset and no timeZone");
    if (zone_name.empty())
        return EventTime::at_utc(instant.value());
    auto zone = find_iana_zone(zone_name);
    if (!zone.ok()) {
        if (!instant.ok())
            return field_error(field + ".timeZone", "'" + zone_name + "' is not a known zone");
        *zone_unknown = true;
        return EventTime::at_utc(instant.value());
    }
    const CivilDateTime wall = instant.ok() ? zone.value()->to_local(instant.value()) : *local;
    return EventTime::in_zone(wall, zone.value(), zone_name);
}

std::string compact(const CivilDateTime& t, bool date_only) {
    char buf[32];
    if (date_only)
        std::snprintf(buf, sizeof buf, "%04d%02d%02d", t.date.year, t.date.month, t.date.day);
    else
        std::snprintf(buf, sizeof buf, "%04d%02d%02dT%02d%02d%02d", t.date.year, t.date.month,
                      t.date.day, t.hour, t.minute, t.second);
    return buf;
}

// DTSTART as iCalendar writes it, so libical reads the recurrence lines against it.
std::string dtstart_line(const EventTime& start) {
    switch (start.kind) {
        case EventTime::Kind::date:
            return "DTSTART;VALUE=DATE:" + compact(start.local, true);
        case EventTime::Kind::zoned:
            return "DTSTART;TZID=" + start.tzid + ":" + compact(start.local, false);
        case EventTime::Kind::utc:
        case EventTime::Kind::floating:
            break;
    }
    const CivilDateTime utc = civil_from_seconds(to_unix(start.resolve(*TimeZone::utc())));
    return "DTSTART:" + compact(utc, false) + (start.kind == EventTime::Kind::utc ? "Z" : "");
}

bool is_recurrence_line(const std::string& line) {
    if (line.find_first_of("\r\n") != std::string::npos)
        return false;
    const auto end = line.find_first_of(":;");
    if (end == std::string::npos)
        return false;
    const std::string name = ascii::upper(line.substr(0, end));
    return name == "RRULE" || name == "EXRULE" || name == "RDATE" || name == "EXDATE";
}

// `recurrence` holds RFC 5545 RRULE, EXRULE, RDATE and EXDATE lines (never DTSTART); they
// are read by the iCalendar codec, against the event's start, into the common form.
// EXRULE (deprecated by RFC 5545) is not applied: its instances stay busy, the safe side.
Result<Recurrence> read_recurrence(const Value& lines, const EventTime& start) {
    if (!lines.IsArray())
        return field_error("recurrence", "is not a list of lines");
    std::string ics =
        "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//calsync//google recurrence//EN\r\n"
        "BEGIN:VEVENT\r\nUID:recurrence\r\nDTSTAMP:20000101T000000Z\r\n" +
        dtstart_line(start) + "\r\n";
    for (rapidjson::SizeType i = 0; i < lines.Size(); ++i) {
        const std::string line = lines[i].IsString() ? lines[i].GetString() : "";
        if (!is_recurrence_line(line))
            return field_error("recurrence[" + std::to_string(i) + "]",
                               "is not an RRULE, EXRULE, RDATE or EXDATE line");
        ics += line + "\r\n";
    }
    ics += "END:VEVENT\r\nEND:VCALENDAR\r\n";
    auto cal = read_ics(ics, IcsReadOptions{});
    if (!cal.ok())
        return field_error("recurrence", "cannot be read: " + cal.error().message);
    if (cal->events.empty())
        return field_error("recurrence",
                           "cannot be read: " + (cal->errors.empty() ? std::string("no rule")
                                                                     : cal->errors[0].message));
    return cal->events[0].recurrence;
}

EventStatus status_of(const std::string& s) {
    if (s == "cancelled")
        return EventStatus::cancelled;
    if (s == "tentative")
        return EventStatus::tentative;
    return EventStatus::confirmed;  // the documented default
}

Response response_of(const std::string& s) {
    if (s == "accepted")
        return Response::accepted;
    if (s == "declined")
        return Response::declined;
    if (s == "tentative")
        return Response::tentative;
    if (s == "needsAction")
        return Response::needs_action;
    return Response::none;
}

// The calendar owner's answer: the attendee entry with self=true ("this entry represents
// the calendar on which this copy of the event appears").
Response owner_response(const Value& item) {
    const Value* attendees = member(item, "attendees");
    if (attendees == nullptr || !attendees->IsArray())
        return Response::none;
    for (const Value& a : attendees->GetArray()) {
        const Value* self = member(a, "self");
        if (self != nullptr && self->IsBool() && self->GetBool())
            return response_of(string_of(a, "responseStatus"));
    }
    return Response::none;
}

}  // namespace

Result<GoogleItem> read_google_event(const Value& item, const std::string& calendar_id,
                                     const std::string& default_zone) {
    if (!item.IsObject())
        return make_error(ErrorCode::parse, "an item that is not a JSON object");
    GoogleItem g;
    Event& e = g.event;
    e.id = string_of(item, "id");
    if (e.id.empty())
        return make_error(ErrorCode::parse, "an item without an id");
    e.calendar_id = calendar_id;
    e.uid = string_of(item, "iCalUID");
    e.etag = string_of(item, "etag");
    e.status = status_of(string_of(item, "status"));
    g.recurring_event_id = string_of(item, "recurringEventId");
    bool zone_unknown = false;
    if (g.is_instance()) {
        // Immutable, and "uniquely identifies the instance within the recurring event
        // series even if the instance was moved": the override's RECURRENCE-ID.
        auto original = read_time(member(item, "originalStartTime"), "originalStartTime",
                                  default_zone, &zone_unknown);
        if (!original.ok())
            return original.error();
        e.recurrence_id = original.value();
    }
    if (g.is_cancelled()) {
        // Cancelled exceptions guarantee only id, recurringEventId and originalStartTime;
        // other cancelled items are deletions and guarantee only the id.
        if (e.recurrence_id)
            e.start = *e.recurrence_id;
        return g;
    }
    e.summary = string_of(item, "summary");
    e.description = string_of(item, "description");
    e.location = string_of(item, "location");
    auto start = read_time(member(item, "start"), "start", default_zone, &zone_unknown);
    if (!start.ok())
        return start.error();
    e.start = start.value();
    if (member(item, "end") != nullptr) {
        auto end = read_time(member(item, "end"), "end", default_zone, &zone_unknown);
        if (!end.ok())
            return end.error();
        e.end = end.value();
    }
    if (string_of(item, "transparency") == "transparent")
        e.transparency = Transparency::transparent;
    // A working-location entry says where someone works, not that they are busy (Google
    // creates it transparent too); out-of-office and focus time block like other events.
    if (string_of(item, "eventType") == "workingLocation")
        e.transparency = Transparency::transparent;
    e.owner_response = owner_response(item);
    if (const Value* ext = member(item, "extendedProperties"))
        if (const Value* priv = member(*ext, "private"))
            g.marker_property = string_of(*priv, kMarkerProperty);
    // The id calsync derived from the appointment id says whose export this is; the
    // property, which another app may drop, is only a hint (kept for an event whose id
    // Google chose: a copy of an export).
    e.export_marker = marker_of_event_id(e.id).value_or(g.marker_property);
    const Value* recurrence = member(item, "recurrence");
    if (recurrence != nullptr && !g.is_instance()) {
        if (zone_unknown)
            return field_error("start.timeZone", "'" +
                                                     string_of(*member(item, "start"), "timeZone") +
                                                     "' is not a known zone: the series "
                                                     "cannot be expanded in it");
        auto rules = read_recurrence(*recurrence, e.start);
        if (!rules.ok())
            return rules.error();
        e.recurrence = std::move(rules).value();
    }
    return g;
}

}  // namespace calsync::providers::google
