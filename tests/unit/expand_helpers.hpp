// Shared by the unit tests: iCalendar text in, occurrences as RFC 3339 strings out.
#pragma once

#include <fstream>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

#include "calsync/ical.hpp"
#include "calsync/recurrence.hpp"

namespace calsync::test {

inline std::string vcalendar(const std::string& body) {
    return "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//calsync tests//EN\r\n" + body +
           "END:VCALENDAR\r\n";
}

// Reads `ics` and expands its first event; "start/end" per occurrence, or the error text.
inline std::vector<std::string> expand(const std::string& ics, const std::string& zone,
                                       const std::string& from, const std::string& to,
                                       std::string* error = nullptr) {
    auto cal = read_ics(ics, IcsReadOptions{"c", {}});
    if (!cal.ok() || cal->events.empty()) {
        if (error != nullptr)
            *error = cal.ok() ? (cal->errors.empty() ? "no event" : cal->errors[0].message)
                              : cal.error().message;
        return {};
    }
    ExpansionWindow w;
    auto business = find_iana_zone(zone);
    w.business_zone = business.value().get();
    w.window = TimeRange{parse_rfc3339(from).value(), parse_rfc3339(to).value()};
    auto occ = expand_event(cal->events[0], w);
    std::vector<std::string> out;
    if (!occ.ok()) {
        if (error != nullptr)
            *error = occ.error().message;
        return out;
    }
    for (const Occurrence& o : occ.value())
        out.push_back(format_rfc3339(o.range.start) + "/" + format_rfc3339(o.range.end));
    return out;
}

// A file under tests/data/ics/.
inline std::string ics_fixture(const std::string& name) {
    const std::string path = std::string(CALSYNC_TEST_DATA_DIR) + "/ics/" + name;
    std::ifstream in(path, std::ios::binary);
    if (!in)
        throw std::runtime_error("cannot open fixture " + path);
    std::ostringstream text;
    text << in.rdbuf();
    return text.str();
}

inline std::vector<std::string> starts_of(const std::vector<std::string>& ranges) {
    std::vector<std::string> out;
    for (const std::string& r : ranges)
        out.push_back(r.substr(0, r.find('/')));
    return out;
}

}  // namespace calsync::test
