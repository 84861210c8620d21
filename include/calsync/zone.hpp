// Time zones as UTC-offset transition tables, with RFC 5545 rules for local times that
// fall in a DST gap or overlap.
#pragma once

#include <atomic>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "calsync/civil_time.hpp"
#include "calsync/result.hpp"

namespace calsync {

class TimeZone {
  public:
    struct Transition {
        std::int64_t at;   // UTC seconds at which offset_after takes effect
        int offset_after;  // seconds east of UTC
    };

    // Transitions computed on demand, year by year, after the table ends: a VTIMEZONE's
    // open-ended observances kept as rules (FREQ=YEARLY;BYMONTH=3;BYDAY=-1SU), as tzdata's
    // POSIX footer keeps today's rules, instead of a table enumerated for centuries.
    class RecurringTransitions {
      public:
        virtual ~RecurringTransitions() = default;
        // Appends the transitions with `from <= at < to`, sorted by `at`.
        virtual void between(std::int64_t from, std::int64_t to,
                             std::vector<Transition>* out) const = 0;
        // True when the transitions repeat with the Gregorian calendar: those of any year
        // (after the first) are those of the year 400 years earlier, 146,097 days on.
        virtual bool repeats_every_400_years() const { return false; }
    };

    TimeZone(std::string name, int initial_offset, std::vector<Transition> transitions);
    // A table up to `recurring_from` (UTC seconds), then `recurring`. `definition` is the
    // VTIMEZONE text the zone was built from, kept so a stored event can rebuild it.
    TimeZone(std::string name, int initial_offset, std::vector<Transition> transitions,
             std::shared_ptr<const RecurringTransitions> recurring, std::int64_t recurring_from,
             std::string definition);
    ~TimeZone();
    TimeZone(const TimeZone&) = delete;
    TimeZone& operator=(const TimeZone&) = delete;

    static std::shared_ptr<const TimeZone> utc();

    const std::string& name() const { return name_; }
    // Offset (seconds east of UTC) in force at an instant.
    int offset_at(Instant t) const;
    CivilDateTime to_local(Instant t) const;
    // RFC 5545 3.3.5: a local time that occurs twice means its first occurrence; one
    // that does not exist (a spring-forward gap) is read with the offset before the gap.
    Instant to_instant(const CivilDateTime& local) const;
    // Midnight that starts a civil date (itself subject to the gap rule above).
    Instant start_of_day(const CivilDate& d) const;

    // The table; a zone with recurring transitions has more after recurring_from().
    const std::vector<Transition>& transitions() const { return transitions_; }
    int initial_offset() const { return initial_offset_; }
    bool has_recurring_transitions() const { return recurring_ != nullptr; }
    std::int64_t recurring_from() const { return recurring_from_; }
    // The VTIMEZONE text the zone was built from; empty for tables and UTC.
    const std::string& definition() const { return definition_; }
    // Same name and the same offsets at every instant, by construction: the same table and
    // the same definition.
    bool same_rules(const TimeZone& other) const;

  private:
    struct Year;
    int offset_at_seconds(std::int64_t utc) const;
    int table_offset_at(std::int64_t utc) const;
    int recurring_offset_at(std::int64_t utc) const;
    // The recurring transitions of one UTC year, computed once for years near today.
    const Year* year(int y, std::unique_ptr<Year>* uncached) const;
    std::unique_ptr<Year> compute_year(int y) const;

    std::string name_;
    int initial_offset_;
    std::vector<Transition> transitions_;  // sorted by `at`
    std::shared_ptr<const RecurringTransitions> recurring_;
    std::int64_t recurring_from_ = 0;
    // Instants from here on are read 400 years earlier, a whole number of cycles back, when
    // the recurring transitions repeat so: far years cost what the years near today cost.
    std::int64_t fold_from_ = INT64_MAX;
    std::string definition_;
    mutable std::unique_ptr<std::atomic<const Year*>[]> years_;
    // Years outside years_' range, each computed once (a series moved centuries back by an
    // override is expanded there instance by instance); bounded, then computed per lookup.
    mutable std::mutex far_years_mutex_;
    mutable std::map<int, std::unique_ptr<Year>> far_years_;
};

using ZonePtr = std::shared_ptr<const TimeZone>;

// An IANA zone ("Europe/Berlin", "UTC") from the system time zone database, cached for
// the life of the process. Thread safe. Accepts the "/freeassociation.sourceforge.net/"
// style prefixes some clients put in front of IANA names.
Result<ZonePtr> find_iana_zone(std::string_view name);

}  // namespace calsync
