#include "engine/json_codec.hpp"

#include "core/json_read.hpp"
#include "core/user_terms.hpp"

#include <libical/ical.h>
#include <rapidjson/document.h>
#include <rapidjson/error/en.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <set>

namespace calsync::json {
namespace {

using rapidjson::Value;
using namespace detail;

// An event field that is well-formed JSON but names something unusable (an unknown zone):
// the event is skipped and reported, the request goes on.
struct EventProblem {
    std::string message;
};

bool read_time(const Value& v, const std::string& path, EventTime* out, Problem* p,
               EventProblem* unusable) {
    if (!v.IsObject())
        return p->fail(path, "expected an object with \"date\" or \"date_time\"");
    std::string text;
    if (const Value* date = member(v, "date")) {
        if (!read_string(*date, child(path, "date"), &text, p))
            return false;
        auto d = parse_date(text);
        if (!d.ok())
            return p->fail(child(path, "date"), d.error().message);
        *out = EventTime::all_day(d.value());
        return true;
    }
    const Value* dt = member(v, "date_time");
    if (dt == nullptr)
        return p->fail(path, "expected \"date\" or \"date_time\"");
    if (!read_string(*dt, child(path, "date_time"), &text, p))
        return false;
    if (text.size() != 19) {
        auto t = parse_rfc3339(text);
        if (!t.ok())
            return p->fail(child(path, "date_time"), t.error().message);
        *out = EventTime::at_utc(t.value());
        return true;
    }
    auto local = parse_local(text);
    if (!local.ok())
        return p->fail(child(path, "date_time"), local.error().message);
    const Value* tz = member(v, "time_zone");
    if (tz == nullptr) {
        *out = EventTime::floating_time(local.value());
        return true;
    }
    std::string zone_name;
    if (!read_string(*tz, child(path, "time_zone"), &zone_name, p))
        return false;
    auto zone = find_iana_zone(zone_name);
    if (!zone.ok()) {
        if (unusable->message.empty())
            unusable->message = member_message(child(path, "time_zone"), zone.error().message);
        *out = EventTime::floating_time(local.value());
        return true;
    }
    *out = EventTime::in_zone(local.value(), zone.value(), zone_name);
    return true;
}

bool read_time_list(const Value& v, const std::string& path, std::vector<EventTime>* out,
                    Problem* p, EventProblem* unusable) {
    if (!v.IsArray())
        return p->fail(path, "expected an array of times");
    for (rapidjson::SizeType i = 0; i < v.Size(); ++i) {
        EventTime t;
        if (!read_time(v[i], item(path, i), &t, p, unusable))
            return false;
        out->push_back(t);
    }
    return true;
}

// The fields an override shares with its master.
bool read_event_body(const Value& v, const std::string& path, Event* e, Problem* p,
                     EventProblem* unusable) {
    if (const Value* s = member(v, "summary")) {
        if (!read_string(*s, child(path, "summary"), &e->summary, p))
            return false;
    }
    const Value* start = member(v, "start");
    if (start == nullptr)
        return p->fail(child(path, "start"), "missing");
    if (!read_time(*start, child(path, "start"), &e->start, p, unusable))
        return false;
    if (const Value* end = member(v, "end")) {
        EventTime t;
        if (!read_time(*end, child(path, "end"), &t, p, unusable))
            return false;
        e->end = t;
    } else if (const Value* dur = member(v, "duration")) {
        std::string text;
        if (!read_string(*dur, child(path, "duration"), &text, p))
            return false;
        const icaldurationtype d = icaldurationtype_from_string(text.c_str());
        icalerror_clear_errno();
        if (icaldurationtype_is_bad_duration(d) != 0 || d.is_neg != 0)
            return p->fail(child(path, "duration"),
                           "expected an RFC 5545 duration such as \"PT1H\", got \"" + text + "\"");
        e->duration =
            NominalDuration{static_cast<std::int64_t>(d.weeks) * 7 + d.days,
                            static_cast<std::int64_t>(d.hours) * 3600 + d.minutes * 60 + d.seconds};
    }
    if (const Value* s = member(v, "status")) {
        if (!read_enum(*s, child(path, "status"), &e->status,
                       {{"confirmed", EventStatus::confirmed},
                        {"tentative", EventStatus::tentative},
                        {"cancelled", EventStatus::cancelled}},
                       p))
            return false;
    }
    if (const Value* t = member(v, "transparency")) {
        if (!read_enum(
                *t, child(path, "transparency"), &e->transparency,
                {{"opaque", Transparency::opaque}, {"transparent", Transparency::transparent}}, p))
            return false;
    }
    if (const Value* r = member(v, "owner_response")) {
        if (!read_enum(*r, child(path, "owner_response"), &e->owner_response,
                       {{"none", Response::none},
                        {"needs_action", Response::needs_action},
                        {"accepted", Response::accepted},
                        {"tentative", Response::tentative},
                        {"declined", Response::declined}},
                       p))
            return false;
    }
    return true;
}

bool read_event(const Value& v, const std::string& path, const std::string& calendar_id, Event* e,
                Problem* p, EventProblem* unusable) {
    if (!v.IsObject())
        return p->fail(path, "expected an event object");
    e->calendar_id = calendar_id;
    const Value* id = member(v, "id");
    if (id == nullptr)
        return p->fail(child(path, "id"), "missing");
    if (!read_string(*id, child(path, "id"), &e->id, p))
        return false;
    if (e->id.empty())
        return p->fail(child(path, "id"), "must not be empty");
    e->uid = e->id;
    if (const Value* uid = member(v, "uid")) {
        if (!read_string(*uid, child(path, "uid"), &e->uid, p))
            return false;
    }
    if (!read_event_body(v, path, e, p, unusable))
        return false;
    if (const Value* m = member(v, "export_marker")) {
        if (!read_string(*m, child(path, "export_marker"), &e->export_marker, p))
            return false;
    }
    if (const Value* r = member(v, "recurrence")) {
        const std::string rp = child(path, "recurrence");
        if (!r->IsObject())
            return p->fail(rp, "expected an object");
        if (const Value* rules = member(*r, "rrule")) {
            if (!rules->IsArray())
                return p->fail(child(rp, "rrule"), "expected an array of strings");
            for (rapidjson::SizeType i = 0; i < rules->Size(); ++i) {
                std::string rule;
                if (!read_string((*rules)[i], item(child(rp, "rrule"), i), &rule, p))
                    return false;
                e->recurrence.rrules.push_back(rule);
            }
        }
        if (const Value* rd = member(*r, "rdate")) {
            std::vector<EventTime> times;
            if (!read_time_list(*rd, child(rp, "rdate"), &times, p, unusable))
                return false;
            for (const EventTime& t : times)
                e->recurrence.rdates.push_back({t, std::nullopt});
        }
        if (const Value* ex = member(*r, "exdate")) {
            if (!read_time_list(*ex, child(rp, "exdate"), &e->recurrence.exdates, p, unusable))
                return false;
        }
    }
    if (const Value* ovs = member(v, "overrides")) {
        const std::string op = child(path, "overrides");
        if (!ovs->IsArray())
            return p->fail(op, "expected an array");
        for (rapidjson::SizeType i = 0; i < ovs->Size(); ++i) {
            const Value& o = (*ovs)[i];
            const std::string ip = item(op, i);
            if (!o.IsObject())
                return p->fail(ip, "expected an object");
            Event ov;
            ov.id = e->id;
            ov.uid = e->uid;
            ov.calendar_id = calendar_id;
            const Value* rid = member(o, "recurrence_id");
            if (rid == nullptr)
                return p->fail(child(ip, "recurrence_id"), "missing");
            EventTime rt;
            if (!read_time(*rid, child(ip, "recurrence_id"), &rt, p, unusable))
                return false;
            ov.recurrence_id = rt;
            if (const Value* tf = member(o, "this_and_future")) {
                if (!read_bool(*tf, child(ip, "this_and_future"), &ov.this_and_future, p))
                    return false;
            }
            if (!read_event_body(o, ip, &ov, p, unusable))
                return false;
            e->overrides.push_back(std::move(ov));
        }
    }
    return true;
}

bool read_calendar(const Value& v, const std::string& path, CalendarInput* cal, Problem* p) {
    if (!v.IsObject())
        return p->fail(path, "expected a calendar object");
    const Value* id = member(v, "id");
    if (id == nullptr)
        return p->fail(child(path, "id"), "missing");
    if (!read_string(*id, child(path, "id"), &cal->id, p))
        return false;
    if (cal->id.empty())
        return p->fail(child(path, "id"), "must not be empty");
    if (const Value* name = member(v, "name")) {
        if (!read_string(*name, child(path, "name"), &cal->name, p))
            return false;
    }
    if (const Value* owners = member(v, "owner_addresses")) {
        const std::string op = child(path, "owner_addresses");
        if (!owners->IsArray())
            return p->fail(op, "expected an array of strings");
        for (rapidjson::SizeType i = 0; i < owners->Size(); ++i) {
            std::string a;
            if (!read_string((*owners)[i], item(op, i), &a, p))
                return false;
            cal->owner_addresses.push_back(a);
        }
    }
    const Value* ics = member(v, "ics");
    const Value* events = member(v, "events");
    if ((ics == nullptr) == (events == nullptr))
        return p->fail(path, "expected exactly one of \"ics\" or \"events\"");
    if (ics != nullptr) {
        cal->has_ics = true;
        return read_string(*ics, child(path, "ics"), &cal->ics, p);
    }
    const std::string ep = child(path, "events");
    if (!events->IsArray())
        return p->fail(ep, "expected an array of events");
    std::set<std::string> ids;
    for (rapidjson::SizeType i = 0; i < events->Size(); ++i) {
        Event e;
        EventProblem unusable;
        if (!read_event((*events)[i], item(ep, i), cal->id, &e, p, &unusable))
            return false;
        if (!ids.insert(e.id).second)
            return p->fail(child(item(ep, i), "id"), "duplicate event id \"" + e.id + "\"");
        if (!unusable.message.empty()) {
            cal->errors.push_back({cal->id, e.id, unusable.message});
            continue;
        }
        cal->events.push_back(std::move(e));
    }
    return true;
}

// "zone", "window" and "policy" of a request, as the engine's BlockingPolicy.
Result<BlockingPolicy> read_policy(const Value& doc) {
    BlockingPolicy policy;
    Problem p;
    const Value* zone = member(doc, "zone");
    if (zone == nullptr)
        return member_error("zone", "missing");
    if (!read_string(*zone, "zone", &policy.business_zone, &p))
        return invalid(p);
    const Value* window = member(doc, "window");
    if (window == nullptr)
        return member_error("window", "missing");
    if (!read_range(*window, "window", &policy.window, &p))
        return invalid(p);

    if (const Value* flags = member(doc, "policy")) {
        if (!flags->IsObject())
            return member_error("policy", "expected an object");
        if (const Value* d = member(*flags, "default")) {
            if (!read_policy_flags(*d, "policy.default", &policy.defaults, &p))
                return invalid(p);
        }
        if (const Value* cals = member(*flags, "calendars")) {
            if (!cals->IsObject())
                return member_error("policy.calendars", "expected an object keyed by calendar id");
            if (KeyLedger* ledger = current_ledger())
                ledger->take_names(*cals);
            for (auto it = cals->MemberBegin(); it != cals->MemberEnd(); ++it) {
                const std::string id(it->name.GetString(), it->name.GetStringLength());
                CalendarPolicy cp = policy.defaults;
                if (!read_policy_flags(it->value, "policy.calendars." + id, &cp, &p))
                    return invalid(p);
                policy.calendars[id] = cp;
            }
        }
    }

    return policy;
}

}  // namespace

Result<BlockedSlotsRequest> parse_blocked_slots_request(std::string_view text) {
    return read_document(text, "request", [&](const Value& doc) -> Result<BlockedSlotsRequest> {
        BlockedSlotsRequest req;
        Problem p;

        auto policy = read_policy(doc);
        if (!policy.ok())
            return policy.error();
        req.policy = std::move(policy).value();

        const Value* cals = member(doc, "calendars");
        if (cals == nullptr)
            return member_error("calendars", "missing");
        if (!cals->IsArray())
            return member_error("calendars", "expected an array");
        std::set<std::string> ids;
        for (rapidjson::SizeType i = 0; i < cals->Size(); ++i) {
            CalendarInput cal;
            if (!read_calendar((*cals)[i], item("calendars", i), &cal, &p))
                return invalid(p);
            if (!ids.insert(cal.id).second)
                return make_error(
                    ErrorCode::invalid_argument,
                    item("calendars", i) + ".id: duplicate calendar id \"" + cal.id + "\"");
            req.calendars.push_back(std::move(cal));
        }
        return req;
    });
}

std::string write_blocked_slots_response(const std::vector<BlockedSlot>& slots,
                                         const std::vector<TimeRange>& busy,
                                         const std::vector<EventError>& errors) {
    rapidjson::StringBuffer buffer;
    Writer w(buffer);
    w.StartObject();
    w.Key("version");
    w.Int(1);
    w.Key("slots");
    w.StartArray();
    for (const BlockedSlot& s : slots) {
        w.StartObject();
        write_range(w, s.range);
        write_string(w, "calendar_id", s.calendar_id);
        write_slot_source(w, s);
        w.EndObject();
    }
    w.EndArray();
    w.Key("busy");
    w.StartArray();
    for (const TimeRange& r : busy) {
        w.StartObject();
        write_range(w, r);
        w.EndObject();
    }
    w.EndArray();
    w.Key("errors");
    w.StartArray();
    for (const EventError& e : errors) {
        w.StartObject();
        write_string(w, "calendar_id", e.calendar_id);
        write_string(w, "event_id", e.event_id);
        write_string(w, "message", e.message);
        w.EndObject();
    }
    w.EndArray();
    w.EndObject();
    return std::string(buffer.GetString(), buffer.GetSize());
}

Result<FreeSlotsRequest> parse_free_slots_request(std::string_view text, bool with_busy) {
    return read_document(text, "request", [&](const Value& doc) -> Result<FreeSlotsRequest> {
        FreeSlotsRequest req;
        Problem p;
        const Value* busy = member(doc, "busy");
        if (with_busy) {
            if (busy == nullptr)
                return member_error("busy", "missing");
            if (!busy->IsArray())
                return member_error("busy", "expected an array of ranges");
            for (rapidjson::SizeType i = 0; i < busy->Size(); ++i) {
                TimeRange r;
                if (!read_range((*busy)[i], item("busy", i), &r, &p))
                    return invalid(p);
                req.busy.push_back(r);
            }
        } else if (busy != nullptr) {
            return member_error("busy", "not taken here; the client's own blocked slots are used");
        }
        const Value* within = member(doc, "within");
        if (within == nullptr)
            return member_error("within", "missing");
        if (!read_range(*within, "within", &req.within, &p))
            return invalid(p);
        const std::pair<const char*, std::int64_t*> numbers[] = {
            {"duration_seconds", &req.duration_seconds}, {"step_seconds", &req.step_seconds}};
        for (const auto& [name, field] : numbers) {
            const Value* v = member(doc, name);
            if (v == nullptr)
                return make_error(ErrorCode::invalid_argument, std::string(name) + ": missing");
            if (!v->IsInt64() || v->GetInt64() <= 0)
                return make_error(
                    ErrorCode::invalid_argument,
                    std::string(name) + ": expected a positive whole number of seconds");
            *field = v->GetInt64();
        }
        return req;
    });
}

std::string write_free_slots_response(const std::vector<TimeRange>& free) {
    rapidjson::StringBuffer buffer;
    Writer w(buffer);
    w.StartObject();
    w.Key("version");
    w.Int(1);
    w.Key("free");
    w.StartArray();
    for (const TimeRange& r : free) {
        w.StartObject();
        write_range(w, r);
        w.EndObject();
    }
    w.EndArray();
    w.EndObject();
    return std::string(buffer.GetString(), buffer.GetSize());
}

Result<ProviderSlotsRequest> parse_provider_slots_request(std::string_view text) {
    return read_document(text, "request", [&](const Value& doc) -> Result<ProviderSlotsRequest> {
        ProviderSlotsRequest req;
        Problem p;
        const Value* id = member(doc, "calendar_id");
        if (id == nullptr)
            return member_error("calendar_id", "missing");
        if (!read_string(*id, "calendar_id", &req.calendar_id, &p))
            return invalid(p);
        auto policy = read_policy(doc);
        if (!policy.ok())
            return policy.error();
        req.policy = std::move(policy).value();
        return req;
    });
}

std::string write_calendars_response(const std::vector<Calendar>& calendars) {
    return write_document([&](Writer& w) {
        w.Key("calendars");
        w.StartArray();
        for (const Calendar& c : calendars) {
            w.StartObject();
            write_calendar_fields(w, c);
            w.EndObject();
        }
        w.EndArray();
    });
}

}  // namespace calsync::json
