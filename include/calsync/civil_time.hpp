// Instants, half-open ranges and civil (wall-clock) dates and times.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>

#include "calsync/result.hpp"

namespace calsync {

// An instant is UTC seconds since the epoch.
using Instant = std::chrono::time_point<std::chrono::system_clock, std::chrono::seconds>;

inline Instant instant_from_unix(std::int64_t seconds) {
    return Instant(std::chrono::seconds(seconds));
}
inline std::int64_t to_unix(Instant t) {
    return t.time_since_epoch().count();
}

// A half-open interval [start, end).
struct TimeRange {
    Instant start;
    Instant end;

    bool empty() const { return end <= start; }
    std::chrono::seconds duration() const { return end - start; }
    bool overlaps(const TimeRange& o) const { return start < o.end && o.start < end; }
    bool contains(Instant t) const { return start <= t && t < end; }
    bool operator==(const TimeRange& o) const { return start == o.start && end == o.end; }
    bool operator!=(const TimeRange& o) const { return !(*this == o); }
    bool operator<(const TimeRange& o) const {
        return start < o.start || (start == o.start && end < o.end);
    }
};

struct CivilDate {
    int year = 1970;
    int month = 1;  // 1..12
    int day = 1;    // 1..31

    bool operator==(const CivilDate& o) const {
        return year == o.year && month == o.month && day == o.day;
    }
    bool operator!=(const CivilDate& o) const { return !(*this == o); }
    bool operator<(const CivilDate& o) const;
};

struct CivilDateTime {
    CivilDate date;
    int hour = 0;
    int minute = 0;
    int second = 0;

    bool operator==(const CivilDateTime& o) const {
        return date == o.date && hour == o.hour && minute == o.minute && second == o.second;
    }
    bool operator!=(const CivilDateTime& o) const { return !(*this == o); }
    bool operator<(const CivilDateTime& o) const;
};

// Proleptic Gregorian day number, 0 = 1970-01-01.
std::int64_t days_from_civil(const CivilDate& d);
CivilDate civil_from_days(std::int64_t days);
// 0 = Monday ... 6 = Sunday (ISO 8601).
int iso_weekday(const CivilDate& d);
bool is_valid_date(const CivilDate& d);
int days_in_month(int year, int month);

// Seconds since the epoch of a civil time read as if it were UTC; the basis of every
// wall-clock conversion (local = utc + offset).
std::int64_t civil_seconds(const CivilDateTime& t);
CivilDateTime civil_from_seconds(std::int64_t seconds);
CivilDate add_days(const CivilDate& d, std::int64_t days);

// RFC 3339 with a "Z" designator, e.g. 2026-03-29T01:30:00Z.
std::string format_rfc3339(Instant t);
// Accepts RFC 3339 with Z or a numeric offset, and fractional seconds (dropped).
Result<Instant> parse_rfc3339(std::string_view text);
// YYYY-MM-DD
std::string format_date(const CivilDate& d);
Result<CivilDate> parse_date(std::string_view text);
// YYYY-MM-DDTHH:MM:SS with no zone designator.
std::string format_local(const CivilDateTime& t);
Result<CivilDateTime> parse_local(std::string_view text);

}  // namespace calsync
