// iCalendar text prepared for libical (src/core/ics_text.cpp): folding, UTF-8, and what is
// left out over a limit; and what read_ics makes of it.
#include <catch2/catch.hpp>

#include "calsync/ical.hpp"
#include "core/ics_text.hpp"
#include "core/utf8.hpp"
#include "expand_helpers.hpp"

using calsync::ical::prepare_for_libical;
using calsync::test::vcalendar;

namespace {

const std::string kFffd = "\xEF\xBF\xBD";

std::string event(const std::string& uid, const std::string& more = "") {
    return "BEGIN:VEVENT\r\nUID:" + uid + "\r\nDTSTART:20260301T100000Z\r\n" + more +
           "END:VEVENT\r\n";
}

std::vector<std::string> physical_lines(const std::string& text) {
    std::vector<std::string> out;
    std::size_t at = 0;
    while (at < text.size()) {
        const auto end = text.find("\r\n", at);
        REQUIRE(end != std::string::npos);  // every line ends in CRLF
        out.push_back(text.substr(at, end - at));
        at = end + 2;
    }
    return out;
}

calsync::IcsCalendar read(const std::string& text) {
    auto cal = calsync::read_ics(text, calsync::IcsReadOptions{"cal", {}});
    REQUIRE(cal.ok());
    return std::move(cal).value();
}

}  // namespace

TEST_CASE("lines are folded at 75 octets, never inside a UTF-8 sequence", "[ical][ics_text]") {
    std::string summary;
    for (int i = 0; i < 150; ++i)
        summary += "\xC3\xA9";  // 'é', two octets
    const std::string input = vcalendar(event("long", "SUMMARY:" + summary + "\r\n"));
    const auto prepared = prepare_for_libical(input);
    std::string unfolded;
    for (const std::string& line : physical_lines(prepared.text)) {
        CHECK(line.size() <= 75);
        CHECK(calsync::utf8::is_valid(line));  // no sequence cut in two
        unfolded += line.empty() || line[0] != ' ' ? "\n" + line : line.substr(1);
    }
    CHECK(unfolded.find("\nSUMMARY:" + summary + "\n") != std::string::npos);
    CHECK(read(input).events.at(0).summary == summary);
    CHECK(prepared.left_out.empty());
}

TEST_CASE("a UTF-8 sequence folded in two is restored, not replaced", "[ical][ics_text][utf8]") {
    // RFC 5545 3.1: simple generators fold inside a sequence; unfolding restores it.
    const auto cal = read(vcalendar(event("split", "SUMMARY:Br\xC3\r\n \xA4msen\r\n")));
    CHECK(cal.events.at(0).summary == "Br\xC3\xA4msen");
}

TEST_CASE("ill-formed UTF-8 from a calendar becomes U+FFFD", "[ical][ics_text][utf8]") {
    const auto cal = read("BEGIN:VCALENDAR\r\nVERSION:2.0\r\nX-WR-CALNAME:Werkstatt \xE4 Nord\r\n" +
                          event("dent\xFFist",
                                "SUMMARY:Zahn\xC0\xAF"
                                "arzt\r\nLOCATION:\xED\xA0\x80\r\n") +
                          "END:VCALENDAR\r\n");
    CHECK(cal.name == "Werkstatt " + kFffd + " Nord");
    REQUIRE(cal.events.size() == 1);
    CHECK(cal.events[0].uid == "dent" + kFffd + "ist");
    CHECK(cal.events[0].summary == "Zahn" + kFffd + kFffd + "arzt");
    CHECK(cal.events[0].location == kFffd + kFffd + kFffd);
}

TEST_CASE("an oversized property loses its event, or itself outside one", "[ical][ics_text]") {
    const std::string big(calsync::ical::kMaxPropertyBytes, 'x');
    const auto cal = read("BEGIN:VCALENDAR\r\nVERSION:2.0\r\nX-WR-CALNAME:" + big + "\r\n" +
                          event("a") + event("b", "DESCRIPTION:" + big + "\r\n") +
                          "BEGIN:VEVENT\r\nDTSTART:20260301T100000Z\r\nX-BLOB:" + big +
                          "\r\nEND:VEVENT\r\n" + event("c") + "END:VCALENDAR\r\n");
    REQUIRE(cal.events.size() == 2);
    CHECK(cal.events[0].uid == "a");
    CHECK(cal.events[1].uid == "c");
    CHECK(cal.name.empty());
    REQUIRE(cal.errors.size() == 3);
    CHECK(cal.errors[0].event_id.empty());
    CHECK(cal.errors[0].message ==
          "X-WR-CALNAME of 1048589 bytes is over the 1048576-byte limit for one iCalendar "
          "property; it is left out");
    CHECK(cal.errors[1].event_id == "b");
    CHECK_THAT(cal.errors[1].message, Catch::StartsWith("DESCRIPTION of 1048588 bytes"));
    CHECK(cal.errors[2].event_id == "#3");  // no UID: its position, as read_ics names it
    CHECK_THAT(cal.errors[2].message, Catch::EndsWith("the event is left out"));
    // A property at the limit is read.
    const std::string at_limit(calsync::ical::kMaxPropertyBytes - 12, 'y');
    CHECK(
        read(vcalendar(event("d", "DESCRIPTION:" + at_limit + "\r\n"))).events.at(0).description ==
        at_limit);
}

TEST_CASE("components nested past the limit lose the event they are in", "[ical][ics_text]") {
    const auto nested = [](std::size_t alarms) {
        std::string s;
        for (std::size_t i = 0; i < alarms; ++i)
            s += "BEGIN:VALARM\r\n";
        for (std::size_t i = 0; i < alarms; ++i)
            s += "END:VALARM\r\n";
        return s;
    };
    // VCALENDAR and VEVENT are two levels: six more VALARMs make eight.
    const auto deepest = prepare_for_libical(vcalendar(event("ok", nested(6))));
    CHECK(deepest.left_out.empty());
    const auto cal = read(vcalendar(event("deep", nested(7)) + event("after")));
    REQUIRE(cal.events.size() == 1);
    CHECK(cal.events[0].uid == "after");
    REQUIRE(cal.errors.size() == 1);
    CHECK(cal.errors[0].event_id == "deep");
    CHECK(cal.errors[0].message ==
          "components nest deeper than 8 levels, the limit; the event is left out");
}

TEST_CASE("components past the cap are left out and reported once", "[ical][ics_text]") {
    std::string body;
    for (std::size_t i = 0; i < calsync::ical::kMaxComponents + 3; ++i)
        body += "BEGIN:VEVENT\r\nEND:VEVENT\r\n";
    const auto prepared = prepare_for_libical(vcalendar(body));
    REQUIRE(prepared.left_out.size() == 1);
    CHECK(prepared.left_out[0].event_id.empty());
    CHECK(prepared.left_out[0].message ==
          "the text holds more than 100000 components, the limit; the rest are left out");
    std::size_t kept = 0;
    for (auto at = prepared.text.find("BEGIN:VEVENT"); at != std::string::npos;
         at = prepared.text.find("BEGIN:VEVENT", at + 1))
        ++kept;
    CHECK(kept == calsync::ical::kMaxComponents);
}
