#include "calsync/recurrence.hpp"

#include <algorithm>
#include <map>
#include <set>
#include <string>

#include "core/rrule_iterator.hpp"

namespace calsync {
namespace {

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

// Gives back a scratch vector's memory when one event grew it past what events need.
struct ReleaseIfLarge {
    std::vector<Candidate>* scratch;
    ReleaseIfLarge(const ReleaseIfLarge&) = delete;
    ReleaseIfLarge& operator=(const ReleaseIfLarge&) = delete;
    ~ReleaseIfLarge() {
        if (scratch->capacity() > 4096)
            std::vector<Candidate>().swap(*scratch);
    }
};

// The most a DST gap moves a wall-clock time (Samoa skipped a whole day in 2011).
constexpr std::int64_t kGapMargin = 86400;

// Errors name the event, so a caller that logs only the message still knows which one.
Error about(const Event& e, Error error) {
    const std::string& name = e.uid.empty() ? e.id : e.uid;
    error.message = "event '" + name + "': " + error.message;
    return error;
}

// Instance starts worth making, as instants (both ends included): those whose occurrence can
// reach the window, by their length or an override's move.
struct WantedStarts {
    Instant from;
    Instant to;
};

// The instances of one RRULE as candidates: read in the master's frame, those starting in one
// of `wanted` (sorted, disjoint). Without COUNT each range is walked on its own from just
// before it; with COUNT, which counts from DTSTART, the rule is walked from DTSTART up to the
// last range, and only the instances in a range are made.
struct RuleExpansion {
    const Event& event;
    const Frame& frame;
    const ExpansionWindow& window;
    const std::vector<WantedStarts>& wanted;
    rrule::WorkBudget& budget;
    std::size_t& in_window;
    std::vector<Candidate>* out;

    // Each wanted range as wall-clock times in the frame, first and last.
    using Walls = std::vector<std::pair<std::int64_t, std::int64_t>>;

    Result<void> run(const std::string& text) {
        auto rule = rrule::parse(text);
        if (!rule.ok())
            return rule.error();
        const TimeZone& zone = *frame.zone;
        // Pulling starts two days before a range and stops a day past it: instants follow
        // wall-clock times except across a DST gap, which moves an instance by its length.
        Walls walls;
        for (const WantedStarts& range : wanted)
            walls.push_back({civil_seconds(zone.to_local(range.from - std::chrono::hours(48))),
                             civil_seconds(zone.to_local(range.to)) + kGapMargin});
        if (rule->count != 0)
            return walk(text, rule.value(), walls, 0, wanted.size());
        for (std::size_t i = 0; i < wanted.size(); ++i) {
            auto walked = walk(text, rule.value(), walls, i, i + 1);
            if (!walked.ok())
                return walked;
        }
        return {};
    }

    // The instances of `rule` in the ranges [first, end): skipped to the first unless the
    // rule counts, made only inside a range.
    Result<void> walk(const std::string& text, const rrule::Rule& rule, const Walls& walls,
                      std::size_t first, std::size_t end) {
        auto created = rrule::InstanceIterator::create(rule, event.start.local, frame.all_day);
        if (!created.ok())
            return make_error(ErrorCode::parse, "RRULE '" + text + "': " + created.error().message);
        rrule::InstanceIterator& it = created.value();
        if (it.never_matches())
            return {};
        const TimeZone& zone = *frame.zone;
        std::int64_t last_wall = walls[end - 1].second;
        std::optional<Instant> until_instant;
        if (const auto& u = rule.until) {
            if (u->is_date) {
                // A DATE UNTIL bounds a DATE-TIME series at the end of that day (Google
                // writes it so), and a DATE series at that day.
                last_wall =
                    std::min(last_wall, civil_seconds(CivilDateTime{u->value.date, 23, 59, 59}));
            } else if (!u->is_utc) {
                // A floating UNTIL goes with a floating DTSTART: the same frame.
                last_wall = std::min(last_wall, civil_seconds(u->value));
            } else {
                // RFC 5545 3.3.10: a UTC UNTIL bounds the instances as instants.
                until_instant = instant_from_unix(civil_seconds(u->value));
                last_wall =
                    std::min(last_wall, civil_seconds(zone.to_local(*until_instant)) + kGapMargin);
            }
        }
        it.stop_after(last_wall);
        if (rule.count == 0)
            it.skip_to(walls[first].first);
        std::size_t range = first;
        std::int64_t wall = 0;
        while (true) {
            const auto status = it.next(budget, &wall);
            if (status == rrule::InstanceIterator::Status::end)
                return {};
            if (status == rrule::InstanceIterator::Status::over_budget)
                return make_error(ErrorCode::limit_exceeded,
                                  "RRULE '" + text + "' needs more than the work budget of " +
                                      std::to_string(window.work_budget) +
                                      " steps to cover the window");
            while (range < end && wall > walls[range].second)
                ++range;
            if (range == end)
                return {};
            if (wall < walls[range].first)
                continue;
            Candidate c;
            c.local = civil_from_seconds(wall);
            c.start = frame.all_day ? zone.start_of_day(c.local.date) : zone.to_instant(c.local);
            if (until_instant && c.start > *until_instant)
                continue;
            if (c.start < wanted[range].from || c.start > wanted[range].to)
                continue;
            // Only instances starting inside the window count: those before it are made for
            // their length, those after it only in case an override moves them in.
            if (c.start >= window.window.start && c.start < window.window.end &&
                ++in_window > window.max_occurrences)
                return make_error(ErrorCode::limit_exceeded,
                                  "RRULE '" + text + "' gives more than " +
                                      std::to_string(window.max_occurrences) +
                                      " occurrences in the window");
            out->push_back(c);
        }
    }
};

// RFC 5545 3.6.1 and 3.8.2.2: the end must not come before the start. An instant-long event
// (end == start) is allowed; a start read in a DST gap can pass an end written after it,
// which is not the author's mistake.
Result<void> check_end_after_start(const Event& e, const TimeZone& business) {
    auto bad = [&](const std::string& what) {
        std::string where = e.recurrence_id
                                ? " (the instance of " + format_local(e.recurrence_id->local) + ")"
                                : "";
        return make_error(ErrorCode::parse, what + where);
    };
    if (e.duration && !e.end && (e.duration->days < 0 || e.duration->seconds < 0))
        return bad("DURATION is negative: the event would end before it starts");
    if (!e.end)
        return {};
    const EventTime& end = *e.end;
    bool before = false;
    if (e.start.is_date() && end.is_date()) {
        before = end.local.date < e.start.local.date;
    } else if (end.kind == e.start.kind &&
               (end.kind != EventTime::Kind::zoned || end.zone == e.start.zone)) {
        before = end.local < e.start.local;
    } else {
        before = end.resolve(business) < e.start.resolve(business);
    }
    if (before)
        return bad("DTEND " + format_local(end.local) + " is before DTSTART " +
                   format_local(e.start.local));
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
    const TimeZone& business = w.business_zone != nullptr ? *w.business_zone : *TimeZone::utc();
    if (event.start.kind == EventTime::Kind::zoned && !event.start.zone)
        return about(event,
                     make_error(ErrorCode::unknown_zone,
                                "start has TZID '" + event.start.tzid + "' with no resolved zone"));
    auto ordered = check_end_after_start(event, business);
    for (std::size_t i = 0; ordered.ok() && i < event.overrides.size(); ++i)
        ordered = check_end_after_start(event.overrides[i], business);
    if (!ordered.ok())
        return about(event, ordered.error());
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
    for (const Event& ov : event.overrides) {
        if (!ov.recurrence_id)
            continue;
        const Instant rid = ov.recurrence_id->resolve(business);
        exact[to_unix(rid)] = &ov;
        if (ov.this_and_future)
            this_and_future.emplace_back(rid, &ov);
    }
    std::sort(this_and_future.begin(), this_and_future.end(),
              [](const auto& a, const auto& b) { return a.first < b.first; });

    // Instances starting before the window reach into it by their length. An override of one
    // instance shows whether or not the rule gives that instance (see the end), so it needs
    // none made; a RANGE=THISANDFUTURE override moves the instances after it by its own
    // move, so those it brings into the window are wanted too, however far it moves them.
    const std::chrono::seconds reach(86400 * (len.days + 2) + len.seconds);
    std::vector<WantedStarts> wanted{{w.window.start - reach, w.window.end}};
    for (std::size_t i = 0; i < this_and_future.size(); ++i) {
        const auto [rid, ov] = this_and_future[i];
        const Occurrence moved = occurrence_of(*ov, business, rid);
        const auto shift = moved.range.start - rid;
        WantedStarts range{w.window.start - shift - moved.range.duration() - std::chrono::hours(48),
                           w.window.end - shift};
        range.from = std::max(range.from, rid);
        if (i + 1 < this_and_future.size())
            range.to = std::min(range.to, this_and_future[i + 1].first);
        if (range.from <= range.to)
            wanted.push_back(range);
    }
    std::sort(wanted.begin(), wanted.end(),
              [](const WantedStarts& a, const WantedStarts& b) { return a.from < b.from; });
    // Ranges nearer each other than their walls' margins (two days before, one after, and a
    // zone's change of offset) are one: then every wall a walk reads belongs to one range.
    const auto near = std::chrono::hours(24 * 5);
    std::vector<WantedStarts> merged;
    for (const WantedStarts& range : wanted) {
        if (!merged.empty() && range.from <= merged.back().to + near)
            merged.back().to = std::max(merged.back().to, range.to);
        else
            merged.push_back(range);
    }

    // Kept between calls on this thread: a vector grown anew for every event costs more than
    // its instances (each large allocation makes malloc sort out the blocks freed meanwhile).
    thread_local std::vector<Candidate> scratch;
    std::vector<Candidate>& candidates = scratch;
    candidates.clear();
    const ReleaseIfLarge release{&candidates};
    // RFC 5545 3.8.5.3: DTSTART is always the first instance of the set.
    candidates.push_back(Candidate{master_start, event.start.local, std::nullopt});
    rrule::WorkBudget budget(w.work_budget);
    std::size_t in_window = 0;
    RuleExpansion rules{event, f, w, merged, budget, in_window, &candidates};
    for (const std::string& rule : event.recurrence.rrules) {
        auto expanded = rules.run(rule);
        if (!expanded.ok())
            return about(event, expanded.error());
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

    result.reserve(candidates.size() + exact.size());
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
        return about(event, make_error(ErrorCode::limit_exceeded,
                                       "more than " + std::to_string(w.max_occurrences) +
                                           " occurrences in the window"));
    std::sort(result.begin(), result.end(), [](const Occurrence& a, const Occurrence& b) {
        return a.range.start < b.range.start ||
               (a.range.start == b.range.start && a.recurrence_id < b.recurrence_id);
    });
    return result;
}

}  // namespace calsync
