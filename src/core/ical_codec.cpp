#include <algorithm>
#include <cctype>
#include <exception>
#include <iterator>
#include <map>
#include <optional>
#include <string>

#include "calsync/ical.hpp"
#include "core/ascii.hpp"
#include "core/ical_time.hpp"
#include "core/ics_text.hpp"
#include "core/libical_handles.hpp"
#include "core/parallel_parts.hpp"
#include "core/vtimezone.hpp"

namespace calsync {
namespace {

using ical::ComponentPtr;
using ical::ZoneCatalog;

std::string bare_address(const char* value) {
    std::string s = ascii::lower(value != nullptr ? value : "");
    if (s.rfind("mailto:", 0) == 0)
        s.erase(0, 7);
    return s;
}

// The properties whose loss changes when an event happens; libical drops an unreadable
// one and leaves an X-LIC-ERROR naming it, which must not pass silently.
bool names_timing_property(const std::string& message) {
    static const char* const kTiming[] = {"RRULE",   "EXRULE", "RDATE",    "EXDATE",
                                          "DTSTART", "DTEND",  "DURATION", "RECURRENCE-ID"};
    return std::any_of(std::begin(kTiming), std::end(kTiming), [&](const char* p) {
        return message.find(std::string(" ") + p + " ") != std::string::npos;
    });
}

// Reads one DATE / DATE-TIME property (with its TZID parameter) into an EventTime.
class TimeReader {
  public:
    explicit TimeReader(ZoneCatalog* catalog) : catalog_(catalog) {}

    Result<EventTime> read(icalproperty* prop, const icaltimetype& t) {
        CivilDateTime local;
        local.date = CivilDate{t.year, t.month, t.day};
        if (!is_valid_date(local.date))
            return make_error(ErrorCode::parse, std::string(icalproperty_get_property_name(prop)) +
                                                    " is not a valid date");
        if (t.is_date != 0)
            return EventTime::all_day(local.date);
        local.hour = t.hour;
        local.minute = t.minute;
        local.second = t.second;
        if (icaltime_is_utc(t) != 0)
            return EventTime::at_utc(instant_from_unix(civil_seconds(local)));
        icalparameter* tzid = icalproperty_get_first_parameter(prop, ICAL_TZID_PARAMETER);
        if (tzid == nullptr || icalparameter_get_tzid(tzid) == nullptr)
            return EventTime::floating_time(local);
        const std::string name = icalparameter_get_tzid(tzid);
        auto zone = catalog_->resolve(name);
        if (!zone.ok()) {
            Error e = zone.error();
            e.message = std::string(icalproperty_get_property_name(prop)) + ": " + e.message;
            return e;
        }
        return EventTime::in_zone(local, zone.value(), name);
    }

  private:
    ZoneCatalog* catalog_;
};

Response response_of(icalparameter_partstat p) {
    switch (p) {
        case ICAL_PARTSTAT_ACCEPTED:
            return Response::accepted;
        case ICAL_PARTSTAT_DECLINED:
            return Response::declined;
        case ICAL_PARTSTAT_TENTATIVE:
            return Response::tentative;
        case ICAL_PARTSTAT_NEEDSACTION:
            return Response::needs_action;
        default:
            return Response::accepted;  // DELEGATED, COMPLETED, IN-PROCESS: it happens
    }
}

// What read_vevent() reads, besides X- properties; prepare_for_libical() drops the rest
// before libical parses them (DTSTAMP, CREATED, LAST-MODIFIED and SEQUENCE alone are a
// third of a typical event's lines).
const ical::EventPropertiesRead& event_properties_read() {
    static const ical::EventPropertiesRead read{
        {"UID", "SUMMARY", "DESCRIPTION", "LOCATION", "DTSTART", "DTEND", "DURATION", "STATUS",
         "TRANSP", "ATTENDEE", "RRULE", "RDATE", "EXDATE", "RECURRENCE-ID"},
        true};
    return read;
}

Result<Event> read_vevent(icalcomponent* vevent, TimeReader* times, const IcsReadOptions& options) {
    Event e;
    e.calendar_id = options.calendar_id;
    if (const char* uid = icalcomponent_get_uid(vevent))
        e.uid = uid;
    if (const char* summary = icalcomponent_get_summary(vevent))
        e.summary = summary;
    if (const char* description = icalcomponent_get_description(vevent))
        e.description = description;
    if (const char* location = icalcomponent_get_location(vevent))
        e.location = location;

    for (icalproperty* p = icalcomponent_get_first_property(vevent, ICAL_XLICERROR_PROPERTY);
         p != nullptr; p = icalcomponent_get_next_property(vevent, ICAL_XLICERROR_PROPERTY)) {
        const char* text = icalproperty_get_xlicerror(p);
        const std::string message = text != nullptr ? text : "";
        if (names_timing_property(message))
            return make_error(ErrorCode::parse, "cannot read the event's timing: " + message);
    }

    icalproperty* start = icalcomponent_get_first_property(vevent, ICAL_DTSTART_PROPERTY);
    if (start == nullptr)
        return make_error(ErrorCode::parse, "no DTSTART");
    auto start_time = times->read(start, ical::written_time(start));
    if (!start_time.ok())
        return start_time.error();
    e.start = start_time.value();

    if (icalproperty* end = icalcomponent_get_first_property(vevent, ICAL_DTEND_PROPERTY)) {
        auto end_time = times->read(end, ical::written_time(end));
        if (!end_time.ok())
            return end_time.error();
        e.end = end_time.value();
    } else if (icalproperty* dur =
                   icalcomponent_get_first_property(vevent, ICAL_DURATION_PROPERTY)) {
        const icaldurationtype d = icalproperty_get_duration(dur);
        if (icaldurationtype_is_bad_duration(d) != 0)
            return make_error(ErrorCode::parse, "DURATION cannot be read");
        NominalDuration n;
        n.days = static_cast<std::int64_t>(d.weeks) * 7 + d.days;
        n.seconds = static_cast<std::int64_t>(d.hours) * 3600 + d.minutes * 60 + d.seconds;
        // Kept negative: the expander reports an event that ends before it starts.
        if (d.is_neg != 0)
            n = NominalDuration{-n.days, -n.seconds};
        e.duration = n;
    }

    if (icalproperty* s = icalcomponent_get_first_property(vevent, ICAL_STATUS_PROPERTY)) {
        const icalproperty_status st = icalproperty_get_status(s);
        if (st == ICAL_STATUS_CANCELLED)
            e.status = EventStatus::cancelled;
        if (st == ICAL_STATUS_TENTATIVE)
            e.status = EventStatus::tentative;
    }
    if (icalproperty* t = icalcomponent_get_first_property(vevent, ICAL_TRANSP_PROPERTY)) {
        const icalproperty_transp tr = icalproperty_get_transp(t);
        if (tr == ICAL_TRANSP_TRANSPARENT || tr == ICAL_TRANSP_TRANSPARENTNOCONFLICT)
            e.transparency = Transparency::transparent;
    }
    if (!options.owner_addresses.empty()) {
        for (icalproperty* a = icalcomponent_get_first_property(vevent, ICAL_ATTENDEE_PROPERTY);
             a != nullptr; a = icalcomponent_get_next_property(vevent, ICAL_ATTENDEE_PROPERTY)) {
            const std::string who = bare_address(icalproperty_get_attendee(a));
            const bool is_owner =
                std::any_of(options.owner_addresses.begin(), options.owner_addresses.end(),
                            [&](const std::string& o) { return bare_address(o.c_str()) == who; });
            if (!is_owner)
                continue;
            icalparameter* ps = icalproperty_get_first_parameter(a, ICAL_PARTSTAT_PARAMETER);
            // RFC 5545 3.2.12: PARTSTAT defaults to NEEDS-ACTION.
            e.owner_response = ps != nullptr ? response_of(icalparameter_get_partstat(ps))
                                             : Response::needs_action;
            break;
        }
    }
    for (icalproperty* x = icalcomponent_get_first_property(vevent, ICAL_X_PROPERTY); x != nullptr;
         x = icalcomponent_get_next_property(vevent, ICAL_X_PROPERTY)) {
        const char* name = icalproperty_get_x_name(x);
        if (name != nullptr && std::string(name) == kExportMarkerProperty) {
            if (const char* v = icalproperty_get_x(x))
                e.export_marker = v;
        }
    }

    for (icalproperty* r = icalcomponent_get_first_property(vevent, ICAL_RRULE_PROPERTY);
         r != nullptr; r = icalcomponent_get_next_property(vevent, ICAL_RRULE_PROPERTY)) {
        const char* text = icalproperty_get_value_as_string(r);
        if (text == nullptr)
            return make_error(ErrorCode::parse, "RRULE cannot be read");
        e.recurrence.rrules.emplace_back(text);
    }
    for (icalproperty* r = icalcomponent_get_first_property(vevent, ICAL_RDATE_PROPERTY);
         r != nullptr; r = icalcomponent_get_next_property(vevent, ICAL_RDATE_PROPERTY)) {
        const icaldatetimeperiodtype v = icalproperty_get_rdate(r);
        RecurrenceDate rd;
        if (!icaltime_is_null_time(v.time)) {
            auto t = times->read(r, v.time);
            if (!t.ok())
                return t.error();
            rd.start = t.value();
        } else {
            auto t = times->read(r, v.period.start);
            if (!t.ok())
                return t.error();
            rd.start = t.value();
            icaltimetype end = v.period.end;
            if (icaltime_is_null_time(end)) {
                end = icaltime_add(v.period.start, v.period.duration);
            }
            auto te = times->read(r, end);
            if (!te.ok())
                return te.error();
            rd.end = te.value();
        }
        e.recurrence.rdates.push_back(rd);
    }
    for (icalproperty* x = icalcomponent_get_first_property(vevent, ICAL_EXDATE_PROPERTY);
         x != nullptr; x = icalcomponent_get_next_property(vevent, ICAL_EXDATE_PROPERTY)) {
        auto t = times->read(x, ical::written_time(x));
        if (!t.ok())
            return t.error();
        e.recurrence.exdates.push_back(t.value());
    }
    if (icalproperty* rid = icalcomponent_get_first_property(vevent, ICAL_RECURRENCEID_PROPERTY)) {
        auto t = times->read(rid, ical::written_time(rid));
        if (!t.ok())
            return t.error();
        e.recurrence_id = t.value();
        icalparameter* range = icalproperty_get_first_parameter(rid, ICAL_RANGE_PARAMETER);
        e.this_and_future =
            range != nullptr && icalparameter_get_range(range) == ICAL_RANGE_THISANDFUTURE;
    }
    return e;
}

std::string x_property(icalcomponent* c, const char* name) {
    for (icalproperty* x = icalcomponent_get_first_property(c, ICAL_X_PROPERTY); x != nullptr;
         x = icalcomponent_get_next_property(c, ICAL_X_PROPERTY)) {
        const char* n = icalproperty_get_x_name(x);
        if (n != nullptr && std::string(n) == name) {
            const char* v = icalproperty_get_x(x);
            return v != nullptr ? v : "";
        }
    }
    return {};
}

// One VCALENDAR's VEVENTs (or a share of them) as read, before overrides meet their masters.
struct ReadEvents {
    std::string name;            // X-WR-CALNAME
    std::string time_zone;       // X-WR-TIMEZONE
    std::vector<Event> masters;  // id: the UID, or "#<position>" without one
    std::vector<std::size_t> master_positions;
    std::vector<Event> overrides;  // id: as a master's
    std::vector<EventError> errors;
};

// `first_position`: how many VEVENTs of the VCALENDAR come before `vcal`'s (a share's).
ReadEvents read_events(icalcomponent* vcal, const IcsReadOptions& options,
                       ical::ZoneTexts zone_texts, std::size_t first_position) {
    ReadEvents out;
    out.name = x_property(vcal, "X-WR-CALNAME");
    out.time_zone = x_property(vcal, "X-WR-TIMEZONE");
    ZoneCatalog catalog(vcal, std::move(zone_texts));
    TimeReader times(&catalog);
    // Events are large: each reallocation of a vector of ten thousand moves them all.
    const auto count =
        static_cast<std::size_t>(icalcomponent_count_components(vcal, ICAL_VEVENT_COMPONENT));
    out.masters.reserve(count);
    out.master_positions.reserve(count);
    std::size_t position = first_position;
    for (icalcomponent* c = icalcomponent_get_first_component(vcal, ICAL_VEVENT_COMPONENT);
         c != nullptr; c = icalcomponent_get_next_component(vcal, ICAL_VEVENT_COMPONENT)) {
        ++position;
        auto event = read_vevent(c, &times, options);
        const char* uid = icalcomponent_get_uid(c);
        std::string id = uid != nullptr && *uid != '\0' ? uid : "#" + std::to_string(position);
        if (!event.ok()) {
            out.errors.push_back({options.calendar_id, id, event.error().message});
            continue;
        }
        Event e = std::move(event).value();
        e.id = std::move(id);
        if (e.recurrence_id) {
            out.overrides.push_back(std::move(e));
            continue;
        }
        out.masters.push_back(std::move(e));
        out.master_positions.push_back(position);
    }
    return out;
}

// The events of one VCALENDAR read in `parts` (in text order): masters in file order, each
// override attached to the master with its UID.
void attach_overrides(std::vector<ReadEvents> parts, IcsCalendar* out) {
    std::size_t count = 0;
    for (const ReadEvents& part : parts) {
        count += part.masters.size() + part.overrides.size();
        if (out->name.empty())
            out->name = part.name;
        if (out->time_zone.empty())
            out->time_zone = part.time_zone;
        out->errors.insert(out->errors.end(), std::make_move_iterator(part.errors.begin()),
                           std::make_move_iterator(part.errors.end()));
    }
    std::vector<Event> masters;
    masters.reserve(count);
    std::map<std::string, std::size_t> master_by_uid;
    for (ReadEvents& part : parts) {
        for (std::size_t i = 0; i < part.masters.size(); ++i) {
            Event& e = part.masters[i];
            if (master_by_uid.count(e.id) != 0) {
                // Two masters with one UID break RFC 5545 4.; keep both rather than lose one.
                e.id += "#" + std::to_string(part.master_positions[i]);
            }
            master_by_uid.emplace(e.id, masters.size());
            masters.push_back(std::move(e));
        }
    }
    for (ReadEvents& part : parts) {
        for (Event& ov : part.overrides) {
            auto m = master_by_uid.find(ov.id);
            if (m != master_by_uid.end()) {
                // A series' instance, or an override of a single event (which replaces it
                // when it names its start).
                masters[m->second].overrides.push_back(std::move(ov));
                continue;
            }
            // An instance shared without its series (an invitation to one occurrence).
            ov.id += "/" + format_local(ov.recurrence_id->local);
            masters.push_back(std::move(ov));
        }
    }
    if (out->events.empty()) {
        out->events = std::move(masters);
        return;
    }
    out->events.reserve(out->events.size() + masters.size());
    std::move(masters.begin(), masters.end(), std::back_inserter(out->events));
}

void read_vcalendar(icalcomponent* vcal, const IcsReadOptions& options, IcsCalendar* out,
                    ical::ZoneTexts zone_texts = {}) {
    std::vector<ReadEvents> parts;
    parts.push_back(read_events(vcal, options, std::move(zone_texts), 0));
    attach_overrides(std::move(parts), out);
}

// A large calendar is parsed in parts, each on a thread: libical's parse is most of a read.
constexpr std::size_t kParallelParseFrom = 2048;  // VEVENTs
constexpr std::size_t kMaxParseThreads = 4;

// The events of `texts`, a calendar's parts, each read on a thread of its own; none when a
// part did not parse as the VCALENDAR with the VEVENTs it was cut with (then it is read whole).
std::optional<std::vector<ReadEvents>> read_in_parts(std::vector<std::string> texts,
                                                     std::size_t event_count,
                                                     const ical::ZoneTexts& zone_texts,
                                                     const IcsReadOptions& options) {
    const std::size_t parts = texts.size();
    std::vector<ReadEvents> read(parts);
    std::vector<char> as_cut(parts, 0);
    const auto read_part = [&](std::size_t k) {
        ComponentPtr root(icalparser_parse_string(texts[k].c_str()));
        icalerror_clear_errno();
        std::string().swap(texts[k]);  // libical holds what it read
        const std::size_t first = event_count * k / parts;
        const std::size_t expected = event_count * (k + 1) / parts - first;
        if (!root || icalcomponent_isa(root.get()) != ICAL_VCALENDAR_COMPONENT ||
            static_cast<std::size_t>(
                icalcomponent_count_components(root.get(), ICAL_VEVENT_COMPONENT)) != expected)
            return;
        read[k] = read_events(root.get(), options, zone_texts, first);
        as_cut[k] = 1;
    };
    run_in_parts(parts, parts, [&](std::size_t k, std::size_t, std::size_t) {
        try {
            read_part(k);
        } catch (const std::exception&) {
            // Out of memory on a thread: the whole read, on the caller's, says so.
        }
    });
    if (std::find(as_cut.begin(), as_cut.end(), 0) != as_cut.end())
        return std::nullopt;
    return read;
}

// What prepare_for_libical() left out, as the calendar's errors.
std::vector<EventError> left_out_errors(std::vector<ical::LeftOut> left_out,
                                        const std::string& calendar_id) {
    std::vector<EventError> errors;
    errors.reserve(left_out.size());
    for (ical::LeftOut& l : left_out)
        errors.push_back({calendar_id, std::move(l.event_id), std::move(l.message)});
    return errors;
}

}  // namespace

// No process-wide lock: one calendar's tree is this thread's alone, times are read without
// libical's zone lookups (written_time), and find_iana_zone locks what it loads.
Result<IcsCalendar> read_ics(std::string_view text, const IcsReadOptions& options) {
    ical::prepare_libical();
    if (text.find("BEGIN:VCALENDAR") == std::string_view::npos)
        return make_error(ErrorCode::parse, "not iCalendar data: no BEGIN:VCALENDAR");
    ical::PreparedIcs prepared = ical::prepare_for_libical(text, event_properties_read());
    ical::ZoneTexts zone_texts = ical::set_aside_known_zones(&prepared);
    const std::size_t parts =
        parts_for(prepared.events.size(), kParallelParseFrom, kMaxParseThreads);
    if (std::vector<std::string> texts = ical::cut_into_parts(prepared, parts); !texts.empty()) {
        const std::size_t event_count = prepared.events.size();
        std::vector<ical::LeftOut> left_out = std::move(prepared.left_out);
        prepared = {};
        if (auto read = read_in_parts(std::move(texts), event_count, zone_texts, options)) {
            IcsCalendar out;
            out.errors = left_out_errors(std::move(left_out), options.calendar_id);
            attach_overrides(std::move(*read), &out);
            return out;
        }
        prepared = ical::prepare_for_libical(text, event_properties_read());
        zone_texts = ical::set_aside_known_zones(&prepared);
    }
    ComponentPtr root(icalparser_parse_string(prepared.text.c_str()));
    icalerror_clear_errno();
    if (root && !zone_texts.known.empty() &&
        icalcomponent_isa(root.get()) != ICAL_VCALENDAR_COMPONENT) {
        // Not the one VCALENDAR the text looked like: read it whole, as written.
        prepared = ical::prepare_for_libical(text, event_properties_read());
        zone_texts = {};
        root.reset(icalparser_parse_string(prepared.text.c_str()));
        icalerror_clear_errno();
    }
    std::string().swap(prepared.text);  // libical holds what it read
    if (!root)
        return make_error(ErrorCode::parse, "not iCalendar data: cannot be parsed");
    IcsCalendar out;
    out.errors = left_out_errors(std::move(prepared.left_out), options.calendar_id);
    const icalcomponent_kind kind = icalcomponent_isa(root.get());
    if (kind == ICAL_VCALENDAR_COMPONENT) {
        read_vcalendar(root.get(), options, &out, std::move(zone_texts));
    } else if (kind == ICAL_XROOT_COMPONENT) {
        // Several VCALENDARs concatenated in one feed.
        for (icalcomponent* c =
                 icalcomponent_get_first_component(root.get(), ICAL_VCALENDAR_COMPONENT);
             c != nullptr;
             c = icalcomponent_get_next_component(root.get(), ICAL_VCALENDAR_COMPONENT))
            read_vcalendar(c, options, &out);
    } else {
        return make_error(ErrorCode::parse, "not iCalendar data: top component is not VCALENDAR");
    }
    return out;
}

}  // namespace calsync
