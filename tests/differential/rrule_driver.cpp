// Expands RRULEs with calsync's expander for rrule_dateutil.py, one per input line:
//
//   ID <TAB> DTSTART <TAB> RRULE <TAB> WINDOW_END
//
// DTSTART is YYYYMMDDTHHMMSS (UTC) or YYYYMMDD (a DATE, read in UTC); WINDOW_END is a UTC
// YYYYMMDDTHHMMSS. The event (DTSTART, the rule, no end) is expanded over
// [DTSTART, WINDOW_END) through expand_event, as the engine does, and the answer is
//
//   ID <TAB> OK <TAB> start,start,...      (YYYYMMDDTHHMMSS, sorted)
//   ID <TAB> ERR <TAB> <error code>: <message>
#include <iostream>
#include <sstream>
#include <string>
#include <vector>

#include "calsync/recurrence.hpp"

namespace {

calsync::Result<calsync::CivilDateTime> read_basic(const std::string& text) {
    calsync::CivilDateTime t;
    const bool date = text.size() == 8;
    if ((!date && (text.size() != 15 || text[8] != 'T')) ||
        std::sscanf(text.c_str(), "%4d%2d%2d", &t.date.year, &t.date.month, &t.date.day) != 3 ||
        (!date && std::sscanf(text.c_str() + 9, "%2d%2d%2d", &t.hour, &t.minute, &t.second) != 3))
        return calsync::make_error(calsync::ErrorCode::parse, "bad time '" + text + "'");
    return t;
}

std::string basic(calsync::Instant t) {
    const calsync::CivilDateTime c = calsync::civil_from_seconds(calsync::to_unix(t));
    char buf[32];
    std::snprintf(buf, sizeof buf, "%04d%02d%02dT%02d%02d%02d", c.date.year, c.date.month,
                  c.date.day, c.hour, c.minute, c.second);
    return buf;
}

std::string answer(const std::vector<std::string>& fields) {
    if (fields.size() != 4)
        return "ERR\tinput: expected 4 tab-separated fields";
    auto start = read_basic(fields[1]);
    auto end = read_basic(fields[3]);
    if (!start.ok() || !end.ok())
        return "ERR\tinput: bad DTSTART or window end";
    calsync::Event e;
    e.id = fields[0];
    e.start = fields[1].size() == 8 ? calsync::EventTime::all_day(start->date)
                                    : calsync::EventTime::at_utc(calsync::instant_from_unix(
                                          calsync::civil_seconds(start.value())));
    e.recurrence.rrules = {fields[2]};
    calsync::ExpansionWindow w;
    w.business_zone = calsync::TimeZone::utc().get();
    w.window = {e.start.resolve(*calsync::TimeZone::utc()),
                calsync::instant_from_unix(calsync::civil_seconds(end.value()))};
    w.max_occurrences = 100000;
    auto occ = calsync::expand_event(e, w);
    if (!occ.ok())
        return std::string("ERR\t") + calsync::to_string(occ.error().code) + ": " +
               occ.error().message;
    std::string out = "OK\t";
    for (std::size_t i = 0; i < occ->size(); ++i) {
        if (i != 0)
            out += ',';
        out += basic((*occ)[i].range.start);
    }
    return out;
}

}  // namespace

int main() {
    std::ios::sync_with_stdio(false);
    std::string line;
    while (std::getline(std::cin, line)) {
        std::vector<std::string> fields;
        std::stringstream in(line);
        std::string field;
        while (std::getline(in, field, '\t'))
            fields.push_back(field);
        std::cout << (fields.empty() ? "" : fields[0]) << '\t' << answer(fields) << '\n';
        std::cout.flush();
    }
    return 0;
}
