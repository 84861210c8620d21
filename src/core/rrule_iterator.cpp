#include "core/rrule_iterator.hpp"

#include <algorithm>
#include <climits>
#include <cstdlib>
#include <numeric>

namespace calsync::rrule {
namespace {

constexpr std::int64_t kDay = 86400;
constexpr int kLastYear = 9999;
// The Gregorian calendar repeats every 400 years: 146,097 days, 20,871 weeks, 4,800 months.
constexpr int kCycleYears = 400;
constexpr std::int64_t kCycleMonths = 4800;
constexpr std::int64_t kCycleWeeks = 20871;
// Work units charged for building one year's day mask: 366 days looked at take about as
// long as 40 periods visited.
constexpr std::uint64_t kMaskCost = 40;

std::int64_t floor_div(std::int64_t a, std::int64_t b) {
    std::int64_t q = a / b;
    if (a % b != 0 && ((a < 0) != (b < 0)))
        --q;
    return q;
}

bool is_leap(int y) {
    return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

// Day of the year (0-based) on which each month starts; [12] is the year's length.
const int kMonthStart[2][13] = {
    {0, 31, 59, 90, 120, 151, 181, 212, 243, 273, 304, 334, 365},
    {0, 31, 60, 91, 121, 152, 182, 213, 244, 274, 305, 335, 366},
};

int weekday_of_day(std::int64_t day) {
    return static_cast<int>(((day % 7) + 7 + 3) % 7);  // 1970-01-01 was a Thursday
}

std::int64_t max_wall() {
    static const std::int64_t kMaxWall =
        civil_seconds(CivilDateTime{CivilDate{kLastYear, 12, 31}, 23, 59, 59});
    return kMaxWall;
}

// The first day of week 1 of `year`, weeks starting on `wkst`: the first week with at least
// four days in the year (RFC 5545 3.3.10, ISO 8601 with WKST).
std::int64_t week_one_start(int year, int wkst) {
    const std::int64_t jan1 = days_from_civil(CivilDate{year, 1, 1});
    const int back = (weekday_of_day(jan1) - wkst + 7) % 7;
    std::int64_t start = jan1 - back;
    if (7 - back < 4)
        start += 7;
    return start;
}

template <std::size_t N>
bool is_set(const std::array<bool, N>& flags, std::int64_t i) {
    return flags[static_cast<std::size_t>(i)];
}

template <std::size_t N>
void mark(const std::vector<int>& values, std::array<bool, N>* pos, std::array<bool, N>* neg) {
    for (int v : values) {
        if (v > 0)
            (*pos)[static_cast<std::size_t>(v)] = true;
        else
            (*neg)[static_cast<std::size_t>(-v)] = true;
    }
}

}  // namespace

Result<InstanceIterator> InstanceIterator::create(const Rule& rule, const CivilDateTime& start,
                                                  bool dates_only) {
    if (dates_only && rule.freq < Frequency::daily)
        return make_error(ErrorCode::parse, std::string("FREQ=") + to_string(rule.freq) +
                                                " with a DATE DTSTART: its instances are dates");
    if (!is_valid_date(start.date) || start.date.year < 1 || start.date.year > kLastYear)
        return make_error(ErrorCode::parse, "DTSTART is outside the years 1 to 9999");
    InstanceIterator it;
    it.rule_ = rule;
    it.dates_only_ = dates_only;
    CivilDateTime s = start;
    if (dates_only)
        s = CivilDateTime{start.date, 0, 0, 0};
    it.start_ = civil_seconds(s);
    it.seek_ = it.start_;
    it.apply_defaults(s);

    const Rule& r = it.rule_;
    for (int m : r.by_month)
        it.month_ok_[static_cast<std::size_t>(m)] = true;
    mark(r.by_month_day, &it.month_day_pos_, &it.month_day_neg_);
    mark(r.by_year_day, &it.year_day_pos_, &it.year_day_neg_);
    mark(r.by_week_no, &it.week_no_pos_, &it.week_no_neg_);
    for (const WeekdayOrdinal& d : r.by_day) {
        if (d.ordinal == 0)
            it.weekday_ok_[static_cast<std::size_t>(d.weekday)] = true;
    }
    it.has_month_ = !r.by_month.empty();
    it.has_month_day_ = !r.by_month_day.empty();
    it.has_year_day_ = !r.by_year_day.empty();
    it.has_week_no_ = !r.by_week_no.empty();
    it.has_day_ = !r.by_day.empty();
    // RFC 5545 3.3.10: a numbered BYDAY counts within the month (MONTHLY, or YEARLY with
    // BYMONTH), otherwise within the year.
    it.numbered_in_year_ = r.freq == Frequency::yearly && r.by_month.empty();
    if (!it.has_year_day_ && !it.has_week_no_) {
        if (!it.has_day_ && !it.has_month_ && !it.has_month_day_)
            it.day_filter_ = DayFilter::any;
        else if (it.has_day_ && !r.has_numbered_day() && !it.has_month_ && !it.has_month_day_)
            it.day_filter_ = DayFilter::weekdays;
        else if (!it.has_day_ && it.has_month_day_)
            it.day_filter_ = DayFilter::month_days;
    }

    const bool any_offset = it.build_times(s);
    const std::int64_t start_day = floor_div(it.start_, kDay);
    switch (r.freq) {
        case Frequency::yearly:
            it.empty_limit_ = kCycleYears;
            break;
        case Frequency::monthly:
            it.first_month_ = static_cast<std::int64_t>(s.date.year) * 12 + s.date.month - 1;
            it.empty_limit_ = kCycleMonths;
            break;
        case Frequency::weekly:
            it.first_week_day_ = start_day - (weekday_of_day(start_day) - r.week_start + 7) % 7;
            it.empty_limit_ = kCycleWeeks;
            break;
        default: {
            it.grid_ = true;
            static const std::int64_t kUnit[] = {1, 60, 3600, kDay};
            const std::int64_t unit = kUnit[static_cast<int>(r.freq)];
            it.origin_ = floor_div(it.start_, unit) * unit;
            it.step_ = r.interval * unit;
            it.next_base_ = it.origin_;
            break;
        }
    }
    it.never_ = !any_offset;
    if (!it.never_)
        it.find_impossible();
    return it;
}

void InstanceIterator::apply_defaults(const CivilDateTime& start) {
    // RFC 5545 3.3.10: what the rule leaves out comes from DTSTART ("FREQ=YEARLY;BYMONTH=1"
    // takes the day of the month and the time from DTSTART).
    Rule& r = rule_;
    const bool day_parts = !r.by_week_no.empty() || !r.by_year_day.empty() ||
                           !r.by_month_day.empty() || !r.by_day.empty();
    const int weekday = iso_weekday(start.date);
    switch (r.freq) {
        case Frequency::yearly:
            if (!day_parts) {
                if (r.by_month.empty())
                    r.by_month = {start.date.month};
                r.by_month_day = {start.date.day};
            } else if (!r.by_week_no.empty() && r.by_day.empty() && r.by_month_day.empty() &&
                       r.by_year_day.empty()) {
                // A week number names a week; the day within it comes from DTSTART.
                r.by_day = {{weekday, 0}};
            }
            break;
        case Frequency::monthly:
            if (r.by_month_day.empty() && r.by_day.empty())
                r.by_month_day = {start.date.day};
            break;
        case Frequency::weekly:
            if (r.by_day.empty())
                r.by_day = {{weekday, 0}};
            break;
        default:
            break;
    }
}

bool InstanceIterator::build_times(const CivilDateTime& start) {
    const Rule& r = rule_;
    offsets_.clear();
    if (dates_only_) {
        offsets_.push_back(0);
        return true;
    }
    const std::vector<int> hours = r.by_hour.empty() ? std::vector<int>{start.hour} : r.by_hour;
    const std::vector<int> minutes =
        r.by_minute.empty() ? std::vector<int>{start.minute} : r.by_minute;
    const std::vector<int> seconds =
        r.by_second.empty() ? std::vector<int>{start.second} : r.by_second;
    // Second 60 (a leap second) never exists on a civil clock: an invalid time, skipped.
    auto valid_second = [](int s) { return s < 60; };
    switch (r.freq) {
        case Frequency::secondly:
            offsets_.push_back(0);
            break;
        case Frequency::minutely:
            for (int s : seconds) {
                if (valid_second(s))
                    offsets_.push_back(s);
            }
            break;
        case Frequency::hourly:
            for (int m : minutes) {
                for (int s : seconds) {
                    if (valid_second(s))
                        offsets_.push_back(m * 60 + s);
                }
            }
            break;
        default:
            for (int h : hours) {
                for (int m : minutes) {
                    for (int s : seconds) {
                        if (valid_second(s))
                            offsets_.push_back(h * 3600 + m * 60 + s);
                    }
                }
            }
            break;
    }
    std::sort(offsets_.begin(), offsets_.end());
    offsets_.erase(std::unique(offsets_.begin(), offsets_.end()), offsets_.end());
    // Sub-daily rules limit by the parts at or above their own unit (the table's "Limit").
    if (r.freq <= Frequency::hourly && !r.by_hour.empty()) {
        limit_hour_ = true;
        for (int h : r.by_hour)
            hour_ok_[static_cast<std::size_t>(h)] = true;
    }
    if (r.freq <= Frequency::minutely && !r.by_minute.empty()) {
        limit_minute_ = true;
        for (int m : r.by_minute)
            minute_ok_[static_cast<std::size_t>(m)] = true;
    }
    if (r.freq == Frequency::secondly && !r.by_second.empty()) {
        limit_second_ = true;
        for (int s : r.by_second) {
            if (valid_second(s))
                second_ok_[static_cast<std::size_t>(s)] = true;
        }
    }
    return !offsets_.empty();
}

void InstanceIterator::find_impossible() {
    const Rule& r = rule_;
    // BYSETPOS beyond the largest set a period can hold.
    if (!r.by_set_pos.empty()) {
        std::int64_t days = 1;
        if (r.freq == Frequency::weekly)
            days = 7;
        else if (r.freq == Frequency::monthly)
            days = 31;
        else if (r.freq == Frequency::yearly)
            days = 366;
        const std::int64_t largest = days * static_cast<std::int64_t>(offsets_.size());
        if (std::none_of(r.by_set_pos.begin(), r.by_set_pos.end(),
                         [&](int p) { return std::abs(p) <= largest; })) {
            never_ = true;
            return;
        }
    }
    // Months and days of the month or year that never meet (BYMONTH=2;BYMONTHDAY=30): tried
    // on a common and a leap year, weekdays aside.
    if (static_cast<int>(has_month_) + static_cast<int>(has_month_day_) +
            static_cast<int>(has_year_day_) >=
        2) {
        bool possible = false;
        for (int leap = 0; leap < 2 && !possible; ++leap) {
            const int len = kMonthStart[leap][12];
            for (int month = 1; month <= 12 && !possible; ++month) {
                if (has_month_ && !is_set(month_ok_, month))
                    continue;
                const int first = kMonthStart[leap][month - 1];
                const int mdays = kMonthStart[leap][month] - first;
                for (int mday = 1; mday <= mdays && !possible; ++mday) {
                    const int i = first + mday - 1;
                    if (has_month_day_ && !is_set(month_day_pos_, mday) &&
                        !is_set(month_day_neg_, mdays - mday + 1))
                        continue;
                    if (has_year_day_ && !is_set(year_day_pos_, i + 1) &&
                        !is_set(year_day_neg_, len - i))
                        continue;
                    possible = true;
                }
            }
        }
        if (!possible) {
            never_ = true;
            return;
        }
    }
    if (!grid_)
        return;
    // Grid rules: the periods' bases are origin + k * step. Their time of day is fixed modulo
    // gcd(step, 1 day); if no allowed hour/minute/second has that residue, nothing matches
    // (FREQ=HOURLY;INTERVAL=24;BYHOUR=5 from 09:00).
    if (limit_hour_ || limit_minute_ || limit_second_) {
        const std::int64_t g = std::gcd(step_, kDay);
        const std::int64_t residue = ((origin_ % g) + g) % g;
        const bool minutes = r.freq <= Frequency::minutely;
        const bool seconds = r.freq == Frequency::secondly;
        bool reachable = false;
        for (int h = 0; h < 24 && !reachable; ++h) {
            if (limit_hour_ && !is_set(hour_ok_, h))
                continue;
            for (int m = 0; m < (minutes ? 60 : 1) && !reachable; ++m) {
                if (limit_minute_ && !is_set(minute_ok_, m))
                    continue;
                for (int s = 0; s < (seconds ? 60 : 1) && !reachable; ++s) {
                    if (limit_second_ && !is_set(second_ok_, s))
                        continue;
                    reachable = (h * 3600 + m * 60 + s) % g == residue;
                }
            }
        }
        if (!reachable) {
            never_ = true;
            return;
        }
    }
    // Whole-day steps visit the weekdays DTSTART's weekday + k * step (mod 7).
    if (has_day_ && step_ % kDay == 0) {
        const std::int64_t step_days = (step_ / kDay) % 7;
        const int first = weekday_of_day(floor_div(origin_, kDay));
        bool reachable = false;
        for (int k = 0; k < 7 && !reachable; ++k)
            reachable = is_set(weekday_ok_, (first + k * step_days) % 7);
        if (!reachable)
            never_ = true;
    }
}

void InstanceIterator::compute_mask(int year, YearMask* m) const {
    const int leap = is_leap(year) ? 1 : 0;
    const int len = kMonthStart[leap][12];
    m->year = year;
    m->length = len;
    m->first_day = days_from_civil(CivilDate{year, 1, 1});
    m->bits.fill(0);
    m->any = false;
    const int first_weekday = weekday_of_day(m->first_day);

    std::array<bool, 366> numbered{};
    const bool has_numbered = rule_.has_numbered_day();
    if (has_numbered) {
        auto mark_range = [&](int first, int last) {
            for (const WeekdayOrdinal& d : rule_.by_day) {
                if (d.ordinal == 0)
                    continue;
                int i = 0;
                if (d.ordinal > 0) {
                    i = first + (d.weekday - (first_weekday + first) % 7 + 7) % 7 +
                        (d.ordinal - 1) * 7;
                } else {
                    i = last - ((first_weekday + last) % 7 - d.weekday + 7) % 7 +
                        (d.ordinal + 1) * 7;
                }
                if (i >= first && i <= last)
                    numbered[static_cast<std::size_t>(i)] = true;
            }
        };
        if (numbered_in_year_) {
            mark_range(0, len - 1);
        } else {
            for (int month = 1; month <= 12; ++month) {
                if (!has_month_ || is_set(month_ok_, month))
                    mark_range(kMonthStart[leap][month - 1], kMonthStart[leap][month] - 1);
            }
        }
    }
    std::int64_t w1_prev = 0, w1 = 0, w1_next = 0, w1_after = 0;
    if (has_week_no_) {
        w1_prev = week_one_start(year - 1, rule_.week_start);
        w1 = week_one_start(year, rule_.week_start);
        w1_next = week_one_start(year + 1, rule_.week_start);
        w1_after = week_one_start(year + 2, rule_.week_start);
    }
    int month = 1;
    for (int i = 0; i < len; ++i) {
        while (i >= kMonthStart[leap][month])
            ++month;
        if (has_month_ && !is_set(month_ok_, month))
            continue;
        if (has_week_no_) {
            // Days before week 1 belong to the last week of the year before; days from
            // next year's week 1 on, to that week.
            const std::int64_t day = m->first_day + i;
            std::int64_t week = 0, weeks = 0;
            if (day < w1) {
                weeks = (w1 - w1_prev) / 7;
                week = weeks;
            } else if (day >= w1_next) {
                weeks = (w1_after - w1_next) / 7;
                week = 1;
            } else {
                weeks = (w1_next - w1) / 7;
                week = (day - w1) / 7 + 1;
            }
            if (!is_set(week_no_pos_, week) && !is_set(week_no_neg_, weeks - week + 1))
                continue;
        }
        if (has_year_day_ && !is_set(year_day_pos_, i + 1) && !is_set(year_day_neg_, len - i))
            continue;
        if (has_month_day_) {
            const int first = kMonthStart[leap][month - 1];
            const int mday = i - first + 1;
            const int mdays = kMonthStart[leap][month] - first;
            if (!is_set(month_day_pos_, mday) && !is_set(month_day_neg_, mdays - mday + 1))
                continue;
        }
        if (has_day_ && !is_set(weekday_ok_, (first_weekday + i) % 7) &&
            !(has_numbered && is_set(numbered, i)))
            continue;
        m->set(i);
        m->any = true;
    }
}

const InstanceIterator::YearMask& InstanceIterator::mask_of_year(int year, WorkBudget& budget) {
    for (const YearMask& m : masks_) {
        if (m.length != 0 && m.year == year)
            return m;
    }
    budget.spend(kMaskCost);
    YearMask& slot = masks_[next_mask_slot_];
    next_mask_slot_ = 1 - next_mask_slot_;
    compute_mask(year, &slot);
    return slot;
}

bool InstanceIterator::month_day_ok(int month, int day, int days_in_month) const {
    if (has_month_ && !is_set(month_ok_, month))
        return false;
    return !has_month_day_ || is_set(month_day_pos_, day) ||
           is_set(month_day_neg_, days_in_month - day + 1);
}

void InstanceIterator::add_month_days(int year, int month) {
    const int days = days_in_month(year, month);
    const std::int64_t first = days_from_civil(CivilDate{year, month, 1});
    const int first_weekday = weekday_of_day(first);
    for (int d = 1; d <= days; ++d) {
        if (!month_day_ok(month, d, days))
            continue;
        if (day_filter_ == DayFilter::weekdays && !is_set(weekday_ok_, (first_weekday + d - 1) % 7))
            continue;
        bases_.push_back((first + d - 1) * kDay);
    }
}

bool InstanceIterator::day_matches(std::int64_t day, WorkBudget& budget) {
    if (day_filter_ == DayFilter::any)
        return true;
    if (day_filter_ == DayFilter::weekdays)
        return is_set(weekday_ok_, weekday_of_day(day));
    if (day_filter_ == DayFilter::month_days) {
        const CivilDate d = civil_from_days(day);
        return month_day_ok(d.month, d.day, days_in_month(d.year, d.month));
    }
    for (const YearMask& m : masks_) {
        if (m.length != 0 && day >= m.first_day && day < m.first_day + m.length) {
            const std::int64_t i = day - m.first_day;
            return m.has(i);
        }
    }
    const YearMask& m = mask_of_year(civil_from_days(day).year, budget);
    const std::int64_t i = day - m.first_day;
    return m.has(i);
}

std::int64_t InstanceIterator::next_matching_day(std::int64_t day, WorkBudget& budget) {
    if (day_filter_ == DayFilter::any || day_filter_ == DayFilter::weekdays) {
        for (std::int64_t d = day; d < day + 7; ++d) {
            if (day_matches(d, budget))
                return d;
        }
        return -1;  // no weekday allowed at all
    }
    int year = civil_from_days(day).year;
    int empty_years = 0;
    while (year <= kLastYear && !budget.exhausted()) {
        const YearMask& m = mask_of_year(year, budget);
        std::int64_t i = std::max<std::int64_t>(0, day - m.first_day);
        while (i < m.length) {
            const std::uint64_t word = m.bits[static_cast<std::size_t>(i / 64)] >> (i % 64);
            if (word != 0)
                return m.first_day + i + __builtin_ctzll(word);
            i = (i / 64 + 1) * 64;
        }
        // A year's mask depends only on the year modulo 400: 400 empty years in a row mean
        // no matching day ever.
        empty_years = m.any ? 0 : empty_years + 1;
        if (empty_years >= kCycleYears)
            return -1;
        ++year;
    }
    return -1;
}

std::int64_t InstanceIterator::first_grid_at_or_after(std::int64_t wall) const {
    if (wall <= origin_)
        return origin_;
    const std::int64_t k = (wall - origin_ + step_ - 1) / step_;
    // Past the last year, a huge step could overflow: anything beyond is the end.
    if (k > (max_wall() - origin_) / step_ + 1)
        return max_wall() + 1;
    return origin_ + k * step_;
}

bool InstanceIterator::load_grid_period(WorkBudget& budget, Status* status) {
    const std::int64_t last = std::min(max_wall(), stop_after_);
    while (true) {
        if (!budget.spend(1)) {
            *status = Status::over_budget;
            return false;
        }
        const std::int64_t t = next_base_;
        if (t > last) {
            *status = Status::end;
            return false;
        }
        const std::int64_t day = floor_div(t, kDay);
        if (!day_matches(day, budget)) {
            const std::int64_t found = next_matching_day(day + 1, budget);
            if (found < 0) {
                *status = budget.exhausted() ? Status::over_budget : Status::end;
                return false;
            }
            next_base_ = first_grid_at_or_after(found * kDay);
            continue;
        }
        const std::int64_t tod = t - day * kDay;
        const int hour = static_cast<int>(tod / 3600);
        const int minute = static_cast<int>(tod / 60 % 60);
        const int second = static_cast<int>(tod % 60);
        // A part that is not allowed: on to the next allowed value of it (or the start of
        // the next larger unit), then to the first grid point from there.
        std::int64_t target = -1;
        if (limit_hour_ && !is_set(hour_ok_, hour)) {
            int h = hour + 1;
            while (h < 24 && !is_set(hour_ok_, h))
                ++h;
            target = day * kDay + static_cast<std::int64_t>(h) * 3600;  // h == 24: the next day
        } else if (limit_minute_ && !is_set(minute_ok_, minute)) {
            int m = minute + 1;
            while (m < 60 && !is_set(minute_ok_, m))
                ++m;
            target = day * kDay + static_cast<std::int64_t>(hour) * 3600 +
                     static_cast<std::int64_t>(m) * 60;
        } else if (limit_second_ && !is_set(second_ok_, second)) {
            int s = second + 1;
            while (s < 60 && !is_set(second_ok_, s))
                ++s;
            target = day * kDay + static_cast<std::int64_t>(hour) * 3600 +
                     static_cast<std::int64_t>(minute) * 60 + s;
        }
        if (target >= 0) {
            next_base_ = first_grid_at_or_after(target);
            continue;
        }
        bases_.assign(1, t);
        next_base_ = t + step_;
        return true;
    }
}

bool InstanceIterator::load_calendar_period(WorkBudget& budget, Status* status) {
    const Rule& r = rule_;
    while (true) {
        if (!budget.spend(1)) {
            *status = Status::over_budget;
            return false;
        }
        bases_.clear();
        auto add_bits = [&](const YearMask& m, int from, int to) {
            for (int i = from; i < to; ++i) {
                if (m.has(i))
                    bases_.push_back((m.first_day + i) * kDay);
            }
        };
        std::int64_t first_wall = 0;
        if (r.freq == Frequency::yearly) {
            const std::int64_t year = rule_start_year() + period_ * r.interval;
            if (year > kLastYear) {
                *status = Status::end;
                return false;
            }
            first_wall = days_from_civil(CivilDate{static_cast<int>(year), 1, 1}) * kDay;
            if (day_filter_ == DayFilter::month_days) {
                // The default (BYMONTH and BYMONTHDAY from DTSTART) and its like, no mask.
                for (int month = 1; month <= 12; ++month)
                    add_month_days(static_cast<int>(year), month);
            } else {
                const YearMask& m = mask_of_year(static_cast<int>(year), budget);
                if (m.any)
                    add_bits(m, 0, m.length);
            }
        } else if (r.freq == Frequency::monthly) {
            const std::int64_t index = first_month_ + period_ * r.interval;
            const std::int64_t year = floor_div(index, 12);
            if (year > kLastYear) {
                *status = Status::end;
                return false;
            }
            const int month = static_cast<int>(index - year * 12) + 1;
            first_wall = days_from_civil(CivilDate{static_cast<int>(year), month, 1}) * kDay;
            if (day_filter_ != DayFilter::mask) {
                add_month_days(static_cast<int>(year), month);
            } else {
                const YearMask& m = mask_of_year(static_cast<int>(year), budget);
                const int leap = m.length == 366 ? 1 : 0;
                if (m.any)
                    add_bits(m, kMonthStart[leap][month - 1], kMonthStart[leap][month]);
            }
        } else {
            const std::int64_t first = first_week_day_ + period_ * 7 * r.interval;
            first_wall = first * kDay;
            if (first_wall > max_wall()) {
                *status = Status::end;
                return false;
            }
            for (std::int64_t d = first; d < first + 7; ++d) {
                if (day_matches(d, budget))
                    bases_.push_back(d * kDay);
            }
        }
        ++period_;
        if (first_wall > stop_after_) {
            *status = Status::end;
            return false;
        }
        if (!bases_.empty() && !r.by_set_pos.empty())
            select_positions();
        const bool empty = bases_.empty() || (!r.by_set_pos.empty() && selected_.empty());
        if (!empty) {
            empty_periods_ = 0;
            return true;
        }
        // The pattern repeats with the 400-year cycle: as many empty periods in a row as
        // the cycle holds mean none will ever be found.
        if (++empty_periods_ >= empty_limit_) {
            *status = Status::end;
            return false;
        }
    }
}

void InstanceIterator::select_positions() {
    selected_.clear();
    const auto per_base = static_cast<std::int64_t>(offsets_.size());
    const std::int64_t total = static_cast<std::int64_t>(bases_.size()) * per_base;
    for (int p : rule_.by_set_pos) {
        const std::int64_t index = p > 0 ? p - 1 : total + p;
        if (index < 0 || index >= total)
            continue;
        selected_.push_back(bases_[static_cast<std::size_t>(index / per_base)] +
                            offsets_[static_cast<std::size_t>(index % per_base)]);
    }
    std::sort(selected_.begin(), selected_.end());
    selected_.erase(std::unique(selected_.begin(), selected_.end()), selected_.end());
}

void InstanceIterator::skip_to(std::int64_t wall) {
    if (wall <= seek_)
        return;
    seek_ = wall;
    bases_.clear();
    selected_.clear();
    base_index_ = offset_index_ = selected_index_ = 0;
    const Rule& r = rule_;
    if (grid_) {
        const std::int64_t k = floor_div(wall - origin_, step_);
        if (k > 0)
            next_base_ = std::max(next_base_, origin_ + k * step_);
        return;
    }
    std::int64_t k = 0;
    const CivilDate date = civil_from_days(floor_div(wall, kDay));
    if (r.freq == Frequency::yearly)
        k = floor_div(date.year - rule_start_year(), r.interval);
    else if (r.freq == Frequency::monthly)
        k = floor_div(static_cast<std::int64_t>(date.year) * 12 + date.month - 1 - first_month_,
                      r.interval);
    else
        k = floor_div(floor_div(wall, kDay) - first_week_day_, 7 * r.interval);
    period_ = std::max(period_, k);
}

int InstanceIterator::rule_start_year() const {
    return civil_from_days(floor_div(start_, kDay)).year;
}

InstanceIterator::Status InstanceIterator::next(WorkBudget& budget, std::int64_t* wall) {
    const bool set_pos = !rule_.by_set_pos.empty();
    while (!ended_ && !never_) {
        std::int64_t c = 0;
        bool have = false;
        if (set_pos) {
            if (selected_index_ < selected_.size()) {
                c = selected_[selected_index_++];
                have = true;
            }
        } else if (base_index_ < bases_.size()) {
            c = bases_[base_index_] + offsets_[offset_index_];
            if (++offset_index_ == offsets_.size()) {
                offset_index_ = 0;
                ++base_index_;
            }
            have = true;
        }
        if (have) {
            if (c < seek_)
                continue;
            if (c > stop_after_)
                break;
            if (!budget.spend(1))
                return Status::over_budget;
            // RFC 5545 3.3.10: DTSTART always counts as the first instance, even when the
            // rule itself would not give it.
            if (!seen_first_) {
                seen_first_ = true;
                if (c != start_)
                    emitted_ = 1;
            }
            if (rule_.count != 0 && emitted_ >= rule_.count)
                break;
            ++emitted_;
            *wall = c;
            return Status::instance;
        }
        base_index_ = offset_index_ = selected_index_ = 0;
        Status status = Status::end;
        const bool loaded =
            grid_ ? load_grid_period(budget, &status) : load_calendar_period(budget, &status);
        if (!loaded) {
            if (status == Status::over_budget)
                return status;
            break;
        }
        if (set_pos && grid_)
            select_positions();
        position_at_seek();
    }
    ended_ = true;
    return Status::end;
}

void InstanceIterator::position_at_seek() {
    // Instances before DTSTART (or the skip target) are not wanted: start the period at the
    // first one that is, without stepping through the others.
    if (!rule_.by_set_pos.empty()) {
        selected_index_ = static_cast<std::size_t>(
            std::lower_bound(selected_.begin(), selected_.end(), seek_) - selected_.begin());
        return;
    }
    if (bases_.empty() || bases_.back() + offsets_.back() < seek_) {
        base_index_ = bases_.size();
        return;
    }
    if (bases_.front() >= seek_)
        return;
    const std::int64_t last_offset = offsets_.back();
    auto b =
        std::lower_bound(bases_.begin(), bases_.end(), seek_,
                         [&](std::int64_t base, std::int64_t s) { return base + last_offset < s; });
    base_index_ = static_cast<std::size_t>(b - bases_.begin());
    const std::int64_t within = seek_ - *b;
    offset_index_ =
        within <= 0
            ? 0
            : static_cast<std::size_t>(std::lower_bound(offsets_.begin(), offsets_.end(), within) -
                                       offsets_.begin());
}

}  // namespace calsync::rrule
