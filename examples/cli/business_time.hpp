// Times as the garage sees them: in the business's IANA zone, through the library's own
// civil-time parser and zone tables (not the C library's TZ, which would put the whole
// process in that zone and read only what the system's tzdata knows).
#pragma once

#include <ctime>
#include <optional>
#include <string>

#include "calsync/civil_time.hpp"

namespace cli {

// The zone the times below are read and shown in; an unknown name leaves UTC (the
// library names the unknown zone when it is given it).
void use_zone(const std::string& zone);

// A bound of --from / --to as typed: a date (midnight in the business's zone), an RFC 3339
// instant, `today`, `tomorrow` or `+Nd` (N days after today, in the business's zone).
class WindowBound {
  public:
    // A UsageError naming `option` when `text` is none of those.
    WindowBound(const std::string& text, std::string option);
    // The instant, once the zone is known (use_zone).
    calsync::Instant instant() const;
    std::string rfc3339() const { return calsync::format_rfc3339(instant()); }

  private:
    std::string option_;
    std::optional<calsync::Instant> instant_;
    std::optional<calsync::CivilDate> date_;
    long days_from_today_ = 0;
};

// --from and --to: a UsageError when --to is not after --from.
void require_ordered(const WindowBound& from, const WindowBound& to);

// A wall-clock time in the business's zone, as RFC 3339 UTC.
std::string local_to_utc(int year, int month, int day, int hour, int minute);
// "2026-06-01T07:00:00Z" -> "2026-06-01 09:00 +0200"; anything else unchanged.
std::string local_time(const std::string& rfc3339);
// RFC 3339 (UTC or with an offset) -> seconds since the epoch; -1 when it is not one.
std::time_t parse_utc(const std::string& rfc3339);
// "in 17 min", "3 h ago" ...: `rfc3339` relative to now.
std::string relative_time(const std::string& rfc3339);

}  // namespace cli
