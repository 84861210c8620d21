// VTIMEZONE -> TimeZone with our own expander (RFC 5545 3.6.5): the onsets of every STANDARD
// and DAYLIGHT observance up to the point where only open-ended RRULEs remain make a table;
// those rules are kept as rules and evaluated year by year on demand (TimeZone caches the
// years near today), as tzdata's POSIX footer does. Bounded: at most kMaxTableTransitions in
// the table, kMaxOnsetsPerYear per rule and year, and a work budget for the whole build.
#include <algorithm>
#include <vector>

#include "core/ical_time.hpp"
#include "core/libical_handles.hpp"
#include "core/rrule_iterator.hpp"
#include "core/vtimezone.hpp"

namespace calsync::ical {
namespace {

constexpr std::size_t kMaxTableTransitions = 10000;
constexpr std::size_t kMaxOnsetsPerYear = 64;
constexpr std::uint64_t kBuildBudget = 2'000'000;
constexpr std::uint64_t kYearBudget = 50'000;

struct Onset {
    std::int64_t at;
    // cppcheck-suppress unusedStructMember ; read as onsets_.front().offset_from
    int offset_from;
    int offset_to;
};

// 400 Gregorian years (146,097 days) in each FREQ's unit, SECONDLY to YEARLY: a rule whose
// INTERVAL divides it steps onto the same calendar pattern 400 years on.
constexpr std::int64_t kCycleUnits[] = {std::int64_t{146097} * 86400,
                                        std::int64_t{146097} * 1440,
                                        std::int64_t{146097} * 24,
                                        146097,
                                        20871,
                                        4800,
                                        400};

static_assert(static_cast<int>(rrule::Frequency::yearly) == 6, "kCycleUnits follows Frequency");

// One observance's open-ended RRULE: its onsets never end, so they stay a rule.
struct OpenRule {
    rrule::Rule rule;
    CivilDateTime start;  // the observance's DTSTART, wall clock in offset_from
    int offset_from;
    int offset_to;
};

class ObservanceRules final : public TimeZone::RecurringTransitions {
  public:
    ObservanceRules(std::vector<OpenRule> rules, std::int64_t from)
        : rules_(std::move(rules)), from_(from) {}

    void between(std::int64_t from, std::int64_t to,
                 std::vector<TimeZone::Transition>* out) const override {
        const std::size_t first = out->size();
        for (const OpenRule& r : rules_)
            onsets_of(r, from, to, out);
        std::sort(out->begin() + static_cast<std::ptrdiff_t>(first), out->end(),
                  [](const TimeZone::Transition& a, const TimeZone::Transition& b) {
                      return a.at < b.at;
                  });
    }

    bool repeats_every_400_years() const override {
        return std::all_of(rules_.begin(), rules_.end(), [](const OpenRule& r) {
            return kCycleUnits[static_cast<int>(r.rule.freq)] % r.rule.interval == 0;
        });
    }

    // The most onsets one rule gives in a year from the start of the rules (a zone whose
    // offset changes every second is not a zone).
    std::size_t busiest_first_year() const {
        std::size_t most = 0;
        for (const OpenRule& r : rules_) {
            std::vector<TimeZone::Transition> one;
            onsets_of(r, from_, from_ + std::int64_t{366} * 86400, &one);
            most = std::max(most, one.size());
        }
        return most;
    }

  private:
    void onsets_of(const OpenRule& r, std::int64_t from, std::int64_t to,
                   std::vector<TimeZone::Transition>* out) const {
        auto it = rrule::InstanceIterator::create(r.rule, r.start, false);
        if (!it.ok() || it->never_matches())
            return;
        // Wall-clock times in offset_from; a day either side covers any offset.
        it->skip_to(from + r.offset_from - 86400);
        it->stop_after(to + r.offset_from + 86400);
        rrule::WorkBudget budget(kYearBudget);
        std::int64_t wall = 0;
        std::size_t taken = 0;
        while (taken <= kMaxOnsetsPerYear &&
               it->next(budget, &wall) == rrule::InstanceIterator::Status::instance) {
            const std::int64_t at = wall - r.offset_from;
            if (at >= to)
                break;
            if (at >= from && at >= from_) {
                out->push_back({at, r.offset_to});
                ++taken;
            }
        }
    }

    std::vector<OpenRule> rules_;
    std::int64_t from_;
};

class Builder {
  public:
    explicit Builder(const std::string& name) : name_(name) {}

    Result<void> add_observance(icalcomponent* obs);
    Result<ZonePtr> build(std::string definition);

  private:
    Error fail(const std::string& why) const {
        return make_error(ErrorCode::parse, "VTIMEZONE '" + name_ + "': " + why);
    }
    Result<void> add(std::int64_t at, int from, int to) {
        if (onsets_.size() >= kMaxTableTransitions)
            return fail("more than " + std::to_string(kMaxTableTransitions) + " transitions");
        onsets_.push_back({at, from, to});
        return {};
    }
    // Onsets of `r` from its DTSTART while before `stop` (and UNTIL, if any).
    Result<void> enumerate(const OpenRule& r, std::int64_t stop);

    std::string name_;
    std::vector<Onset> onsets_;
    std::vector<OpenRule> open_;
    rrule::WorkBudget budget_{kBuildBudget};
};

Result<void> Builder::enumerate(const OpenRule& r, std::int64_t stop) {
    auto it = rrule::InstanceIterator::create(r.rule, r.start, false);
    if (!it.ok())
        return fail(it.error().message);
    if (it->never_matches())
        return {};
    std::int64_t until = INT64_MAX;
    if (const auto& u = r.rule.until) {
        // RFC 5545 3.3.10: UTC in observances; a floating one (old exports) is local time.
        if (u->is_date)
            until = civil_seconds(CivilDateTime{u->value.date, 23, 59, 59}) - r.offset_from;
        else
            until = civil_seconds(u->value) - (u->is_utc ? 0 : r.offset_from);
    }
    std::int64_t wall = 0;
    while (true) {
        const auto status = it->next(budget_, &wall);
        if (status == rrule::InstanceIterator::Status::end)
            return {};
        if (status == rrule::InstanceIterator::Status::over_budget)
            return fail("its observances take too much work to expand");
        const std::int64_t at = wall - r.offset_from;
        if (at > until || at >= stop)
            return {};
        auto added = add(at, r.offset_from, r.offset_to);
        if (!added.ok())
            return added;
    }
}

Result<void> Builder::add_observance(icalcomponent* obs) {
    // libical drops what it cannot read and leaves an X-LIC-ERROR: the zone would be wrong.
    if (icalproperty* p = icalcomponent_get_first_property(obs, ICAL_XLICERROR_PROPERTY)) {
        const char* text = icalproperty_get_xlicerror(p);
        return fail(std::string("unreadable observance: ") + (text != nullptr ? text : ""));
    }
    icalproperty* from_prop = icalcomponent_get_first_property(obs, ICAL_TZOFFSETFROM_PROPERTY);
    icalproperty* to_prop = icalcomponent_get_first_property(obs, ICAL_TZOFFSETTO_PROPERTY);
    icalproperty* start_prop = icalcomponent_get_first_property(obs, ICAL_DTSTART_PROPERTY);
    if (from_prop == nullptr || to_prop == nullptr || start_prop == nullptr)
        return fail("observance without DTSTART, TZOFFSETFROM or TZOFFSETTO");
    // RFC 5545 3.6.5: DTSTART and RDATEs are local times read with TZOFFSETFROM.
    OpenRule observance;
    observance.offset_from = icalproperty_get_tzoffsetfrom(from_prop);
    observance.offset_to = icalproperty_get_tzoffsetto(to_prop);
    observance.start = civil_from_ical(icalproperty_get_dtstart(start_prop));
    if (!is_valid_date(observance.start.date))
        return fail("observance DTSTART is not a valid date");
    auto added = add(civil_seconds(observance.start) - observance.offset_from,
                     observance.offset_from, observance.offset_to);
    if (!added.ok())
        return added;

    for (icalproperty* p = icalcomponent_get_first_property(obs, ICAL_RDATE_PROPERTY); p != nullptr;
         p = icalcomponent_get_next_property(obs, ICAL_RDATE_PROPERTY)) {
        const icaldatetimeperiodtype rd = icalproperty_get_rdate(p);
        const icaltimetype t = icaltime_is_null_time(rd.time) ? rd.period.start : rd.time;
        if (icaltime_is_null_time(t))
            continue;
        // A UTC RDATE is already an instant.
        const std::int64_t local = civil_seconds(civil_from_ical(t));
        added = add(icaltime_is_utc(t) != 0 ? local : local - observance.offset_from,
                    observance.offset_from, observance.offset_to);
        if (!added.ok())
            return added;
    }

    for (icalproperty* p = icalcomponent_get_first_property(obs, ICAL_RRULE_PROPERTY); p != nullptr;
         p = icalcomponent_get_next_property(obs, ICAL_RRULE_PROPERTY)) {
        const char* text = icalproperty_get_value_as_string(p);
        auto rule = rrule::parse(text != nullptr ? text : "");
        if (!rule.ok())
            return fail(rule.error().message);
        OpenRule r = observance;
        r.rule = std::move(rule).value();
        if (r.rule.count != 0 || r.rule.until) {
            added = enumerate(r, INT64_MAX);
            if (!added.ok())
                return added;
        } else {
            open_.push_back(std::move(r));
        }
    }
    return {};
}

Result<ZonePtr> Builder::build(std::string definition) {
    if (onsets_.empty())
        return fail("no STANDARD or DAYLIGHT observance");
    // The rules take over once every explicit onset and every rule's start has passed;
    // before that, their onsets join the table.
    std::int64_t rules_from = INT64_MIN;
    for (const Onset& o : onsets_)
        rules_from = std::max(rules_from, o.at);
    for (const OpenRule& r : open_)
        rules_from = std::max(rules_from, civil_seconds(r.start) - r.offset_from);
    for (const OpenRule& r : open_) {
        auto added = enumerate(r, rules_from);
        if (!added.ok())
            return added.error();
    }
    std::sort(onsets_.begin(), onsets_.end(),
              [](const Onset& a, const Onset& b) { return a.at < b.at; });
    std::vector<TimeZone::Transition> table;
    table.reserve(onsets_.size());
    int current = onsets_.front().offset_from;
    for (const Onset& o : onsets_) {
        // Observances often restate the offset in force; keep only real changes.
        if (o.offset_to == current && !table.empty())
            continue;
        table.push_back({o.at, o.offset_to});
        current = o.offset_to;
    }
    if (open_.empty())
        return ZonePtr(std::make_shared<TimeZone>(name_, onsets_.front().offset_from,
                                                  std::move(table), nullptr, 0,
                                                  std::move(definition)));
    auto rules = std::make_shared<ObservanceRules>(std::move(open_), rules_from);
    if (rules->busiest_first_year() > kMaxOnsetsPerYear)
        return fail("an observance RRULE changes the offset more than " +
                    std::to_string(kMaxOnsetsPerYear) + " times a year");
    return ZonePtr(std::make_shared<TimeZone>(name_, onsets_.front().offset_from, std::move(table),
                                              std::move(rules), rules_from, std::move(definition)));
}

}  // namespace

Result<ZonePtr> zone_from_vtimezone(icalcomponent* vtimezone, const std::string& name,
                                    std::string definition) {
    Builder builder(name);
    for (icalcomponent* obs = icalcomponent_get_first_component(vtimezone, ICAL_ANY_COMPONENT);
         obs != nullptr; obs = icalcomponent_get_next_component(vtimezone, ICAL_ANY_COMPONENT)) {
        const icalcomponent_kind kind = icalcomponent_isa(obs);
        if (kind != ICAL_XSTANDARD_COMPONENT && kind != ICAL_XDAYLIGHT_COMPONENT)
            continue;
        auto added = builder.add_observance(obs);
        if (!added.ok())
            return added.error();
    }
    return builder.build(std::move(definition));
}

}  // namespace calsync::ical
