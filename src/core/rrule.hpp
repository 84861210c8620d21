// An RRULE value (RFC 5545 3.3.10) read and checked: the parts as numbers, every rule the RFC
// forbids reported instead of guessed at.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "calsync/civil_time.hpp"
#include "calsync/result.hpp"

namespace calsync::rrule {

// Ordered from the shortest period to the longest, so `freq < Frequency::daily` reads
// "sub-daily".
enum class Frequency { secondly, minutely, hourly, daily, weekly, monthly, yearly };

const char* to_string(Frequency f);

// One BYDAY value: a weekday (0 = Monday ... 6 = Sunday, as iso_weekday) and, for MONTHLY
// and YEARLY rules, its ordinal within the month or year (+1 the first, -1 the last; 0: every).
struct WeekdayOrdinal {
    int weekday = 0;
    int ordinal = 0;
};

struct Until {
    CivilDateTime value;  // for a DATE, only value.date
    bool is_date = false;
    bool is_utc = false;  // "Z"; otherwise a floating (local) DATE-TIME
};

struct Rule {
    Frequency freq = Frequency::daily;
    std::int64_t interval = 1;
    std::int64_t count = 0;  // 0: no COUNT
    std::optional<Until> until;
    int week_start = 0;  // WKST, 0 = Monday (the default)
    std::vector<int> by_second;
    std::vector<int> by_minute;
    std::vector<int> by_hour;
    std::vector<WeekdayOrdinal> by_day;
    std::vector<int> by_month_day;
    std::vector<int> by_year_day;
    std::vector<int> by_week_no;
    std::vector<int> by_month;
    std::vector<int> by_set_pos;

    bool has_numbered_day() const;
};

// Reads an RRULE value ("FREQ=WEEKLY;BYDAY=MO,WE;COUNT=4"). libical parses the values; the
// structure (each part once, none unknown or empty, COUNT and INTERVAL in range) and the
// combinations RFC 5545 3.3.10 forbids (numbered BYDAY outside MONTHLY/YEARLY, BYWEEKNO
// outside YEARLY, BYSETPOS alone, ...) are checked here. The error names what is wrong.
Result<Rule> parse(std::string_view text);

}  // namespace calsync::rrule
