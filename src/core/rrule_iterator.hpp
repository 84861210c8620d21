// The instances of one RRULE, in order, as wall-clock times (RFC 5545 3.3.10, proleptic
// Gregorian): the whole expand/limit table for every FREQ, BYSETPOS for every FREQ, WKST,
// negative indices, invalid dates skipped and not counted, COUNT with DTSTART as the first
// instance. Zones are the caller's business: instances are wall-clock seconds
// (calsync::civil_seconds), read in the zone of DTSTART by whoever pulls them.
//
// Bounded by construction: rules that can never give an instance besides DTSTART are found
// before iterating (never_matches), periods that cannot hold one are skipped without visiting
// each second or day, the Gregorian calendar's 400-year cycle ends a search that finds
// nothing, and every step is paid from a WorkBudget the caller sets.
#pragma once

#include <array>
#include <cstdint>
#include <vector>

#include "core/rrule.hpp"

namespace calsync::rrule {

// Units of work an expansion may still spend. One unit is about one period visited or one
// skip taken: a few nanoseconds.
class WorkBudget {
  public:
    explicit WorkBudget(std::uint64_t units) : left_(units) {}
    bool spend(std::uint64_t units) {
        if (units > left_) {
            left_ = 0;
            exhausted_ = true;
            return false;
        }
        left_ -= units;
        return true;
    }
    bool exhausted() const { return exhausted_; }

  private:
    std::uint64_t left_;
    bool exhausted_ = false;
};

class InstanceIterator {
  public:
    // `start` is DTSTART's wall-clock time; `dates_only` when DTSTART is a DATE (BYHOUR,
    // BYMINUTE and BYSECOND are then ignored, as RFC 5545 3.3.10 says, and a sub-daily FREQ
    // is an error).
    static Result<InstanceIterator> create(const Rule& rule, const CivilDateTime& start,
                                           bool dates_only);

    // True when the rule gives no instance at all besides DTSTART, whatever the window
    // (FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=30): found up front, never by searching.
    bool never_matches() const { return never_; }

    // Instances after this wall-clock time end the iteration (a DATE or floating UNTIL, or
    // the end of what the caller needs).
    void stop_after(std::int64_t wall) { stop_after_ = wall; }

    // Moves forward to the first period that can hold an instance at or after `wall`.
    // Only for rules without COUNT, which counts from DTSTART.
    void skip_to(std::int64_t wall);

    enum class Status { instance, end, over_budget };
    // The next instance's wall-clock seconds in `*wall`.
    Status next(WorkBudget& budget, std::int64_t* wall);

  private:
    struct YearMask {
        int year = 0;
        std::int64_t first_day = 0;  // day number of 1 January
        int length = 0;
        std::array<std::uint64_t, 6> bits{};
        bool any = false;

        bool has(std::int64_t day_of_year) const {
            const auto i = static_cast<std::size_t>(day_of_year);
            return ((bits[i / 64] >> (i % 64)) & 1) != 0;
        }
        void set(std::int64_t day_of_year) {
            const auto i = static_cast<std::size_t>(day_of_year);
            bits[i / 64] |= std::uint64_t{1} << (i % 64);
        }
    };

    InstanceIterator() = default;
    void apply_defaults(const CivilDateTime& start);
    bool build_times(const CivilDateTime& start);
    void find_impossible();
    int rule_start_year() const;
    void position_at_seek();
    void compute_mask(int year, YearMask* m) const;
    const YearMask& mask_of_year(int year, WorkBudget& budget);
    bool day_matches(std::int64_t day, WorkBudget& budget);
    bool month_day_ok(int month, int day, int days_in_month) const;
    // Adds the matching days of one month (1-12) of `year` to bases_, without a mask.
    void add_month_days(int year, int month);
    // The first matching day at or after `day`, or -1 when none exists (in 400 years).
    std::int64_t next_matching_day(std::int64_t day, WorkBudget& budget);
    bool load_grid_period(WorkBudget& budget, Status* status);
    bool load_calendar_period(WorkBudget& budget, Status* status);
    void select_positions();
    std::int64_t first_grid_at_or_after(std::int64_t wall) const;

    Rule rule_;
    std::int64_t start_ = 0;  // DTSTART, wall-clock seconds
    std::int64_t seek_ = 0;   // no instance before this (DTSTART, or where skip_to went)
    bool dates_only_ = false;
    bool never_ = false;
    std::int64_t stop_after_ = INT64_MAX;

    // Day-level filters, ready for lookups.
    std::array<bool, 13> month_ok_{};
    std::array<bool, 32> month_day_pos_{};
    std::array<bool, 32> month_day_neg_{};
    std::array<bool, 367> year_day_pos_{};
    std::array<bool, 367> year_day_neg_{};
    std::array<bool, 54> week_no_pos_{};
    std::array<bool, 54> week_no_neg_{};
    std::array<bool, 7> weekday_ok_{};  // plain BYDAY values
    bool has_month_ = false, has_month_day_ = false, has_year_day_ = false;
    bool has_week_no_ = false, has_day_ = false, numbered_in_year_ = false;
    // Which day-level filters the rule has, so the common ones skip the year masks.
    enum class DayFilter { any, weekdays, month_days, mask } day_filter_ = DayFilter::mask;
    YearMask masks_[2];
    int next_mask_slot_ = 0;

    // Times of day (DAILY and longer) or offsets within a period (sub-daily), sorted.
    std::vector<std::int32_t> offsets_;
    // Sub-daily limits on the period's own hour, minute, second.
    std::array<bool, 24> hour_ok_{};
    std::array<bool, 60> minute_ok_{};
    std::array<bool, 60> second_ok_{};
    bool limit_hour_ = false, limit_minute_ = false, limit_second_ = false;

    // Grid (DAILY and shorter): period bases are origin + k * step wall-clock seconds.
    bool grid_ = false;
    std::int64_t step_ = 0;
    std::int64_t origin_ = 0;
    std::int64_t next_base_ = 0;
    // Calendar periods (WEEKLY, MONTHLY, YEARLY): index k from DTSTART's period.
    std::int64_t period_ = 0;
    std::int64_t first_week_day_ = 0;  // WEEKLY: the WKST day of DTSTART's week
    std::int64_t first_month_ = 0;     // MONTHLY: year * 12 + month - 1
    std::int64_t empty_periods_ = 0;
    std::int64_t empty_limit_ = 0;  // periods in 400 years: none found in as many, none ever

    // The period being emitted: instances bases[i] + offsets[j], or `selected` (BYSETPOS).
    std::vector<std::int64_t> bases_;
    std::vector<std::int64_t> selected_;
    std::size_t base_index_ = 0, offset_index_ = 0, selected_index_ = 0;

    std::int64_t emitted_ = 0;
    bool seen_first_ = false;
    bool ended_ = false;
};

}  // namespace calsync::rrule
