// Time zones as UTC-offset transition tables, with RFC 5545 rules for local times that
// fall in a DST gap or overlap.
#pragma once

#include <cstdint>
#include <memory>
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

    TimeZone(std::string name, int initial_offset, std::vector<Transition> transitions);

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

    const std::vector<Transition>& transitions() const { return transitions_; }

  private:
    int offset_at_seconds(std::int64_t utc) const;

    std::string name_;
    int initial_offset_;
    std::vector<Transition> transitions_;  // sorted by `at`
};

using ZonePtr = std::shared_ptr<const TimeZone>;

// An IANA zone ("Europe/Berlin", "UTC") from the system time zone database, cached for
// the life of the process. Thread safe. Accepts the "/freeassociation.sourceforge.net/"
// style prefixes some clients put in front of IANA names.
Result<ZonePtr> find_iana_zone(std::string_view name);

// The last year for which transitions are computed; later instants use the last offset.
constexpr int kZoneHorizonYear = 2200;

}  // namespace calsync
