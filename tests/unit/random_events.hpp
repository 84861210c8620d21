// Seeded random events for the engine's model tests.
#pragma once

#include <cstdint>
#include <random>
#include <string>

#include "calsync/model.hpp"

namespace calsync::test {

// Random but readable events around Europe's spring change: UTC, Berlin, New York,
// floating and all-day times; single and recurring with EXDATEs and overrides; every
// status, transparency and answer; now and then an export or a broken rule.
class EventFactory {
  public:
    explicit EventFactory(std::uint32_t seed)
        : rng_(seed),
          berlin_(calsync::find_iana_zone("Europe/Berlin").value()),
          new_york_(calsync::find_iana_zone("America/New_York").value()) {}

    int pick(int lo, int hi) { return std::uniform_int_distribution<int>(lo, hi)(rng_); }

    calsync::Event make(const std::string& calendar, const std::string& id) {
        Event e;
        e.id = id;
        e.calendar_id = calendar;
        const int kind = pick(0, 4);
        const std::int64_t offset = 900LL * pick(0, 40 * 96);  // 15-minute grid, 40 days
        const std::int64_t length = 900LL * pick(1, 16);
        const int days = pick(1, 3);
        // Instance n of a daily series, in the same form as DTSTART.
        auto time_at = [&, kind](std::int64_t seconds, int day) {
            const std::int64_t wall = kOrigin + seconds + 86400LL * day;
            const calsync::CivilDateTime local = calsync::civil_from_seconds(wall);
            switch (kind) {
                case 0:
                    return EventTime::at_utc(calsync::instant_from_unix(wall));
                case 1:
                    return EventTime::in_zone(local, berlin_, "Europe/Berlin");
                case 2:
                    return EventTime::in_zone(local, new_york_, "America/New_York");
                case 3:
                    return EventTime::floating_time(local);
                default:
                    return EventTime::all_day(local.date);
            }
        };
        e.start = time_at(offset, 0);
        if (kind == 4) {
            if (pick(0, 1) == 0)
                e.end = time_at(offset, days);
        } else if (pick(0, 3) == 0) {
            e.duration = calsync::NominalDuration{0, length};
        } else {
            e.end = time_at(offset + length, 0);
        }
        if (pick(0, 2) == 0) {
            switch (pick(0, 3)) {
                case 0:
                    e.recurrence.rrules = {"FREQ=DAILY;COUNT=" + std::to_string(pick(2, 8))};
                    break;
                case 1:
                    e.recurrence.rrules = {"FREQ=DAILY;INTERVAL=2"};
                    break;
                case 2:
                    e.recurrence.rrules = {"FREQ=WEEKLY;BYDAY=MO,TH,SA;COUNT=" +
                                           std::to_string(pick(3, 9))};
                    break;
                default:
                    e.recurrence.rrules = {"FREQ=DAILY;COUNT=5"};
                    e.recurrence.rdates.push_back({time_at(offset, 9), std::nullopt});
                    break;
            }
            if (pick(0, 2) == 0)
                e.recurrence.exdates.push_back(time_at(offset, 1));
            if (pick(0, 2) == 0) {
                Event moved;
                moved.id = id;
                moved.calendar_id = calendar;
                moved.recurrence_id = time_at(offset, 2);
                moved.start = time_at(offset + 900LL * pick(-8, 8), 2);
                if (kind == 4)
                    moved.end = time_at(offset, 2 + days);
                else
                    moved.end = time_at(offset + length + 900LL * pick(-8, 8), 2);
                const int what = pick(0, 3);
                if (what == 0)
                    moved.status = calsync::EventStatus::cancelled;
                if (what == 1)
                    moved.status = calsync::EventStatus::tentative;
                e.overrides.push_back(moved);
            }
            if (pick(0, 24) == 0)
                e.recurrence.rrules = {"FREQ=FORTNIGHTLY"};
        }
        const int status = pick(0, 11);
        if (status == 0)
            e.status = calsync::EventStatus::cancelled;
        else if (status <= 2)
            e.status = calsync::EventStatus::tentative;
        if (pick(0, 9) == 0)
            e.transparency = calsync::Transparency::transparent;
        const calsync::Response answers[] = {
            calsync::Response::none,      calsync::Response::none,
            calsync::Response::accepted,  calsync::Response::needs_action,
            calsync::Response::tentative, calsync::Response::declined};
        e.owner_response = answers[pick(0, 5)];
        if (pick(0, 19) == 0)
            e.export_marker = "appt-" + id;
        return e;
    }

  private:
    // 2026-03-10T00:00:00 as civil seconds, a little before the window.
    static constexpr std::int64_t kOrigin = 1773100800;
    std::mt19937 rng_;
    calsync::ZonePtr berlin_;
    calsync::ZonePtr new_york_;
};

}  // namespace calsync::test
