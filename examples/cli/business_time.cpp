#include "business_time.hpp"

#include <cstdio>

#include "calsync/zone.hpp"
#include "exit_codes.hpp"

namespace cli {
namespace {

calsync::ZonePtr& business_zone() {
    static calsync::ZonePtr zone = calsync::TimeZone::utc();
    return zone;
}

calsync::CivilDate today() {
    const auto now =
        std::chrono::time_point_cast<std::chrono::seconds>(std::chrono::system_clock::now());
    return business_zone()->to_local(now).date;
}

// "+7d" -> 7; nullopt when the text is not one (at most ten years ahead).
std::optional<long> days_ahead(const std::string& text) {
    if (text.size() < 3 || text.size() > 6 || text.front() != '+' || text.back() != 'd')
        return std::nullopt;
    long days = 0;
    for (std::size_t i = 1; i + 1 < text.size(); ++i) {
        if (text[i] < '0' || text[i] > '9')
            return std::nullopt;
        days = days * 10 + (text[i] - '0');
    }
    return days <= 3660 ? std::optional<long>(days) : std::nullopt;
}

}  // namespace

void use_zone(const std::string& zone) {
    auto found = calsync::find_iana_zone(zone);
    business_zone() = found.ok() ? found.value() : calsync::TimeZone::utc();
}

WindowBound::WindowBound(const std::string& text, std::string option) : option_(std::move(option)) {
    if (text == "today" || text == "tomorrow") {
        days_from_today_ = text == "tomorrow" ? 1 : 0;
        return;
    }
    if (const auto days = days_ahead(text)) {
        days_from_today_ = *days;
        return;
    }
    if (text.size() == 10) {
        auto date = calsync::parse_date(text);
        if (!date.ok())
            throw UsageError{option_ + ": " + date.error().message};
        date_ = date.value();
        return;
    }
    if (text.size() > 10 && (text[10] == 'T' || text[10] == 't')) {
        auto instant = calsync::parse_rfc3339(text);
        if (!instant.ok())
            throw UsageError{option_ + ": " + instant.error().message};
        instant_ = instant.value();
        return;
    }
    throw UsageError{option_ + ": expected a date (2026-06-01), an RFC 3339 time " +
                     "(2026-06-01T08:00:00Z), today, tomorrow or +Nd (days from today), not '" +
                     text + "'"};
}

calsync::Instant WindowBound::instant() const {
    if (instant_)
        return *instant_;
    const calsync::CivilDate day = date_ ? *date_ : calsync::add_days(today(), days_from_today_);
    return business_zone()->start_of_day(day);
}

void require_ordered(const WindowBound& from, const WindowBound& to) {
    if (to.instant() <= from.instant())
        throw UsageError{"--to (" + local_time(to.rfc3339()) + ") must be after --from (" +
                         local_time(from.rfc3339()) + ")"};
}

std::string local_to_utc(int year, int month, int day, int hour, int minute) {
    const calsync::CivilDateTime local{{year, month, day}, hour, minute, 0};
    return calsync::format_rfc3339(business_zone()->to_instant(local));
}

std::time_t parse_utc(const std::string& rfc3339) {
    auto t = calsync::parse_rfc3339(rfc3339);
    return t.ok() ? static_cast<std::time_t>(calsync::to_unix(t.value())) : -1;
}

std::string local_time(const std::string& rfc3339) {
    auto t = calsync::parse_rfc3339(rfc3339);
    if (!t.ok())
        return rfc3339;
    const calsync::TimeZone& zone = *business_zone();
    const calsync::CivilDateTime local = zone.to_local(t.value());
    const int offset = zone.offset_at(t.value());
    const int magnitude = offset < 0 ? -offset : offset;
    char buf[48];
    std::snprintf(buf, sizeof buf, "%s %02d:%02d %c%02d%02d",
                  calsync::format_date(local.date).c_str(), local.hour, local.minute,
                  offset < 0 ? '-' : '+', magnitude / 3600, (magnitude % 3600) / 60);
    return buf;
}

std::string relative_time(const std::string& rfc3339) {
    const std::time_t t = parse_utc(rfc3339);
    if (t < 0)
        return rfc3339;
    const auto delta = static_cast<long long>(t - std::time(nullptr));
    const long long magnitude = delta < 0 ? -delta : delta;
    std::string amount;
    if (magnitude < 60)
        return delta <= 0 ? "now" : "in under a minute";
    if (magnitude < 3600)
        amount = std::to_string(magnitude / 60) + " min";
    else if (magnitude < 2 * 86400)
        amount = std::to_string(magnitude / 3600) + " h";
    else
        amount = std::to_string(magnitude / 86400) + " days";
    return delta < 0 ? amount + " ago" : "in " + amount;
}

}  // namespace cli
