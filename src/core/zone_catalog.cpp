#include <algorithm>
#include <vector>

#include "core/ical_time.hpp"
#include "core/libical_handles.hpp"
#include "core/vtimezone.hpp"

namespace calsync::ical {
namespace {

struct Onset {
    std::int64_t at;
    // cppcheck-suppress unusedStructMember ; read as onsets.front().offset_from
    int offset_from;
    int offset_to;
};

// One STANDARD or DAYLIGHT observance: DTSTART, RDATEs and RRULEs are local times read
// with TZOFFSETFROM (RFC 5545 3.6.5); an RRULE's UNTIL is UTC.
Result<void> expand_observance(icalcomponent* obs, std::vector<Onset>* out) {
    icalproperty* from_prop = icalcomponent_get_first_property(obs, ICAL_TZOFFSETFROM_PROPERTY);
    icalproperty* to_prop = icalcomponent_get_first_property(obs, ICAL_TZOFFSETTO_PROPERTY);
    icalproperty* start_prop = icalcomponent_get_first_property(obs, ICAL_DTSTART_PROPERTY);
    if (from_prop == nullptr || to_prop == nullptr || start_prop == nullptr)
        return make_error(ErrorCode::parse,
                          "observance without DTSTART, TZOFFSETFROM or TZOFFSETTO");
    const int from = icalproperty_get_tzoffsetfrom(from_prop);
    const int to = icalproperty_get_tzoffsetto(to_prop);
    icaltimetype start = written_time(start_prop);
    start.zone = nullptr;
    start.is_date = 0;
    auto onset_at = [from](const icaltimetype& local) {
        return civil_seconds(civil_from_ical(local)) - from;
    };
    out->push_back({onset_at(start), from, to});

    for (icalproperty* p = icalcomponent_get_first_property(obs, ICAL_RDATE_PROPERTY); p != nullptr;
         p = icalcomponent_get_next_property(obs, ICAL_RDATE_PROPERTY)) {
        const icaldatetimeperiodtype rd = icalproperty_get_rdate(p);
        if (!icaltime_is_null_time(rd.time)) {
            // A UTC RDATE is already an instant.
            const bool utc = icaltime_is_utc(rd.time) != 0;
            const std::int64_t local = civil_seconds(civil_from_ical(rd.time));
            out->push_back({utc ? local : local - from, from, to});
        }
    }

    const std::int64_t horizon =
        civil_seconds(CivilDateTime{CivilDate{kZoneHorizonYear, 1, 1}, 0, 0, 0});
    for (icalproperty* p = icalcomponent_get_first_property(obs, ICAL_RRULE_PROPERTY); p != nullptr;
         p = icalcomponent_get_next_property(obs, ICAL_RRULE_PROPERTY)) {
        RecurrenceRule rule(icalproperty_get_rrule(p));
        std::int64_t until = horizon;
        if (!icaltime_is_null_time(rule.rule.until)) {
            const std::int64_t u = civil_seconds(civil_from_ical(rule.rule.until));
            // UNTIL must be UTC here; a floating one (seen in old exports) is local time.
            until = icaltime_is_utc(rule.rule.until) ? u : u - from;
            rule.rule.until = icaltime_null_time();
        }
        RecurIteratorPtr it(icalrecur_iterator_new(rule.rule, start));
        if (!it)
            return make_error(ErrorCode::parse, "unusable RRULE in observance");
        for (icaltimetype t = icalrecur_iterator_next(it.get()); !icaltime_is_null_time(t);
             t = icalrecur_iterator_next(it.get())) {
            const std::int64_t at = onset_at(t);
            if (at > until || at >= horizon)
                break;
            out->push_back({at, from, to});
        }
    }
    return {};
}

}  // namespace

Result<ZonePtr> zone_from_vtimezone(icalcomponent* vtimezone, const std::string& name) {
    std::vector<Onset> onsets;
    for (icalcomponent* obs = icalcomponent_get_first_component(vtimezone, ICAL_ANY_COMPONENT);
         obs != nullptr; obs = icalcomponent_get_next_component(vtimezone, ICAL_ANY_COMPONENT)) {
        const icalcomponent_kind kind = icalcomponent_isa(obs);
        if (kind != ICAL_XSTANDARD_COMPONENT && kind != ICAL_XDAYLIGHT_COMPONENT)
            continue;
        auto expanded = expand_observance(obs, &onsets);
        if (!expanded.ok())
            return make_error(ErrorCode::parse,
                              "VTIMEZONE '" + name + "': " + expanded.error().message);
    }
    if (onsets.empty())
        return make_error(ErrorCode::parse,
                          "VTIMEZONE '" + name + "' has no STANDARD or DAYLIGHT observance");
    std::sort(onsets.begin(), onsets.end(),
              [](const Onset& a, const Onset& b) { return a.at < b.at; });
    std::vector<TimeZone::Transition> transitions;
    transitions.reserve(onsets.size());
    int current = onsets.front().offset_from;
    for (const Onset& o : onsets) {
        // Observances often restate the offset in force; keep only real changes.
        if (o.offset_to == current && !transitions.empty())
            continue;
        transitions.push_back({o.at, o.offset_to});
        current = o.offset_to;
    }
    return ZonePtr(
        std::make_shared<TimeZone>(name, onsets.front().offset_from, std::move(transitions)));
}

ZoneCatalog::ZoneCatalog(icalcomponent* vcalendar) {
    if (vcalendar == nullptr)
        return;
    for (icalcomponent* c = icalcomponent_get_first_component(vcalendar, ICAL_VTIMEZONE_COMPONENT);
         c != nullptr; c = icalcomponent_get_next_component(vcalendar, ICAL_VTIMEZONE_COMPONENT)) {
        icalproperty* tzid = icalcomponent_get_first_property(c, ICAL_TZID_PROPERTY);
        if (tzid != nullptr && icalproperty_get_tzid(tzid) != nullptr)
            definitions_.emplace(icalproperty_get_tzid(tzid), c);
    }
}

Result<ZonePtr> ZoneCatalog::resolve(const std::string& tzid) {
    auto cached = built_.find(tzid);
    if (cached != built_.end())
        return cached->second;
    auto defined = definitions_.find(tzid);
    if (defined != definitions_.end()) {
        auto zone = zone_from_vtimezone(defined->second, tzid);
        if (zone.ok()) {
            built_.emplace(tzid, zone.value());
            return zone;
        }
        // A broken definition of a real IANA name still has a usable meaning.
        auto iana = find_iana_zone(tzid);
        if (!iana.ok())
            return zone;
        built_.emplace(tzid, iana.value());
        return iana;
    }
    auto iana = find_iana_zone(tzid);
    if (!iana.ok())
        return make_error(
            ErrorCode::unknown_zone,
            "unknown TZID '" + tzid + "': no VTIMEZONE in the calendar and not an IANA zone name");
    built_.emplace(tzid, iana.value());
    return iana;
}

}  // namespace calsync::ical
