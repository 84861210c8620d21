// Issue 12, items 2d and 3: iCalendar text is held to limits before libical reads it (one
// unfolded 4 MB line cost 3.8 s; components nested a million deep overflowed the stack), and
// reading one calendar holds no process-wide lock (a tiny calendar waited 6 s behind
// another tenant's calendar of 1,000 VTIMEZONEs).
#include <chrono>
#include <future>
#include <mutex>
#include <string>
#include <thread>

#include "bounded_child.hpp"
#include "calsync/ical.hpp"
#include "core/libical_handles.hpp"

using calsync::test::check_within;
using calsync::test::run_in_child;

namespace {

std::string event(const std::string& uid, const std::string& more = "") {
    return "BEGIN:VEVENT\r\nUID:" + uid + "\r\nDTSTART:20260301T100000Z\r\n" +
           "DTEND:20260301T110000Z\r\nSUMMARY:Brakes\r\n" + more + "END:VEVENT\r\n";
}

std::string calendar(const std::string& body) {
    return "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//hostile//EN\r\n" + body +
           "END:VCALENDAR\r\n";
}

// "N events; <event id>: <message>" for each error (at most three), the rest counted.
std::string verdict_of(const calsync::Result<calsync::IcsCalendar>& cal) {
    if (!cal.ok())
        return "failed: " + cal.error().message;
    std::string out = std::to_string(cal->events.size()) + " events";
    for (std::size_t i = 0; i < cal->errors.size() && i < 3; ++i)
        out += "; " + cal->errors[i].event_id + ": " + cal->errors[i].message;
    if (cal->errors.size() > 3)
        out += "; " + std::to_string(cal->errors.size() - 3) + " more errors";
    return out;
}

calsync::Result<calsync::IcsCalendar> read(const std::string& text) {
    return calsync::read_ics(text, calsync::IcsReadOptions{"cal", {}});
}

// Zone-N: a VTIMEZONE of central European rules under a name of its own.
std::string time_zone(int n) {
    return "BEGIN:VTIMEZONE\r\nTZID:Zone-" + std::to_string(n) +
           "\r\nBEGIN:STANDARD\r\nDTSTART:19701025T030000\r\n"
           "RRULE:FREQ=YEARLY;BYMONTH=10;BYDAY=-1SU\r\nTZOFFSETFROM:+0200\r\n"
           "TZOFFSETTO:+0100\r\nEND:STANDARD\r\nBEGIN:DAYLIGHT\r\nDTSTART:19700329T020000\r\n"
           "RRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=-1SU\r\nTZOFFSETFROM:+0100\r\n"
           "TZOFFSETTO:+0200\r\nEND:DAYLIGHT\r\nEND:VTIMEZONE\r\n";
}

// A calendar of 1,000 VTIMEZONEs, each used by one event.
// `count` VTIMEZONEs, each used by one event.
std::string zones(int count) {
    std::string body;
    for (int n = 0; n < count; ++n)
        body += time_zone(n);
    for (int n = 0; n < count; ++n) {
        const std::string zone = "Zone-" + std::to_string(n);
        body += "BEGIN:VEVENT\r\nUID:z" + std::to_string(n) + "\r\nDTSTART;TZID=" + zone +
                ":20260301T100000\r\nDTEND;TZID=" + zone + ":20260301T110000\r\nEND:VEVENT\r\n";
    }
    return calendar(body);
}

const std::string kSmall = calendar(event("small"));

}  // namespace

TEST_CASE("ics limits: one unfolded 4 MB line loses only its event, reported", "[hostile][ics]") {
    const std::string text = calendar(
        event("before") + event("big", "DESCRIPTION:" + std::string(4u << 20, 'x') + "\r\n") +
        event("after"));
    check_within(run_in_child([&text] { return verdict_of(read(text)); }),
                 "2 events; big: DESCRIPTION of 4194316 bytes is over the 1048576-byte limit for "
                 "one iCalendar property; the event is left out");
}

TEST_CASE("ics limits: long unfolded lines under the limit cost linear time", "[hostile][ics]") {
    std::string body;
    for (int i = 0; i < 24; ++i)
        body += event("long-" + std::to_string(i),
                      "DESCRIPTION:" + std::string(1'040'000, 'x') + "\r\n");
    const std::string text = calendar(body);
    check_within(run_in_child([&text] { return verdict_of(read(text)); }), "24 events");
}

TEST_CASE("ics limits: components nested a million deep lose only their event", "[hostile][ics]") {
    std::string nested;
    for (int i = 0; i < 1'000'000; ++i)
        nested += "BEGIN:VALARM\r\n";
    for (int i = 0; i < 1'000'000; ++i)
        nested += "END:VALARM\r\n";
    const std::string text = calendar(event("kept") + event("deep", nested));
    check_within(run_in_child([&text] { return verdict_of(read(text)); }),
                 "1 events; deep: components nest deeper than 8 levels, the limit; the event is "
                 "left out");
}

TEST_CASE("ics limits: a calendar of 1,050 VTIMEZONEs is read within its cap, the rest reported",
          "[hostile][ics]") {
    const std::string text = zones(1'050);
    check_within(run_in_child([&text] { return verdict_of(read(text)); }),
                 "1000 events; : the text defines more than 1000 distinct VTIMEZONEs, the "
                 "limit; the rest are left out; z1000: DTSTART: unknown TZID 'Zone-1000': no "
                 "VTIMEZONE in the calendar, not an IANA or a Windows zone name; z1001: "
                 "DTSTART: unknown TZID 'Zone-1001': no VTIMEZONE in the calendar, not an IANA "
                 "or a Windows zone name; 48 more errors");
}

TEST_CASE("ics threads: a small calendar is read while a 1,000-VTIMEZONE one is",
          "[hostile][ics]") {
    const std::string big = zones(1000);
    auto run = run_in_child([&big] {
        std::thread other([&big] { (void)read(big); });
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
        const auto started = std::chrono::steady_clock::now();
        const std::string small = verdict_of(read(kSmall));
        const double seconds =
            std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
        other.join();
        // Generous: the small calendar alone takes a millisecond; it waited 6 s.
        const double prompt = calsync::test::scaled_for_build({0.5, 0}).seconds;
        return small +
               (seconds < prompt ? ", promptly" : ", after " + std::to_string(seconds) + " s");
    });
    check_within(run, "1 events, promptly");
}

TEST_CASE("ics threads: reading a calendar takes no process-wide lock", "[hostile][ics]") {
    auto run = run_in_child([] {
        // Once libical is prepared (the first read does it, under the lock), this thread
        // holds libical's lock the whole time the other one reads.
        calsync::ical::prepare_libical();
        std::lock_guard<std::recursive_mutex> held(calsync::ical::libical_mutex());
        auto reading = std::async(std::launch::async, [] {
            return verdict_of(read(calendar(time_zone(1) + event("utc") +
                                            "BEGIN:VEVENT\r\nUID:zoned\r\nDTSTART;TZID=Zone-1:"
                                            "20260301T100000\r\nEND:VEVENT\r\n")));
        });
        if (reading.wait_for(std::chrono::seconds(1)) != std::future_status::ready)
            std::_Exit(3);  // it waits for the lock: the harness sees no verdict
        return reading.get();
    });
    check_within(run, "2 events");
}
