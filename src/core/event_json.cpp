#include "core/event_json.hpp"

#include <libical/ical.h>
#include <rapidjson/document.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <memory>
#include <utility>
#include <vector>

#include "core/bounded_json.hpp"
#include "core/vtimezone.hpp"

namespace calsync::json {
namespace {

using Writer = rapidjson::Writer<rapidjson::StringBuffer>;
using rapidjson::Value;

void put(Writer& w, const char* key, const std::string& value) {
    w.Key(key);
    w.String(value.c_str(), static_cast<rapidjson::SizeType>(value.size()));
}

void put_if(Writer& w, const char* key, const std::string& value) {
    if (!value.empty())
        put(w, key, value);
}

// What a zoned time must carry beyond its TZID to come back as the same zone: nothing for
// an IANA zone, the VTIMEZONE text for a zone a calendar defined (rebuilt once per distinct
// text when read back), the table for a zone given as one.
// What put_zone writes of a zone, worked out once per zone: a calendar's events share a
// few zones, and a first sync of a CalDAV calendar writes each event's VTIMEZONE text twice.
struct ZoneForm {
    std::weak_ptr<const TimeZone> zone;
    bool iana = false;   // IANA's zone of that name, with the same rules
    std::string quoted;  // the definition as a JSON string, escaped
};

const ZoneForm& form_of(const ZonePtr& zone) {
    thread_local ZoneForm last;
    if (last.zone.lock() == zone)
        return last;
    last.zone = zone;
    auto iana = find_iana_zone(zone->name());
    last.iana = iana.ok() && iana.value()->same_rules(*zone);
    last.quoted.clear();
    if (!last.iana && !zone->definition().empty()) {
        rapidjson::StringBuffer buffer;
        Writer quoting(buffer);
        quoting.String(zone->definition().c_str(),
                       static_cast<rapidjson::SizeType>(zone->definition().size()));
        last.quoted.assign(buffer.GetString(), buffer.GetSize());
    }
    return last;
}

void put_zone(Writer& w, const EventTime& t) {
    if (!t.zone) {
        w.Key("zone");
        w.Null();
        return;
    }
    const ZoneForm& form = form_of(t.zone);
    if (form.iana) {
        if (t.zone->name() != t.tzid)
            put(w, "zone", t.zone->name());
        return;
    }
    w.Key("zone");
    w.StartObject();
    put(w, "name", t.zone->name());
    if (!t.zone->definition().empty()) {
        w.Key("vtimezone");
        w.RawValue(form.quoted.c_str(), form.quoted.size(), rapidjson::kStringType);
        w.EndObject();
        return;
    }
    w.Key("offset");
    w.Int(t.zone->initial_offset());
    w.Key("transitions");
    w.StartArray();
    for (const TimeZone::Transition& tr : t.zone->transitions()) {
        w.StartArray();
        w.Int64(tr.at);
        w.Int(tr.offset_after);
        w.EndArray();
    }
    w.EndArray();
    w.EndObject();
}

void put_time(Writer& w, const EventTime& t) {
    w.StartObject();
    switch (t.kind) {
        case EventTime::Kind::date:
            put(w, "date", format_date(t.local.date));
            break;
        case EventTime::Kind::utc:
            put(w, "date_time", format_rfc3339(instant_from_unix(civil_seconds(t.local))));
            break;
        case EventTime::Kind::floating:
            put(w, "date_time", format_local(t.local));
            break;
        case EventTime::Kind::zoned:
            put(w, "date_time", format_local(t.local));
            put(w, "time_zone", t.tzid);
            put_zone(w, t);
            break;
    }
    w.EndObject();
}

void put_duration(Writer& w, const NominalDuration& d) {
    w.Key("duration");
    if (d.days < 0 || d.seconds < 0) {
        // Not an RFC 5545 duration (mixed or negative parts): kept as its two numbers.
        w.StartObject();
        w.Key("days");
        w.Int64(d.days);
        w.Key("seconds");
        w.Int64(d.seconds);
        w.EndObject();
        return;
    }
    std::string text = "P";
    if (d.days > 0)
        text += std::to_string(d.days) + "D";
    if (d.seconds > 0 || d.days == 0)
        text += "T" + std::to_string(d.seconds) + "S";
    w.String(text.c_str(), static_cast<rapidjson::SizeType>(text.size()));
}

void put_body(Writer& w, const Event& e) {
    put_if(w, "summary", e.summary);
    put_if(w, "description", e.description);
    put_if(w, "location", e.location);
    w.Key("start");
    put_time(w, e.start);
    if (e.end) {
        w.Key("end");
        put_time(w, *e.end);
    }
    if (e.duration)
        put_duration(w, *e.duration);
    if (e.status != EventStatus::confirmed)
        put(w, "status", to_string(e.status));
    if (e.transparency != Transparency::opaque)
        put(w, "transparency", to_string(e.transparency));
    if (e.owner_response != Response::none)
        put(w, "owner_response", to_string(e.owner_response));
    put_if(w, "export_marker", e.export_marker);
    put_if(w, "etag", e.etag);
}

void put_recurrence(Writer& w, const Recurrence& r) {
    if (r.rrules.empty() && r.rdates.empty() && r.exdates.empty())
        return;
    w.Key("recurrence");
    w.StartObject();
    if (!r.rrules.empty()) {
        w.Key("rrule");
        w.StartArray();
        for (const std::string& rule : r.rrules)
            w.String(rule.c_str(), static_cast<rapidjson::SizeType>(rule.size()));
        w.EndArray();
    }
    if (!r.rdates.empty()) {
        w.Key("rdate");
        w.StartArray();
        for (const RecurrenceDate& d : r.rdates) {
            if (!d.end) {
                put_time(w, d.start);
                continue;
            }
            w.StartObject();
            w.Key("start");
            put_time(w, d.start);
            w.Key("end");
            put_time(w, *d.end);
            w.EndObject();
        }
        w.EndArray();
    }
    if (!r.exdates.empty()) {
        w.Key("exdate");
        w.StartArray();
        for (const EventTime& t : r.exdates)
            put_time(w, t);
        w.EndArray();
    }
    w.EndObject();
}

void put_event(Writer& w, const Event& e, const Event* master) {
    w.StartObject();
    if (master == nullptr || e.id != master->id)
        put(w, "id", e.id);
    if (master == nullptr ? !e.uid.empty() : e.uid != master->uid)
        put(w, "uid", e.uid);
    if (e.recurrence_id) {
        w.Key("recurrence_id");
        put_time(w, *e.recurrence_id);
    }
    if (e.this_and_future) {
        w.Key("this_and_future");
        w.Bool(true);
    }
    put_body(w, e);
    put_recurrence(w, e.recurrence);
    if (!e.overrides.empty()) {
        w.Key("overrides");
        w.StartArray();
        for (const Event& o : e.overrides)
            put_event(w, o, &e);
        w.EndArray();
    }
    w.EndObject();
}

}  // namespace

std::string write_event(const Event& event) {
    rapidjson::StringBuffer buffer;
    Writer w(buffer);
    put_event(w, event, nullptr);
    return std::string(buffer.GetString(), buffer.GetSize());
}

// The reading of one document: the first problem found, with the path of its field.
struct EventReading {
    EventReader& reader;
    std::string problem;

    bool fail(const std::string& path, const std::string& what) {
        if (problem.empty())
            problem = path + ": " + what;
        return false;
    }

    static const Value* member(const Value& obj, const char* name) {
        auto it = obj.FindMember(name);
        return it == obj.MemberEnd() ? nullptr : &it->value;
    }

    bool text(const Value& obj, const std::string& path, const char* name, std::string* out) {
        const Value* v = member(obj, name);
        if (v == nullptr)
            return true;
        if (!v->IsString())
            return fail(path + "." + name, "expected a string");
        out->assign(v->GetString(), v->GetStringLength());
        return true;
    }

    template <class Enum, std::size_t N>
    bool choice(const Value& obj, const std::string& path, const char* name, const Enum (&all)[N],
                Enum* out) {
        std::string s;
        if (!text(obj, path, name, &s))
            return false;
        if (s.empty())
            return true;
        for (Enum e : all) {
            if (s == to_string(e)) {
                *out = e;
                return true;
            }
        }
        return fail(path + "." + name, "unknown value \"" + s + "\"");
    }

    ZonePtr embedded_zone(const Value& z, const std::string& path, bool* ok) {
        if (const Value* definition = member(z, "vtimezone")) {
            if (!definition->IsString()) {
                *ok = fail(path + ".vtimezone", "expected VTIMEZONE text");
                return nullptr;
            }
            auto zone = ical::zone_from_definition(
                std::string(definition->GetString(), definition->GetStringLength()));
            if (!zone.ok()) {
                *ok = fail(path + ".vtimezone", zone.error().message);
                return nullptr;
            }
            return zone.value();
        }
        const Value* name = member(z, "name");
        const Value* offset = member(z, "offset");
        const Value* transitions = member(z, "transitions");
        if (name == nullptr || !name->IsString() || offset == nullptr || !offset->IsInt() ||
            transitions == nullptr || !transitions->IsArray()) {
            *ok = fail(path, "expected {\"name\", \"offset\", \"transitions\"}");
            return nullptr;
        }
        std::string key = std::string(name->GetString(), name->GetStringLength()) + "\n" +
                          std::to_string(offset->GetInt());
        std::vector<TimeZone::Transition> table;
        table.reserve(transitions->Size());
        for (const Value& t : transitions->GetArray()) {
            if (!t.IsArray() || t.Size() != 2 || !t[0].IsInt64() || !t[1].IsInt()) {
                *ok = fail(path + ".transitions", "expected [utc_seconds, offset] pairs");
                return nullptr;
            }
            table.push_back({t[0].GetInt64(), t[1].GetInt()});
            key += "," + std::to_string(table.back().at) + ":" +
                   std::to_string(table.back().offset_after);
        }
        auto known = reader.zones_.find(key);
        if (known != reader.zones_.end())
            return known->second;
        auto zone =
            std::make_shared<const TimeZone>(name->GetString(), offset->GetInt(), std::move(table));
        reader.zones_.emplace(std::move(key), zone);
        return zone;
    }

    bool time(const Value& v, const std::string& path, EventTime* out) {
        if (!v.IsObject())
            return fail(path, "expected a time object");
        std::string s;
        if (member(v, "date") != nullptr) {
            if (!text(v, path, "date", &s))
                return false;
            auto d = parse_date(s);
            if (!d.ok())
                return fail(path + ".date", d.error().message);
            *out = EventTime::all_day(d.value());
            return true;
        }
        if (member(v, "date_time") == nullptr)
            return fail(path, "expected \"date\" or \"date_time\"");
        if (!text(v, path, "date_time", &s))
            return false;
        if (s.size() != 19) {
            auto t = parse_rfc3339(s);
            if (!t.ok())
                return fail(path + ".date_time", t.error().message);
            *out = EventTime::at_utc(t.value());
            return true;
        }
        auto local = parse_local(s);
        if (!local.ok())
            return fail(path + ".date_time", local.error().message);
        if (member(v, "time_zone") == nullptr) {
            *out = EventTime::floating_time(local.value());
            return true;
        }
        std::string tzid;
        if (!text(v, path, "time_zone", &tzid))
            return false;
        ZonePtr zone;
        const Value* z = member(v, "zone");
        if (z == nullptr || z->IsString()) {
            const std::string name = z == nullptr ? tzid : z->GetString();
            auto found = find_iana_zone(name);
            if (found.ok())
                zone = found.value();
        } else if (z->IsObject()) {
            bool ok = true;
            zone = embedded_zone(*z, path + ".zone", &ok);
            if (!ok)
                return false;
        } else if (!z->IsNull()) {
            return fail(path + ".zone", "expected a name, a definition or null");
        }
        *out = EventTime::in_zone(local.value(), std::move(zone), tzid);
        out->tzid = tzid;  // in_zone fills an empty TZID from the zone; keep it as written
        return true;
    }

    bool times(const Value& v, const std::string& path, std::vector<EventTime>* out) {
        if (!v.IsArray())
            return fail(path, "expected an array of times");
        for (rapidjson::SizeType i = 0; i < v.Size(); ++i) {
            EventTime t;
            if (!time(v[i], path + "[" + std::to_string(i) + "]", &t))
                return false;
            out->push_back(std::move(t));
        }
        return true;
    }

    bool duration(const Value& v, const std::string& path, NominalDuration* out) {
        if (v.IsObject()) {
            const Value* days = member(v, "days");
            const Value* seconds = member(v, "seconds");
            if (days == nullptr || !days->IsInt64() || seconds == nullptr || !seconds->IsInt64())
                return fail(path, "expected {\"days\", \"seconds\"}");
            *out = {days->GetInt64(), seconds->GetInt64()};
            return true;
        }
        if (!v.IsString())
            return fail(path, "expected an RFC 5545 duration");
        const icaldurationtype d = icaldurationtype_from_string(v.GetString());
        icalerror_clear_errno();
        if (icaldurationtype_is_bad_duration(d) != 0)
            return fail(path, std::string("not an RFC 5545 duration: \"") + v.GetString() + "\"");
        const std::int64_t sign = d.is_neg != 0 ? -1 : 1;
        *out = {sign * (static_cast<std::int64_t>(d.weeks) * 7 + d.days),
                sign * (static_cast<std::int64_t>(d.hours) * 3600 + d.minutes * 60 + d.seconds)};
        return true;
    }

    bool recurrence(const Value& r, const std::string& path, Recurrence* out) {
        if (!r.IsObject())
            return fail(path, "expected an object");
        if (const Value* rules = member(r, "rrule")) {
            if (!rules->IsArray())
                return fail(path + ".rrule", "expected an array of strings");
            for (const Value& rule : rules->GetArray()) {
                if (!rule.IsString())
                    return fail(path + ".rrule", "expected an array of strings");
                out->rrules.emplace_back(rule.GetString(), rule.GetStringLength());
            }
        }
        if (const Value* rdates = member(r, "rdate")) {
            if (!rdates->IsArray())
                return fail(path + ".rdate", "expected an array");
            for (rapidjson::SizeType i = 0; i < rdates->Size(); ++i) {
                const Value& d = (*rdates)[i];
                const std::string ip = path + ".rdate[" + std::to_string(i) + "]";
                RecurrenceDate rd;
                if (d.IsObject() && member(d, "start") != nullptr) {
                    EventTime end;
                    const Value* e = member(d, "end");
                    if (e == nullptr)
                        return fail(ip + ".end", "missing");
                    if (!time(*member(d, "start"), ip + ".start", &rd.start) ||
                        !time(*e, ip + ".end", &end))
                        return false;
                    rd.end = std::move(end);
                } else if (!time(d, ip, &rd.start)) {
                    return false;
                }
                out->rdates.push_back(std::move(rd));
            }
        }
        if (const Value* ex = member(r, "exdate")) {
            if (!times(*ex, path + ".exdate", &out->exdates))
                return false;
        }
        return true;
    }

    bool event(const Value& v, const std::string& path, const Event* master, Event* e) {
        static constexpr EventStatus kStatuses[] = {EventStatus::confirmed, EventStatus::tentative,
                                                    EventStatus::cancelled};
        static constexpr Transparency kTransparencies[] = {Transparency::opaque,
                                                           Transparency::transparent};
        static constexpr Response kResponses[] = {Response::none, Response::needs_action,
                                                  Response::accepted, Response::tentative,
                                                  Response::declined};
        if (!v.IsObject())
            return fail(path, "expected an event object");
        if (master != nullptr) {
            e->id = master->id;
            e->uid = master->uid;
            e->calendar_id = master->calendar_id;
        }
        if (!text(v, path, "id", &e->id) || !text(v, path, "uid", &e->uid) ||
            !text(v, path, "summary", &e->summary) ||
            !text(v, path, "description", &e->description) ||
            !text(v, path, "location", &e->location) ||
            !text(v, path, "export_marker", &e->export_marker) ||
            !text(v, path, "etag", &e->etag) || !choice(v, path, "status", kStatuses, &e->status) ||
            !choice(v, path, "transparency", kTransparencies, &e->transparency) ||
            !choice(v, path, "owner_response", kResponses, &e->owner_response))
            return false;
        const Value* start = member(v, "start");
        if (start == nullptr)
            return fail(path + ".start", "missing");
        if (!time(*start, path + ".start", &e->start))
            return false;
        if (const Value* end = member(v, "end")) {
            EventTime t;
            if (!time(*end, path + ".end", &t))
                return false;
            e->end = std::move(t);
        }
        if (const Value* d = member(v, "duration")) {
            NominalDuration nd;
            if (!duration(*d, path + ".duration", &nd))
                return false;
            e->duration = nd;
        }
        if (const Value* rid = member(v, "recurrence_id")) {
            EventTime t;
            if (!time(*rid, path + ".recurrence_id", &t))
                return false;
            e->recurrence_id = std::move(t);
        }
        if (const Value* tf = member(v, "this_and_future")) {
            if (!tf->IsBool())
                return fail(path + ".this_and_future", "expected true or false");
            e->this_and_future = tf->GetBool();
        }
        if (const Value* r = member(v, "recurrence")) {
            if (!recurrence(*r, path + ".recurrence", &e->recurrence))
                return false;
        }
        if (const Value* ovs = member(v, "overrides")) {
            if (!ovs->IsArray())
                return fail(path + ".overrides", "expected an array");
            for (rapidjson::SizeType i = 0; i < ovs->Size(); ++i) {
                Event o;
                if (!event((*ovs)[i], path + ".overrides[" + std::to_string(i) + "]", e, &o))
                    return false;
                e->overrides.push_back(std::move(o));
            }
        }
        return true;
    }
};

Result<Event> EventReader::read(std::string_view text, const std::string& calendar_id) {
    auto parsed = parse_bounded(text, InvalidUtf8::replace);
    if (!parsed.ok())
        return make_error(parsed.error().code, "event: " + parsed.error().message);
    const rapidjson::Document& doc = parsed.value();
    Event e;
    e.calendar_id = calendar_id;
    EventReading reading{*this, {}};
    if (!reading.event(doc, "event", nullptr, &e))
        return make_error(ErrorCode::parse, reading.problem);
    return e;
}

}  // namespace calsync::json
