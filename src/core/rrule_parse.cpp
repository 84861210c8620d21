// RRULE text -> rrule::Rule. libical reads the values; it is lenient where a calendar must not
// be (it drops the parts after an empty one, wraps a large COUNT, keeps INTERVAL in a short,
// reads "0MO" as "MO"), so the structure and every value's grammar are checked here first and
// libical is given only what it reads faithfully.
#include <libical/ical.h>

#include <algorithm>
#include <cctype>
#include <limits>
#include <numeric>
#include <unordered_map>

#include "core/ascii.hpp"
#include "core/libical_handles.hpp"
#include "core/rrule.hpp"

namespace calsync::rrule {
namespace {

constexpr std::size_t kMaxRuleLength = 4096;

Error invalid(std::string_view text, const std::string& why) {
    return make_error(ErrorCode::parse, "invalid RRULE '" + std::string(text) + "': " + why);
}

bool all_digits(std::string_view s) {
    return !s.empty() &&
           std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

// The value of a run of at most 18 decimal digits.
std::int64_t digits_value(std::string_view s) {
    return std::accumulate(s.begin(), s.end(), std::int64_t{0},
                           [](std::int64_t v, char c) { return v * 10 + (c - '0'); });
}

// A positive decimal no larger than `max`.
bool read_positive(std::string_view s, std::int64_t max, std::int64_t* out) {
    if (!all_digits(s) || s.size() > 18)
        return false;
    const std::int64_t v = digits_value(s);
    if (v < 1 || v > max)
        return false;
    *out = v;
    return true;
}

std::vector<std::string_view> split(std::string_view s, char sep) {
    std::vector<std::string_view> out;
    std::size_t from = 0;
    while (true) {
        const std::size_t at = s.find(sep, from);
        out.push_back(
            s.substr(from, at == std::string_view::npos ? std::string_view::npos : at - from));
        if (at == std::string_view::npos)
            return out;
        from = at + 1;
    }
}

// [+/-]digits with |value| in [min_abs, max_abs]; `signed_ok` for the parts RFC 5545 lets
// count from the end.
bool read_number(std::string_view s, bool signed_ok, int min_abs, int max_abs, int* out) {
    int sign = 1;
    if (!s.empty() && (s.front() == '+' || s.front() == '-')) {
        if (!signed_ok)
            return false;
        sign = s.front() == '-' ? -1 : 1;
        s.remove_prefix(1);
    }
    if (!all_digits(s) || s.size() > 3)
        return false;
    const int v = static_cast<int>(digits_value(s));
    if (v < min_abs || v > max_abs)
        return false;
    *out = sign * v;
    return true;
}

int weekday_of(std::string_view two) {
    static const char* const kNames[] = {"MO", "TU", "WE", "TH", "FR", "SA", "SU"};
    for (int i = 0; i < 7; ++i) {
        if (two == kNames[i])
            return i;
    }
    return -1;
}

struct FrequencyName {
    Frequency freq;
    icalrecurrencetype_frequency libical;
    const char* name;
};

const FrequencyName kFrequencies[] = {
    {Frequency::secondly, ICAL_SECONDLY_RECURRENCE, "SECONDLY"},
    {Frequency::minutely, ICAL_MINUTELY_RECURRENCE, "MINUTELY"},
    {Frequency::hourly, ICAL_HOURLY_RECURRENCE, "HOURLY"},
    {Frequency::daily, ICAL_DAILY_RECURRENCE, "DAILY"},
    {Frequency::weekly, ICAL_WEEKLY_RECURRENCE, "WEEKLY"},
    {Frequency::monthly, ICAL_MONTHLY_RECURRENCE, "MONTHLY"},
    {Frequency::yearly, ICAL_YEARLY_RECURRENCE, "YEARLY"},
};

struct NumberList {
    const char* name;
    bool signed_ok;
    int min_abs;
    int max_abs;
    std::vector<int> Rule::*field;
};

const NumberList kNumberLists[] = {
    {"BYSECOND", false, 0, 60, &Rule::by_second},
    {"BYMINUTE", false, 0, 59, &Rule::by_minute},
    {"BYHOUR", false, 0, 23, &Rule::by_hour},
    {"BYMONTHDAY", true, 1, 31, &Rule::by_month_day},
    {"BYYEARDAY", true, 1, 366, &Rule::by_year_day},
    {"BYWEEKNO", true, 1, 53, &Rule::by_week_no},
    {"BYMONTH", false, 1, 12, &Rule::by_month},
    {"BYSETPOS", true, 1, 366, &Rule::by_set_pos},
};

// Counts libical's values in one of its fixed arrays.
template <std::size_t N>
std::size_t libical_count(const short (&values)[N]) {
    std::size_t n = 0;
    while (n < N && values[n] != ICAL_RECURRENCE_ARRAY_MAX)
        ++n;
    return n;
}

void sort_unique(std::vector<int>* v) {
    std::sort(v->begin(), v->end());
    v->erase(std::unique(v->begin(), v->end()), v->end());
}

Result<void> check_combinations(std::string_view text, const Rule& r) {
    const bool yearly = r.freq == Frequency::yearly;
    if (!r.by_week_no.empty() && !yearly)
        return invalid(text, "BYWEEKNO is only allowed with FREQ=YEARLY (RFC 5545 3.3.10)");
    if (!r.by_year_day.empty() &&
        (r.freq == Frequency::daily || r.freq == Frequency::weekly || r.freq == Frequency::monthly))
        return invalid(text, std::string("BYYEARDAY is not allowed with FREQ=") +
                                 to_string(r.freq) + " (RFC 5545 3.3.10)");
    if (!r.by_month_day.empty() && r.freq == Frequency::weekly)
        return invalid(text, "BYMONTHDAY is not allowed with FREQ=WEEKLY (RFC 5545 3.3.10)");
    if (r.has_numbered_day()) {
        if (r.freq != Frequency::monthly && !yearly)
            return invalid(text, std::string("a numbered BYDAY (such as 1MO) is only allowed "
                                             "with FREQ=MONTHLY or YEARLY, not ") +
                                     to_string(r.freq) + " (RFC 5545 3.3.10)");
        if (yearly && !r.by_week_no.empty())
            return invalid(text, "a numbered BYDAY is not allowed with BYWEEKNO (RFC 5545 3.3.10)");
    }
    const bool other_by = !r.by_second.empty() || !r.by_minute.empty() || !r.by_hour.empty() ||
                          !r.by_day.empty() || !r.by_month_day.empty() || !r.by_year_day.empty() ||
                          !r.by_week_no.empty() || !r.by_month.empty();
    if (!r.by_set_pos.empty() && !other_by)
        return invalid(text, "BYSETPOS needs another BYxxx part (RFC 5545 3.3.10)");
    if (r.count != 0 && r.until)
        return invalid(text, "COUNT and UNTIL together (RFC 5545 3.3.10 allows one)");
    return {};
}

}  // namespace

const char* to_string(Frequency f) {
    for (const FrequencyName& n : kFrequencies) {
        if (n.freq == f)
            return n.name;
    }
    return "?";
}

bool Rule::has_numbered_day() const {
    return std::any_of(by_day.begin(), by_day.end(),
                       [](const WeekdayOrdinal& d) { return d.ordinal != 0; });
}

namespace {

Result<Rule> parse_uncached(std::string_view text) {
    if (text.size() > kMaxRuleLength)
        return make_error(ErrorCode::parse, "invalid RRULE: longer than " +
                                                std::to_string(kMaxRuleLength) + " characters");
    Rule rule;
    // Each known part at most once (RFC 5545 3.3.10); a small set, no allocation.
    std::vector<std::string> seen;
    seen.reserve(8);
    std::string for_libical;  // FREQ, WKST, UNTIL and the lists, as libical reads them
    bool has_freq = false;
    for (std::string_view part : split(text, ';')) {
        // A trailing ';' is common and harmless; an empty part elsewhere is not a rule part.
        if (part.empty() && part.data() + part.size() == text.data() + text.size())
            continue;
        const std::size_t eq = part.find('=');
        if (eq == std::string_view::npos || eq == 0 || eq + 1 == part.size())
            return invalid(text, "'" + std::string(part) + "' is not a NAME=VALUE rule part");
        const std::string name = ascii::upper(part.substr(0, eq));
        const std::string value = ascii::upper(part.substr(eq + 1));
        if (std::find(seen.begin(), seen.end(), name) != seen.end())
            return invalid(text, name + " appears twice (RFC 5545 3.3.10: once at most)");
        seen.push_back(name);
        if (name == "INTERVAL") {
            if (!read_positive(value, std::numeric_limits<std::int32_t>::max(), &rule.interval))
                return invalid(text, "INTERVAL must be a positive integer");
            continue;
        }
        if (name == "COUNT") {
            if (!read_positive(value, std::numeric_limits<std::int32_t>::max(), &rule.count))
                return invalid(text, "COUNT must be a positive integer");
            continue;
        }
        if (name == "RSCALE") {
            // RFC 7529: only the Gregorian scale is the one RFC 5545 rules are written in.
            if (value != "GREGORIAN")
                return invalid(text, "RSCALE=" + value + " is not supported (Gregorian only)");
            continue;
        }
        if (name == "SKIP") {
            if (value != "OMIT")
                return invalid(text, "SKIP=" + value + " is not supported (RFC 5545 omits)");
            continue;
        }
        if (name == "FREQ") {
            has_freq = true;
        } else if (name == "BYDAY") {
            for (std::string_view item : split(value, ',')) {
                if (item.size() < 2 || weekday_of(item.substr(item.size() - 2)) < 0)
                    return invalid(text,
                                   "BYDAY value '" + std::string(item) + "' is not a weekday");
                int ordinal = 0;
                std::string_view number = item.substr(0, item.size() - 2);
                if (!number.empty() && !read_number(number, true, 1, 53, &ordinal))
                    return invalid(text, "BYDAY value '" + std::string(item) +
                                             "': the ordinal must be 1 to 53 or -53 to -1");
            }
        } else if (name != "WKST" && name != "UNTIL") {
            const NumberList* list = nullptr;
            for (const NumberList& l : kNumberLists)
                list = name == l.name ? &l : list;
            if (list == nullptr)
                return invalid(text, "unknown rule part " + name);
            for (std::string_view item : split(value, ',')) {
                int v = 0;
                if (!read_number(item, list->signed_ok, list->min_abs, list->max_abs, &v))
                    return invalid(
                        text, name + " value '" + std::string(item) + "' is out of range (" +
                                  (list->signed_ok ? "+/-" : "") + std::to_string(list->min_abs) +
                                  " to " + std::to_string(list->max_abs) + ")");
                (rule.*(list->field)).push_back(v);
            }
        }
        if (!for_libical.empty())
            for_libical += ';';
        for_libical += name;
        for_libical += '=';
        for_libical += value;
    }
    if (!has_freq)
        return invalid(text, "no FREQ");

    icalerror_clear_errno();
    ical::RecurrenceRule parsed(icalrecurrencetype_from_string(for_libical.c_str()));
    const icalrecurrencetype& r = parsed.rule;
    if (r.freq == ICAL_NO_RECURRENCE || icalerrno != ICAL_NO_ERROR) {
        icalerror_clear_errno();
        return invalid(text, "libical cannot read it");
    }
    const FrequencyName* freq = nullptr;
    for (const FrequencyName& n : kFrequencies)
        freq = n.libical == r.freq ? &n : freq;
    if (freq == nullptr)
        return invalid(text, "unknown FREQ");
    rule.freq = freq->freq;
    // libical weekdays: SU = 1 ... SA = 7.
    auto iso = [](int libical_day) { return (libical_day + 5) % 7; };
    if (r.week_start != ICAL_NO_WEEKDAY)
        rule.week_start = iso(r.week_start);
    for (std::size_t i = 0; i < libical_count(r.by_day); ++i)
        rule.by_day.push_back({iso(icalrecurrencetype_day_day_of_week(r.by_day[i])),
                               icalrecurrencetype_day_position(r.by_day[i])});
    // The lists were read above; libical must have kept every value, or it dropped a part.
    const std::size_t libical_sizes[] = {
        libical_count(r.by_second),    libical_count(r.by_minute),   libical_count(r.by_hour),
        libical_count(r.by_month_day), libical_count(r.by_year_day), libical_count(r.by_week_no),
        libical_count(r.by_month),     libical_count(r.by_set_pos)};
    for (std::size_t i = 0; i < std::size(kNumberLists); ++i) {
        if ((rule.*(kNumberLists[i].field)).size() != libical_sizes[i])
            return invalid(text, std::string(kNumberLists[i].name) + " was not read whole");
    }
    if (!icaltime_is_null_time(r.until)) {
        Until u;
        u.value.date = CivilDate{r.until.year, r.until.month, r.until.day};
        u.is_date = r.until.is_date != 0;
        if (!u.is_date) {
            u.value.hour = r.until.hour;
            u.value.minute = r.until.minute;
            u.value.second = r.until.second;
            u.is_utc = icaltime_is_utc(r.until) != 0;
        }
        if (!is_valid_date(u.value.date))
            return invalid(text, "UNTIL is not a valid date");
        rule.until = u;
    } else if (std::find(seen.begin(), seen.end(), "UNTIL") != seen.end()) {
        return invalid(text, "UNTIL cannot be read");
    }
    for (const NumberList& l : kNumberLists)
        sort_unique(&(rule.*(l.field)));
    auto check = check_combinations(text, rule);
    if (!check.ok())
        return check.error();
    return rule;
}

}  // namespace

Result<Rule> parse(std::string_view text) {
    // Calendars repeat a few rules in many events, and libical's reading of one costs
    // microseconds: the last rules read on this thread are kept, errors included.
    constexpr std::size_t kKept = 512;
    thread_local std::unordered_map<std::string, Result<Rule>> kept;
    const std::string key(text);
    auto found = kept.find(key);
    if (found != kept.end())
        return found->second;
    Result<Rule> parsed = parse_uncached(text);
    if (kept.size() >= kKept)
        kept.clear();
    kept.emplace(key, parsed);
    return parsed;
}

}  // namespace calsync::rrule
