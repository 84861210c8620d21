// VTIMEZONEs that cost libical 3.0.16-based calsync minutes or gigabytes (issue 13): an
// observance with RRULE:FREQ=SECONDLY from 1601 grew past 540 MB; 2,000 VTIMEZONEs in one
// file took 10.7 s. Each must be answered within the harness's 2 s / 256 MiB.
#include <string>

#include "bounded_child.hpp"
#include "calsync/ical.hpp"

namespace {

using calsync::test::check_within;
using calsync::test::run_in_child;

std::string vtimezone(const std::string& tzid, const std::string& rule, int offset_hours) {
    char offset[8];
    std::snprintf(offset, sizeof offset, "%+03d00", offset_hours);
    return "BEGIN:VTIMEZONE\r\nTZID:" + tzid +
           "\r\nBEGIN:STANDARD\r\nDTSTART:16010101T000000\r\nTZOFFSETFROM:+0000\r\n"
           "TZOFFSETTO:" +
           offset + "\r\n" + (rule.empty() ? "" : "RRULE:" + rule + "\r\n") +
           "END:STANDARD\r\nBEGIN:DAYLIGHT\r\nDTSTART:16010101T000000\r\nTZOFFSETFROM:" + offset +
           "\r\nTZOFFSETTO:+0000\r\nRRULE:FREQ=YEARLY;BYMONTH=6;BYDAY=-1SU\r\n"
           "END:DAYLIGHT\r\nEND:VTIMEZONE\r\n";
}

std::string event(const std::string& uid, const std::string& tzid) {
    return "BEGIN:VEVENT\r\nUID:" + uid + "\r\nDTSTART;TZID=" + tzid +
           ":20260105T100000\r\nDURATION:PT1H\r\nEND:VEVENT\r\n";
}

// "<events> events, <errors> errors" from reading `ics`, and whether the first error names
// the zone "Bomb" and says `why`.
std::string read_in_child(const std::string& ics, const std::string& why = {}) {
    auto cal = calsync::read_ics(ics, calsync::IcsReadOptions{"c", {}});
    if (!cal.ok())
        return "unreadable: " + cal.error().message;
    std::string verdict = std::to_string(cal->events.size()) + " events, " +
                          std::to_string(cal->errors.size()) + " errors";
    if (!cal->errors.empty()) {
        const std::string& m = cal->errors[0].message;
        const bool named =
            m.find("VTIMEZONE 'Bomb'") != std::string::npos && m.find(why) != std::string::npos;
        verdict += named ? ", naming the zone and why" : ": " + m;
    }
    return verdict;
}

std::string calendar(const std::string& body) {
    return "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//calsync tests//EN\r\n" + body +
           "END:VCALENDAR\r\n";
}

}  // namespace

TEST_CASE("VTIMEZONE bombs: an observance changing every second since 1601", "[hostile]") {
    // The zone is refused (naming it), so the event that uses it is reported, not dropped.
    check_within(run_in_child([] {
                     return read_in_child(
                         calendar(vtimezone("Bomb", "FREQ=SECONDLY", 1) + event("e", "Bomb")),
                         "more than 64 times a year");
                 }),
                 "0 events, 1 errors, naming the zone and why");
    check_within(run_in_child([] {
                     return read_in_child(
                         calendar(vtimezone("Bomb", "FREQ=SECONDLY;UNTIL=22000101T000000Z", 1) +
                                  event("e", "Bomb")),
                         "more than 10000 transitions");
                 }),
                 "0 events, 1 errors, naming the zone and why");
}

// Issue 13: 2,000 VTIMEZONEs in one file took 10.7 s. The first 1,000 distinct ones are
// built and used (ics_text.hpp's limit), the rest reported with the events that need them.
TEST_CASE("VTIMEZONE bombs: 2,000 VTIMEZONEs in one file, 1,000 used, the rest reported",
          "[hostile]") {
    check_within(run_in_child([] {
                     std::string body;
                     for (int i = 0; i < 2000; ++i) {
                         const std::string tzid = "Zone " + std::to_string(i);
                         body += vtimezone(tzid, "FREQ=YEARLY;BYMONTH=10;BYDAY=-1SU", i % 12);
                         body += event("e" + std::to_string(i), tzid);
                     }
                     return read_in_child(calendar(body));
                 }),
                 "1000 events, 1001 errors: the text defines more than 1000 distinct "
                 "VTIMEZONEs, the limit; the rest are left out");
}

TEST_CASE("VTIMEZONE bombs: 2,000 copies of one VTIMEZONE build one zone", "[hostile]") {
    check_within(run_in_child([] {
                     std::string body;
                     for (int i = 0; i < 2000; ++i) {
                         body +=
                             calendar(vtimezone("Same", "FREQ=YEARLY;BYMONTH=10;BYDAY=-1SU", 1) +
                                      event("e" + std::to_string(i), "Same"));
                     }
                     // Concatenated VCALENDARs, as a feed of CalDAV objects would be read.
                     auto cal = calsync::read_ics(body, calsync::IcsReadOptions{"c", {}});
                     if (!cal.ok() || cal->events.size() != 2000)
                         return std::string("not read");
                     for (const auto& e : cal->events) {
                         if (e.start.zone != cal->events[0].start.zone)
                             return std::string("built more than once");
                     }
                     return std::string("one zone");
                 }),
                 "one zone");
}
