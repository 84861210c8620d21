#include "calsync/recurrence.hpp"

#include <algorithm>
#include <map>
#include <set>
#include <string>

#include "core/ical_time.hpp"
#include "core/libical_handles.hpp"

namespace calsync {
namespace {

// Iterations before the window are not occurrences, but they still cost time: a rule that
// needs more than this many steps to reach the window is refused.
constexpr std::size_t kMaxStepsPerOccurrenceCap = 50;

CivilDateTime add_days(const CivilDateTime& t, std::int64_t days) {
    CivilDateTime r = t;
    r.date = calsync::add_days(t.date, days);
    return r;
}

// How long each instance lasts: nominal days (wall-clock, so DST days keep their wall
// times) plus exact seconds (RFC 5545 3.3.6, 3.8.5.3).
struct Length {
    std::int64_t days = 0;
    std::int64_t seconds = 0;
};

// The zone an event's wall-clock times are read in, and whether they are dates.
struct Frame {
    const TimeZone* zone = nullptr;
    bool all_day = false;
};

Frame frame_of(const EventTime& t, const TimeZone& business) {
    switch (t.kind) {
        case EventTime::Kind::date:
            return {&business, true};
        case EventTime::Kind::utc:
            return {TimeZone::utc().get(), false};
        case EventTime::Kind::zoned:
            return {t.zone ? t.zone.get() : &business, false};
        case EventTime::Kind::floating:
            return {&business, false};
    }
    return {&business, false};
}

Length length_of(const Event& e, const TimeZone& business) {
    Length len;
    if (e.end) {
        if (e.start.is_date() && e.end->is_date()) {
            len.days = days_from_civil(e.end->local.date) - days_from_civil(e.start.local.date);
            if (len.days <= 0)
                len.days = 1;
        } else {
            len.seconds = to_unix(e.end->resolve(business)) - to_unix(e.start.resolve(business));
            // A start read in a DST gap moves forward (RFC 5545 3.3.5) and can meet or pass
            // an end written just after it; the event still takes the time its author
            // wrote, so the wall-clock length is used rather than letting it vanish.
            const std::int64_t wall = civil_seconds(e.end->local) - civil_seconds(e.start.local);
            if (len.seconds <= 0 && e.end->kind == e.start.kind)
                len.seconds = std::max<std::int64_t>(0, wall);
        }
    } else if (e.duration) {
        len.days = std::max<std::int64_t>(0, e.duration->days);
        len.seconds = std::max<std::int64_t>(0, e.duration->seconds);
    } else if (e.start.is_date()) {
        len.days = 1;  // RFC 5545 3.6.1: a DATE start without end lasts one day
    }
    return len;
}

Instant end_of(Instant start, const CivilDateTime& local, const Frame& f, const Length& len) {
    Instant end = start;
    if (len.days != 0)
        end = f.zone->to_instant(add_days(local, len.days));
    return end + std::chrono::seconds(len.seconds);
}

struct Candidate {
    Instant start;
    CivilDateTime local;         // in the master's frame
    std::optional<Instant> end;  // RDATE;VALUE=PERIOD
};

// RRULE's UNTIL, taken as RFC 5545 3.3.10 defines it for the DTSTART's kind.
struct UntilBound {
    enum class Kind { none, date, instant } kind = Kind::none;
    std::int64_t day = 0;
    Instant instant;

    bool passed(const Candidate& c) const {
        if (kind == Kind::date)
            return days_from_civil(c.local.date) > day;
        if (kind == Kind::instant)
            return c.start > instant;
        return false;
    }
};

// libical 3.0 starts counting INTERVAL weeks from the week after DTSTART when DTSTART's
// weekday is not one of BYDAY (FREQ=WEEKLY;INTERVAL=2;BYDAY=SU from a Thursday gives the
// Sunday of the following week, not of DTSTART's own week as RFC 5545 3.3.10 requires).
// The first instance after DTSTART, worked out here, gives it a start in the right week.
std::optional<CivilDate> first_weekly_instance_after_start(const icalrecurrencetype& r,
                                                           const CivilDate& start) {
    if (r.freq != ICAL_WEEKLY_RECURRENCE || r.interval <= 1)
        return std::nullopt;
    if (r.by_day[0] == ICAL_RECURRENCE_ARRAY_MAX)
        return std::nullopt;
    if (r.by_set_pos[0] != ICAL_RECURRENCE_ARRAY_MAX || r.by_month[0] != ICAL_RECURRENCE_ARRAY_MAX)
        return std::nullopt;
    // libical weekdays: SU=1 .. SA=7; iso_weekday: MO=0 .. SU=6.
    auto iso = [](int libical_day) { return (libical_day + 5) % 7; };
    const int wkst = r.week_start == ICAL_NO_WEEKDAY ? 0 : iso(r.week_start);
    std::vector<int> offsets;  // days after the week's first day
    for (int i = 0; i < ICAL_BY_DAY_SIZE && r.by_day[i] != ICAL_RECURRENCE_ARRAY_MAX; ++i) {
        if (icalrecurrencetype_day_position(r.by_day[i]) != 0)
            return std::nullopt;
        offsets.push_back((iso(icalrecurrencetype_day_day_of_week(r.by_day[i])) - wkst + 7) % 7);
    }
    const int start_offset = (iso_weekday(start) - wkst + 7) % 7;
    if (std::find(offsets.begin(), offsets.end(), start_offset) != offsets.end())
        return std::nullopt;
    std::sort(offsets.begin(), offsets.end());
    const CivilDate week = add_days(start, -start_offset);
    auto later =
        std::find_if(offsets.begin(), offsets.end(), [&](int o) { return o > start_offset; });
    if (later != offsets.end())
        return add_days(week, *later);
    return add_days(week, 7 * static_cast<std::int64_t>(r.interval) + offsets.front());
}

Result<void> expand_rrule(const std::string& text, const Event& e, const Frame& f,
                          const ExpansionWindow& w, Instant stop_after, std::int64_t slack,
                          std::vector<Candidate>* out) {
    icalerror_clear_errno();
    ical::RecurrenceRule rule(icalrecurrencetype_from_string(text.c_str()));
    if (rule.rule.freq == ICAL_NO_RECURRENCE || icalerrno != ICAL_NO_ERROR) {
        icalerror_clear_errno();
        return make_error(ErrorCode::parse, "cannot read RRULE '" + text + "'");
    }
    UntilBound until;
    if (!icaltime_is_null_time(rule.rule.until)) {
        const icaltimetype u = rule.rule.until;
        if (u.is_date != 0) {
            until.kind = UntilBound::Kind::date;
            until.day = days_from_civil(CivilDate{u.year, u.month, u.day});
        } else {
            until.kind = UntilBound::Kind::instant;
            // A floating UNTIL goes with a floating DTSTART: same frame.
            until.instant = icaltime_is_utc(u) != 0
                                ? instant_from_unix(civil_seconds(ical::civil_from_ical(u)))
                                : f.zone->to_instant(ical::civil_from_ical(u));
        }
        // libical compares UNTIL with the floating start fields directly; that is wrong
        // for a UTC UNTIL on a zoned series, so the bound is applied here instead.
        rule.rule.until = icaltime_null_time();
    }
    CivilDateTime iteration_start = e.start.local;
    if (auto first = first_weekly_instance_after_start(rule.rule, e.start.local.date)) {
        // DTSTART is already an instance (added by the caller) and counts for COUNT.
        iteration_start.date = *first;
        if (rule.rule.count == 1)
            return {};
        if (rule.rule.count > 1)
            --rule.rule.count;
    }
    ical::RecurIteratorPtr it(
        icalrecur_iterator_new(rule.rule, ical::ical_from_civil(iteration_start, f.all_day)));
    if (!it) {
        icalerror_clear_errno();
        return make_error(ErrorCode::parse, "cannot expand RRULE '" + text + "'");
    }
    // A series that began years ago would otherwise be stepped through from DTSTART, at
    // several microseconds a step in libical; without COUNT nothing before the window
    // matters, so iteration starts just before it (libical refuses this with COUNT).
    // libical loses the INTERVAL phase of sub-daily rules when started late (HOURLY;
    // INTERVAL=3 from 07:00 came out at 02:00, 05:00 ...), so those still step from DTSTART.
    const bool phase_safe = rule.rule.interval <= 1 || rule.rule.freq == ICAL_DAILY_RECURRENCE ||
                            rule.rule.freq == ICAL_WEEKLY_RECURRENCE ||
                            rule.rule.freq == ICAL_MONTHLY_RECURRENCE ||
                            rule.rule.freq == ICAL_YEARLY_RECURRENCE;
    if (rule.rule.count == 0 && phase_safe) {
        const Instant skip_to =
            w.window.start - std::chrono::seconds(slack) - std::chrono::hours(48);
        CivilDateTime from = f.zone->to_local(skip_to);
        if (f.all_day)
            from = CivilDateTime{from.date, 0, 0, 0};
        if (iteration_start < from)
            icalrecur_iterator_set_start(it.get(), ical::ical_from_civil(from, f.all_day));
    }
    const std::size_t max_steps = w.max_occurrences * kMaxStepsPerOccurrenceCap;
    std::size_t steps = 0;
    std::size_t in_window = 0;
    for (icaltimetype t = icalrecur_iterator_next(it.get()); !icaltime_is_null_time(t);
         t = icalrecur_iterator_next(it.get())) {
        Candidate c;
        c.local = ical::civil_from_ical(t);
        c.start = f.all_day ? f.zone->start_of_day(c.local.date) : f.zone->to_instant(c.local);
        if (until.passed(c) || c.start > stop_after)
            break;
        if (++steps > max_steps)
            return make_error(ErrorCode::limit_exceeded, "RRULE '" + text + "' needs more than " +
                                                             std::to_string(max_steps) +
                                                             " steps to cover the window");
        // Only instances starting inside the window count: those before it are stepped over,
        // those after it are looked at only in case an override moves them in.
        if (c.start >= w.window.start && c.start < w.window.end && ++in_window > w.max_occurrences)
            return make_error(ErrorCode::limit_exceeded, "RRULE '" + text + "' gives more than " +
                                                             std::to_string(w.max_occurrences) +
                                                             " occurrences in the window");
        out->push_back(c);
    }
    return {};
}

struct ExclusionSet {
    std::set<std::int64_t> instants;
    std::set<std::int64_t> days;  // DATE values against a timed series: the whole local day

    bool excludes(const Candidate& c, const Frame& f) const {
        if (instants.count(to_unix(c.start)) != 0)
            return true;
        return !days.empty() && !f.all_day && days.count(days_from_civil(c.local.date)) != 0;
    }
};

Occurrence occurrence_of(const Event& e, const TimeZone& business, Instant recurrence_id) {
    Occurrence o;
    const Frame f = frame_of(e.start, business);
    o.range.start = e.start.resolve(business);
    o.range.end = end_of(o.range.start, e.start.local, f, length_of(e, business));
    o.recurrence_id = recurrence_id;
    o.all_day = e.start.is_date();
    o.status = e.status;
    o.transparency = e.transparency;
    o.owner_response = e.owner_response;
    return o;
}

bool overlaps_window(const TimeRange& r, const TimeRange& window) {
    if (r.empty())
        return window.contains(r.start);
    return r.overlaps(window);
}

}  // namespace

Result<std::vector<Occurrence>> expand_event(const Event& event, const ExpansionWindow& w) {
    ical::make_libical_errors_nonfatal();
    const TimeZone& business = w.business_zone != nullptr ? *w.business_zone : *TimeZone::utc();
    if (event.start.kind == EventTime::Kind::zoned && !event.start.zone)
        return make_error(ErrorCode::unknown_zone,
                          "start has TZID '" + event.start.tzid + "' with no resolved zone");
    std::vector<Occurrence> result;
    const Instant master_start = event.start.resolve(business);

    if (!event.is_recurring()) {
        Occurrence o = occurrence_of(event, business, master_start);
        if (overlaps_window(o.range, w.window))
            result.push_back(o);
        return result;
    }

    const Frame f = frame_of(event.start, business);
    const Length len = length_of(event, business);

    // Overrides, by the instant of the instance they replace.
    std::map<std::int64_t, const Event*> exact;
    std::vector<std::pair<Instant, const Event*>> this_and_future;
    std::int64_t longest_override = 0;
    for (const Event& ov : event.overrides) {
        if (!ov.recurrence_id)
            continue;
        const Instant rid = ov.recurrence_id->resolve(business);
        exact[to_unix(rid)] = &ov;
        if (ov.this_and_future)
            this_and_future.emplace_back(rid, &ov);
        const Occurrence o = occurrence_of(ov, business, rid);
        longest_override = std::max<std::int64_t>(longest_override,
                                                  std::abs(to_unix(o.range.start) - to_unix(rid)) +
                                                      (o.range.end - o.range.start).count());
    }
    std::sort(this_and_future.begin(), this_and_future.end(),
              [](const auto& a, const auto& b) { return a.first < b.first; });

    // Instances starting after this cannot reach into the window, even when moved.
    const std::int64_t slack = 86400 * (len.days + 2) + len.seconds + longest_override;
    const Instant stop_after = w.window.end + std::chrono::seconds(slack);

    std::vector<Candidate> candidates;
    // RFC 5545 3.8.5.3: DTSTART is always the first instance of the set.
    candidates.push_back(Candidate{master_start, event.start.local, std::nullopt});
    for (const std::string& rule : event.recurrence.rrules) {
        auto expanded = expand_rrule(rule, event, f, w, stop_after, slack, &candidates);
        if (!expanded.ok())
            return expanded.error();
    }
    for (const RecurrenceDate& rd : event.recurrence.rdates) {
        Candidate c;
        c.start = rd.start.resolve(business);
        c.local = rd.start.is_date() ? rd.start.local : f.zone->to_local(c.start);
        if (f.all_day && !rd.start.is_date())
            c.local = CivilDateTime{c.local.date, 0, 0, 0};
        if (rd.end)
            c.end = rd.end->resolve(business);
        candidates.push_back(c);
    }

    ExclusionSet excluded;
    for (const EventTime& ex : event.recurrence.exdates) {
        if (ex.is_date() && !f.all_day) {
            excluded.days.insert(days_from_civil(ex.local.date));
        } else {
            excluded.instants.insert(to_unix(ex.resolve(business)));
        }
    }

    std::sort(candidates.begin(), candidates.end(),
              [](const Candidate& a, const Candidate& b) { return a.start < b.start; });
    candidates.erase(
        std::unique(candidates.begin(), candidates.end(),
                    [](const Candidate& a, const Candidate& b) { return a.start == b.start; }),
        candidates.end());

    std::set<std::int64_t> used_overrides;
    for (const Candidate& c : candidates) {
        if (excluded.excludes(c, f))
            continue;
        const std::int64_t rid = to_unix(c.start);
        Occurrence o;
        auto ov = exact.find(rid);
        if (ov != exact.end()) {
            o = occurrence_of(*ov->second, business, c.start);
            used_overrides.insert(rid);
        } else {
            // The latest RANGE=THISANDFUTURE override before this instance, if any, moves
            // it by the same offset and gives it its length and status (RFC 5545 3.8.4.4).
            const Event* tf = nullptr;
            Instant tf_rid;
            for (const auto& [at, e] : this_and_future) {
                if (at < c.start) {
                    tf = e;
                    tf_rid = at;
                }
            }
            if (tf != nullptr) {
                const Occurrence moved = occurrence_of(*tf, business, tf_rid);
                o = moved;
                o.range.start = c.start + (moved.range.start - tf_rid);
                o.range.end = o.range.start + (moved.range.end - moved.range.start);
                o.recurrence_id = c.start;
            } else {
                o.range.start = c.start;
                o.range.end = c.end ? *c.end : end_of(c.start, c.local, f, len);
                o.recurrence_id = c.start;
                o.all_day = f.all_day;
                o.status = event.status;
                o.transparency = event.transparency;
                o.owner_response = event.owner_response;
            }
        }
        if (overlaps_window(o.range, w.window))
            result.push_back(o);
    }
    // An override whose instance the rule does not produce still happened (RFC 5545 lets
    // RECURRENCE-ID name an instance; servers add instances this way).
    for (const auto& [rid, ov] : exact) {
        if (used_overrides.count(rid) != 0 || excluded.instants.count(rid) != 0)
            continue;
        Occurrence o = occurrence_of(*ov, business, instant_from_unix(rid));
        if (overlaps_window(o.range, w.window))
            result.push_back(o);
    }
    if (result.size() > w.max_occurrences)
        return make_error(
            ErrorCode::limit_exceeded,
            "more than " + std::to_string(w.max_occurrences) + " occurrences in the window");
    std::sort(result.begin(), result.end(), [](const Occurrence& a, const Occurrence& b) {
        return a.range.start < b.range.start ||
               (a.range.start == b.range.start && a.recurrence_id < b.recurrence_id);
    });
    return result;
}

}  // namespace calsync
