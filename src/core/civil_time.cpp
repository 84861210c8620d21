#include "calsync/civil_time.hpp"

#include <cstdio>
#include <tuple>

namespace calsync {

const char* to_string(ErrorCode code) {
    switch (code) {
        case ErrorCode::invalid_argument:
            return "invalid argument";
        case ErrorCode::parse:
            return "parse error";
        case ErrorCode::unknown_zone:
            return "unknown time zone";
        case ErrorCode::not_found:
            return "not found";
        case ErrorCode::auth:
            return "authentication failed";
        case ErrorCode::conflict:
            return "conflict";
        case ErrorCode::rate_limited:
            return "rate limited";
        case ErrorCode::network:
            return "network error";
        case ErrorCode::http:
            return "HTTP error";
        case ErrorCode::limit_exceeded:
            return "limit exceeded";
        case ErrorCode::internal:
            return "internal error";
        case ErrorCode::cancelled:
            return "cancelled";
        case ErrorCode::lease_lost:
            return "lease lost";
    }
    return "unknown error";
}

bool CivilDate::operator<(const CivilDate& o) const {
    return std::tie(year, month, day) < std::tie(o.year, o.month, o.day);
}

bool CivilDateTime::operator<(const CivilDateTime& o) const {
    if (date != o.date)
        return date < o.date;
    return std::tie(hour, minute, second) < std::tie(o.hour, o.minute, o.second);
}

// Howard Hinnant's days_from_civil / civil_from_days (public domain algorithms).
std::int64_t days_from_civil(const CivilDate& d) {
    const std::int64_t y = static_cast<std::int64_t>(d.year) - (d.month <= 2 ? 1 : 0);
    const std::int64_t era = (y >= 0 ? y : y - 399) / 400;
    const std::int64_t yoe = y - era * 400;
    const std::int64_t mp = (d.month + 9) % 12;
    const std::int64_t doy = (153 * mp + 2) / 5 + d.day - 1;
    const std::int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

CivilDate civil_from_days(std::int64_t z) {
    z += 719468;
    const std::int64_t era = (z >= 0 ? z : z - 146096) / 146097;
    const std::int64_t doe = z - era * 146097;
    const std::int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    const std::int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    const std::int64_t mp = (5 * doy + 2) / 153;
    const int day = static_cast<int>(doy - (153 * mp + 2) / 5 + 1);
    const int month = static_cast<int>(mp < 10 ? mp + 3 : mp - 9);
    const int year = static_cast<int>(yoe + era * 400 + (month <= 2 ? 1 : 0));
    return CivilDate{year, month, day};
}

int iso_weekday(const CivilDate& d) {
    const std::int64_t days = days_from_civil(d);
    // 1970-01-01 was a Thursday (3 when Monday is 0).
    return static_cast<int>(((days % 7) + 7 + 3) % 7);
}

static bool is_leap(int y) {
    return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

int days_in_month(int year, int month) {
    static const int kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    if (month < 1 || month > 12)
        return 0;
    return month == 2 && is_leap(year) ? 29 : kDays[month - 1];
}

bool is_valid_date(const CivilDate& d) {
    return d.month >= 1 && d.month <= 12 && d.day >= 1 && d.day <= days_in_month(d.year, d.month);
}

std::int64_t civil_seconds(const CivilDateTime& t) {
    return days_from_civil(t.date) * 86400 + t.hour * 3600 + t.minute * 60 + t.second;
}

CivilDateTime civil_from_seconds(std::int64_t s) {
    std::int64_t days = s / 86400;
    std::int64_t rem = s % 86400;
    if (rem < 0) {
        rem += 86400;
        --days;
    }
    CivilDateTime t;
    t.date = civil_from_days(days);
    t.hour = static_cast<int>(rem / 3600);
    t.minute = static_cast<int>((rem % 3600) / 60);
    t.second = static_cast<int>(rem % 60);
    return t;
}

CivilDate add_days(const CivilDate& d, std::int64_t days) {
    return civil_from_days(days_from_civil(d) + days);
}

std::string format_date(const CivilDate& d) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%04d-%02d-%02d", d.year, d.month, d.day);
    return buf;
}

std::string format_local(const CivilDateTime& t) {
    char buf[48];
    std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02d", t.date.year, t.date.month,
                  t.date.day, t.hour, t.minute, t.second);
    return buf;
}

std::string format_rfc3339(Instant t) {
    return format_local(civil_from_seconds(to_unix(t))) + "Z";
}

namespace {

// Reads exactly `n` digits at `pos`.
bool read_digits(std::string_view s, std::size_t pos, std::size_t n, int* out) {
    if (pos + n > s.size())
        return false;
    int v = 0;
    for (std::size_t i = pos; i < pos + n; ++i) {
        if (s[i] < '0' || s[i] > '9')
            return false;
        v = v * 10 + (s[i] - '0');
    }
    *out = v;
    return true;
}

bool read_date(std::string_view s, CivilDate* d) {
    if (s.size() < 10 || s[4] != '-' || s[7] != '-')
        return false;
    if (!read_digits(s, 0, 4, &d->year) || !read_digits(s, 5, 2, &d->month) ||
        !read_digits(s, 8, 2, &d->day))
        return false;
    return is_valid_date(*d);
}

bool read_time(std::string_view s, std::size_t pos, CivilDateTime* t) {
    if (s.size() < pos + 8 || s[pos + 2] != ':' || s[pos + 5] != ':')
        return false;
    if (!read_digits(s, pos, 2, &t->hour) || !read_digits(s, pos + 3, 2, &t->minute) ||
        !read_digits(s, pos + 6, 2, &t->second))
        return false;
    // A leap second (:60) is read as the next second's start, as most systems do.
    return t->hour <= 23 && t->minute <= 59 && t->second <= 60;
}

}  // namespace

namespace {

const char* const kMonthNames[] = {"January",   "February", "March",    "April",
                                   "May",       "June",     "July",     "August",
                                   "September", "October",  "November", "December"};

// Why a well-formed YYYY-MM-DD is no date: people mistype days and months, and "not a
// date" alone does not say which part is wrong.
std::string why_not_a_date(const CivilDate& d) {
    if (d.month < 1 || d.month > 12)
        return "there is no month " + std::to_string(d.month);
    if (d.day < 1)
        return "there is no day 0";
    return std::string(kMonthNames[d.month - 1]) + " has " +
           std::to_string(days_in_month(d.year, d.month)) + " days in " + std::to_string(d.year);
}

}  // namespace

Result<CivilDate> parse_date(std::string_view text) {
    CivilDate d;
    if (text.size() == 10 && read_date(text, &d))
        return d;
    if (text.size() == 10 && text[4] == '-' && text[7] == '-' && read_digits(text, 0, 4, &d.year) &&
        read_digits(text, 5, 2, &d.month) && read_digits(text, 8, 2, &d.day))
        return make_error(ErrorCode::parse,
                          "'" + std::string(text) + "' is not a date (" + why_not_a_date(d) + ")");
    return make_error(ErrorCode::parse,
                      "expected a date YYYY-MM-DD, got '" + std::string(text) + "'");
}

Result<CivilDateTime> parse_local(std::string_view text) {
    CivilDateTime t;
    if (text.size() != 19 || !read_date(text, &t.date) || (text[10] != 'T' && text[10] != 't') ||
        !read_time(text, 11, &t))
        return make_error(
            ErrorCode::parse,
            "expected a local date-time YYYY-MM-DDTHH:MM:SS, got '" + std::string(text) + "'");
    return t;
}

Result<Instant> parse_rfc3339(std::string_view text) {
    auto fail = [&] {
        return make_error(ErrorCode::parse,
                          "expected an RFC 3339 date-time such as 2026-03-29T01:30:00Z, got '" +
                              std::string(text) + "'");
    };
    CivilDateTime t;
    if (text.size() < 20 || !read_date(text, &t.date) || (text[10] != 'T' && text[10] != 't') ||
        !read_time(text, 11, &t))
        return fail();
    std::size_t pos = 19;
    if (pos < text.size() && text[pos] == '.') {
        ++pos;
        const std::size_t digits_start = pos;
        while (pos < text.size() && text[pos] >= '0' && text[pos] <= '9')
            ++pos;
        if (pos == digits_start)
            return fail();
    }
    if (pos >= text.size())
        return fail();
    int offset = 0;
    if (text[pos] == 'Z' || text[pos] == 'z') {
        ++pos;
    } else if (text[pos] == '+' || text[pos] == '-') {
        int oh = 0;
        int om = 0;
        if (pos + 6 != text.size() || text[pos + 3] != ':' || !read_digits(text, pos + 1, 2, &oh) ||
            !read_digits(text, pos + 4, 2, &om) || oh > 23 || om > 59)
            return fail();
        offset = (oh * 3600 + om * 60) * (text[pos] == '-' ? -1 : 1);
        pos += 6;
    } else {
        return fail();
    }
    if (pos != text.size())
        return fail();
    return instant_from_unix(civil_seconds(t) - offset);
}

}  // namespace calsync
