#include "calsync/zone.hpp"

#include <algorithm>
#include <mutex>
#include <unordered_map>

#include "core/libical_handles.hpp"
#include "core/vtimezone.hpp"

namespace calsync {

namespace {

// Years whose recurring transitions are kept once computed; others are computed per query.
constexpr int kFirstCachedYear = 1800;
constexpr int kCachedYears = 600;
constexpr std::size_t kFarYearsKept = 1000;
// How far back a query looks for the last recurring transition before its year.
constexpr int kYearsBack = 400;
// The Gregorian calendar repeats every 400 years, 146,097 days (20,871 weeks).
constexpr int kCycleYears = 400;
constexpr std::int64_t kCycleSeconds = std::int64_t{146097} * 86400;

std::int64_t floor_div(std::int64_t a, std::int64_t b) {
    std::int64_t q = a / b;
    if (a % b != 0 && ((a < 0) != (b < 0)))
        --q;
    return q;
}

std::int64_t year_start(int year) {
    return days_from_civil(CivilDate{year, 1, 1}) * 86400;
}

// The UTC year of an instant: a guess from the mean Gregorian year, then corrected (cheaper
// than a whole civil_from_days, and asked on every offset lookup).
int utc_year(std::int64_t utc) {
    int y = static_cast<int>(1970 + floor_div(utc, 31556952));
    if (utc < year_start(y))
        --y;
    else if (utc >= year_start(y + 1))
        ++y;
    return y;
}

}  // namespace

struct TimeZone::Year {
    std::vector<Transition> transitions;  // sorted
};

TimeZone::TimeZone(std::string name, int initial_offset, std::vector<Transition> transitions)
    : TimeZone(std::move(name), initial_offset, std::move(transitions), nullptr, 0, {}) {}

TimeZone::TimeZone(std::string name, int initial_offset, std::vector<Transition> transitions,
                   std::shared_ptr<const RecurringTransitions> recurring,
                   std::int64_t recurring_from, std::string definition)
    : name_(std::move(name)),
      initial_offset_(initial_offset),
      transitions_(std::move(transitions)),
      recurring_(std::move(recurring)),
      recurring_from_(recurring_from),
      definition_(std::move(definition)) {
    std::sort(transitions_.begin(), transitions_.end(),
              [](const Transition& a, const Transition& b) { return a.at < b.at; });
    if (recurring_ && recurring_->repeats_every_400_years()) {
        // From the second cycle after the rules' first whole year, both an instant and its
        // fold lie a whole lookback (kYearsBack) inside the rules, so they read alike.
        fold_from_ = year_start(utc_year(recurring_from_) + 1 + kYearsBack + kCycleYears);
    }
    if (recurring_) {
        years_ = std::make_unique<std::atomic<const Year*>[]>(kCachedYears);
        for (int i = 0; i < kCachedYears; ++i)
            years_[i].store(nullptr, std::memory_order_relaxed);
    }
}

TimeZone::~TimeZone() {
    if (years_) {
        // Each cell owns the Year it was given by year()'s compare-exchange.
        for (int i = 0; i < kCachedYears; ++i)
            delete years_[i].load(std::memory_order_relaxed);
    }
}

ZonePtr TimeZone::utc() {
    static const ZonePtr kUtc = std::make_shared<TimeZone>("UTC", 0, std::vector<Transition>{});
    return kUtc;
}

bool TimeZone::same_rules(const TimeZone& o) const {
    if (this == &o)
        return true;
    if (name_ != o.name_ || initial_offset_ != o.initial_offset_ || definition_ != o.definition_ ||
        (recurring_ == nullptr) != (o.recurring_ == nullptr) ||
        (recurring_ && recurring_from_ != o.recurring_from_) ||
        transitions_.size() != o.transitions_.size())
        return false;
    for (std::size_t i = 0; i < transitions_.size(); ++i) {
        if (transitions_[i].at != o.transitions_[i].at ||
            transitions_[i].offset_after != o.transitions_[i].offset_after)
            return false;
    }
    // Recurring transitions come from a definition; the same text gives the same rules.
    return !recurring_ || !definition_.empty();
}

int TimeZone::table_offset_at(std::int64_t utc) const {
    // The last transition at or before `utc` is in force.
    auto it = std::upper_bound(transitions_.begin(), transitions_.end(), utc,
                               [](std::int64_t t, const Transition& tr) { return t < tr.at; });
    return it == transitions_.begin() ? initial_offset_ : std::prev(it)->offset_after;
}

std::unique_ptr<TimeZone::Year> TimeZone::compute_year(int y) const {
    auto out = std::make_unique<Year>();
    const std::int64_t from = std::max(year_start(y), recurring_from_);
    const std::int64_t to = year_start(y + 1);
    if (from < to)
        recurring_->between(from, to, &out->transitions);
    return out;
}

const TimeZone::Year* TimeZone::year(int y, std::unique_ptr<Year>* uncached) const {
    const int slot = y - kFirstCachedYear;
    if (slot < 0 || slot >= kCachedYears) {
        std::lock_guard<std::mutex> lock(far_years_mutex_);
        auto known = far_years_.find(y);
        if (known != far_years_.end())
            return known->second.get();
        if (far_years_.size() >= kFarYearsKept) {
            *uncached = compute_year(y);
            return uncached->get();
        }
        return far_years_.emplace(y, compute_year(y)).first->second.get();
    }
    std::atomic<const Year*>& cell = years_[slot];
    const Year* known = cell.load(std::memory_order_acquire);
    if (known != nullptr)
        return known;
    // Computed without a lock: two threads may both compute a year; one result is kept.
    std::unique_ptr<Year> fresh = compute_year(y);
    const Year* expected = nullptr;
    if (cell.compare_exchange_strong(expected, fresh.get(), std::memory_order_acq_rel))
        return fresh.release();
    return expected;
}

int TimeZone::recurring_offset_at(std::int64_t utc) const {
    if (utc >= fold_from_)
        utc -= (1 + floor_div(utc - fold_from_, kCycleSeconds)) * kCycleSeconds;
    const int y = utc_year(utc);
    std::unique_ptr<Year> scratch;
    const Year* e = year(y, &scratch);
    auto it = std::upper_bound(e->transitions.begin(), e->transitions.end(), utc,
                               [](std::int64_t t, const Transition& tr) { return t < tr.at; });
    if (it != e->transitions.begin())
        return std::prev(it)->offset_after;
    const int first = utc_year(recurring_from_);
    for (int back = y - 1; back >= first && back >= y - kYearsBack; --back) {
        const Year* earlier = year(back, &scratch);
        if (!earlier->transitions.empty())
            return earlier->transitions.back().offset_after;
    }
    return transitions_.empty() ? initial_offset_ : transitions_.back().offset_after;
}

int TimeZone::offset_at_seconds(std::int64_t utc) const {
    if (recurring_ && utc >= recurring_from_)
        return recurring_offset_at(utc);
    return table_offset_at(utc);
}

int TimeZone::offset_at(Instant t) const {
    return offset_at_seconds(to_unix(t));
}

CivilDateTime TimeZone::to_local(Instant t) const {
    const std::int64_t seconds = to_unix(t);
    return civil_from_seconds(seconds + offset_at_seconds(seconds));
}

Instant TimeZone::to_instant(const CivilDateTime& local) const {
    const std::int64_t wall = civil_seconds(local);
    if (transitions_.empty() && !recurring_)
        return instant_from_unix(wall - initial_offset_);
    // The offsets a day either side bracket any single transition near this wall time
    // (no zone changes its offset twice within two days).
    const int before = offset_at_seconds(wall - 86400);
    const int after = offset_at_seconds(wall + 86400);
    if (before == after)
        return instant_from_unix(wall - before);  // no transition near: the common case
    const std::int64_t with_before = wall - before;
    const std::int64_t with_after = wall - after;
    const bool before_valid = offset_at_seconds(with_before) == before;
    const bool after_valid = offset_at_seconds(with_after) == after;
    if (before_valid && after_valid)
        return instant_from_unix(std::min(with_before, with_after));
    if (after_valid)
        return instant_from_unix(with_after);
    // Valid with the earlier offset, or in a gap: RFC 5545 reads a nonexistent local time
    // with the offset in force before the gap.
    return instant_from_unix(with_before);
}

Instant TimeZone::start_of_day(const CivilDate& d) const {
    CivilDateTime midnight;
    midnight.date = d;
    return to_instant(midnight);
}

namespace {

bool is_utc_name(std::string_view name) {
    return name == "UTC" || name == "Etc/UTC" || name == "GMT" || name == "Etc/GMT" ||
           name == "Z" || name == "Zulu" || name == "Etc/Zulu" || name == "Universal" ||
           name == "Etc/Universal" || name == "UCT" || name == "Etc/UCT";
}

// Only names shaped like IANA names reach the file system through libical.
bool is_plausible_iana_name(std::string_view name) {
    if (name.empty() || name.size() > 64 || name.front() == '/' ||
        name.find("..") != std::string_view::npos)
        return false;
    return std::all_of(name.begin(), name.end(), [](char c) {
        return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
               c == '/' || c == '_' || c == '-' || c == '+';
    });
}

// Guarded by ical::libical_mutex(): loading a zone goes through libical's built-in ones.
struct ZoneCache {
    std::unordered_map<std::string, ZonePtr> zones;
};

ZoneCache& zone_cache() {
    static ZoneCache cache;
    return cache;
}

ZonePtr load_iana_locked(ZoneCache& cache, const std::string& name) {
    auto found = cache.zones.find(name);
    if (found != cache.zones.end())
        return found->second;
    ZonePtr zone;
    if (is_utc_name(name)) {
        zone = TimeZone::utc();
    } else if (is_plausible_iana_name(name)) {
        // libical reads the system tz database (Debian's tzdata) into a VTIMEZONE; one
        // expander then serves both these zones and the ones calendars define.
        icaltimezone* builtin = icaltimezone_get_builtin_timezone(name.c_str());
        icalcomponent* vtz = builtin != nullptr ? icaltimezone_get_component(builtin) : nullptr;
        if (vtz != nullptr) {
            auto built = ical::zone_from_vtimezone(vtz, name);
            if (built.ok())
                zone = built.value();
        }
    }
    if (zone)
        cache.zones.emplace(name, zone);
    return zone;
}

}  // namespace

namespace ical {

std::recursive_mutex& libical_mutex() {
    static std::recursive_mutex m;
    return m;
}

}  // namespace ical

Result<ZonePtr> find_iana_zone(std::string_view name) {
    std::lock_guard<std::recursive_mutex> lock(ical::libical_mutex());
    auto& cache = zone_cache();
    const std::string full(name);
    if (ZonePtr z = load_iana_locked(cache, full))
        return z;
    // "/freeassociation.sourceforge.net/Europe/Berlin", "/mozilla.org/20050126_1/Europe/Berlin"
    // and the like: try each suffix after a '/'.
    if (!full.empty() && full.front() == '/') {
        for (std::size_t pos = full.find('/', 1); pos != std::string::npos;
             pos = full.find('/', pos + 1)) {
            if (ZonePtr z = load_iana_locked(cache, full.substr(pos + 1)))
                return z;
        }
    }
    return make_error(ErrorCode::unknown_zone, "unknown time zone '" + full +
                                                   "': not an IANA name in the system "
                                                   "time-zone database");
}

}  // namespace calsync
