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

TEST_CASE("an event's unread properties and alarms do not reach libical", "[ical][ics_text]") {
    const std::string attachment(calsync::ical::kMaxPropertyBytes + 10, 'A');
    const std::string input = vcalendar(event(
        "kept", "DTSTAMP:20260101T000000Z\r\nSEQUENCE:3\r\nATTACH;VALUE=BINARY;ENCODING=BASE64:" +
                    attachment +
                    "\r\nX-CALSYNC-APPOINTMENT-ID:a-1\r\nBEGIN:VALARM\r\nACTION:DISPLAY\r\n"
                    "TRIGGER:-PT15M\r\nEND:VALARM\r\nDTEND:20260301T110000Z\r\n"));
    calsync::ical::EventPropertiesRead some;
    some.names = {"UID", "DTSTART", "DTEND"};
    const auto prepared = prepare_for_libical(input, some);
    CHECK(prepared.left_out.empty());  // the attachment is over the limit, but never read
    CHECK(prepared.text.find("DTSTAMP") == std::string::npos);
    CHECK(prepared.text.find("SEQUENCE") == std::string::npos);
    CHECK(prepared.text.find("ATTACH") == std::string::npos);
    CHECK(prepared.text.find("VALARM") == std::string::npos);
    CHECK(prepared.text.find("TRIGGER") == std::string::npos);
    CHECK(prepared.text.find("X-CALSYNC-APPOINTMENT-ID:a-1") != std::string::npos);
    CHECK(prepared.text.find("DTEND:20260301T110000Z") != std::string::npos);
    // Without a list, everything is kept and the attachment is over the limit.
    CHECK(prepare_for_libical(input).left_out.size() == 1);

    // read_ics reads what it uses: the event blocks its hour despite the attachment.
    const auto cal = read(input);
    REQUIRE(cal.events.size() == 1);
    CHECK(cal.errors.empty());
    CHECK(cal.events[0].export_marker == "a-1");
    REQUIRE(cal.events[0].end);
    CHECK(cal.events[0].end->local.hour == 11);
}

TEST_CASE("a large calendar is cut into VCALENDARs of its events in text order",
          "[ical][ics_text]") {
    const std::string head =
        "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nX-WR-CALNAME:Shop\r\n"
        "BEGIN:VTIMEZONE\r\nTZID:Z\r\nBEGIN:STANDARD\r\nDTSTART:19700101T000000"
        "\r\nTZOFFSETFROM:+0100\r\nTZOFFSETTO:+0100\r\nEND:STANDARD\r\n"
        "END:VTIMEZONE\r\n";
    const auto ev = [](int n) {
        return event("e" + std::to_string(n),
                     "SUMMARY:Oil change\r\nLOCATION:Bay 1\r\nDESCRIPTION:Brakes and tyres\r\n");
    };
    std::string body;
    for (int i = 1; i <= 5; ++i)
        body += ev(i);
    const std::string tail = "BEGIN:VTODO\r\nUID:t\r\nEND:VTODO\r\nEND:VCALENDAR\r\n";
    const auto prepared = prepare_for_libical(head + body + tail);
    REQUIRE(prepared.events.size() == 5);

    const auto parts = calsync::ical::cut_into_parts(prepared, 2);
    REQUIRE(parts.size() == 2);
    // Five events in two parts: two, then three; each part a whole VCALENDAR with the zone.
    CHECK(parts[0] == head + ev(1) + ev(2) + "END:VCALENDAR\r\n");
    CHECK(parts[1] == head + ev(3) + ev(4) + ev(5) + tail);
    CHECK(calsync::ical::cut_into_parts(prepared, 5).size() == 5);
    CHECK(calsync::ical::cut_into_parts(prepared, 6).empty());  // fewer events than parts
    CHECK(calsync::ical::cut_into_parts(prepared, 1).empty());
    // What precedes the first event is copied into every part: not beyond one text's worth.
    std::string long_head = head;
    for (int i = 0; i < 20; ++i)
        long_head.insert(long_head.find("BEGIN:VTIMEZONE"),
                         "X-NOTE:" + std::string(60, 'n') + "\r\n");
    const auto heavy = prepare_for_libical(long_head + body + tail);
    CHECK(calsync::ical::cut_into_parts(heavy, 2).size() == 2);
    CHECK(calsync::ical::cut_into_parts(heavy, 3).empty());

    // A zone after an event would be missing from the parts before it: not cut.
    const std::string zone = head.substr(head.find("BEGIN:VTIMEZONE"));
    const std::string late = "BEGIN:VCALENDAR\r\nVERSION:2.0\r\n" + event("e1") + zone +
                             event("e2") + event("e3") + "END:VCALENDAR\r\n";
    CHECK(calsync::ical::cut_into_parts(prepare_for_libical(late), 2).empty());
    // Two calendars, or one written in lower case, are read whole.
    CHECK(calsync::ical::cut_into_parts(
              prepare_for_libical(head + body + tail + head + body + "END:VCALENDAR\r\n"), 2)
              .empty());
    std::string lower = head + body + tail;
    lower.replace(0, 15, "begin:vcalendar");
    CHECK(calsync::ical::cut_into_parts(prepare_for_libical(lower), 2).empty());
}

TEST_CASE("a calendar read in parts is the calendar read whole", "[ical][ics_text]") {
    // Enough events to be parsed on several threads where the machine has several cores;
    // what is read must not depend on where the text was cut.
    constexpr int kEvents = 6000;
    std::string body;
    for (int i = 1; i <= kEvents; ++i) {
        const std::string n = std::to_string(i);
        if (i == 10) {  // a series whose instance is overridden near the end of the text
            body += event("series", "RRULE:FREQ=DAILY;COUNT=3\r\n");
        } else if (i == kEvents - 10) {
            body += event("series", "RECURRENCE-ID:20260302T100000Z\r\nSUMMARY:moved\r\n");
        } else if (i == 15 || i == kEvents - 15) {  // the calendar's own zone, in each part
            body += "BEGIN:VEVENT\r\nUID:zoned" + n +
                    "\r\nDTSTART;TZID=Test/Parts:20260301T100000\r\nEND:VEVENT\r\n";
        } else if (i == 20 || i == kEvents - 20) {  // one UID on two masters, far apart
            body += event("twice");
        } else if (i == kEvents - 30) {  // no UID: named by its position
            body += "BEGIN:VEVENT\r\nDTSTART:20260301T100000Z\r\nEND:VEVENT\r\n";
        } else if (i == 30 || i == kEvents - 40) {  // unreadable: reported, in text order
            body += "BEGIN:VEVENT\r\nUID:bad" + n + "\r\nEND:VEVENT\r\n";
        } else {
            body += event("e" + n);
        }
    }
    const auto cal = read(
        "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nX-WR-CALNAME:Shop\r\n"
        "BEGIN:VTIMEZONE\r\nTZID:Test/Parts\r\nBEGIN:STANDARD\r\n"
        "DTSTART:19700101T000000\r\nTZOFFSETFROM:+0530\r\n"
        "TZOFFSETTO:+0530\r\nEND:STANDARD\r\nEND:VTIMEZONE\r\n" +
        body + "END:VCALENDAR\r\n");
    CHECK(cal.name == "Shop");
    REQUIRE(cal.errors.size() == 2);
    CHECK(cal.errors[0].event_id == "bad30");
    CHECK(cal.errors[1].event_id == "bad" + std::to_string(kEvents - 40));
    CHECK(cal.errors[0].message == "no DTSTART");
    // Every readable master once, in text order; the override is on its series.
    REQUIRE(cal.events.size() == kEvents - 3);
    CHECK(cal.events[0].id == "e1");
    CHECK(cal.events[9].id == "series");
    REQUIRE(cal.events[9].overrides.size() == 1);
    CHECK(cal.events[9].overrides[0].summary == "moved");
    CHECK(cal.events[19].id == "twice");
    std::size_t position_named = 0;
    std::size_t twice = 0;
    for (const auto& e : cal.events) {
        if (e.id == "#" + std::to_string(kEvents - 30))
            ++position_named;
        if (e.id == "twice#" + std::to_string(kEvents - 20))
            ++twice;
    }
    CHECK(position_named == 1);
    CHECK(twice == 1);
    CHECK(cal.events.back().id == "e" + std::to_string(kEvents));
    for (const std::size_t at : {std::size_t{14}, cal.events.size() - 15}) {
        const auto& zoned = cal.events[at];
        CHECK_THAT(zoned.id, Catch::StartsWith("zoned"));
        REQUIRE(zoned.start.zone);
        // 10:00 at +05:30 is 04:30Z.
        CHECK(calsync::to_unix(zoned.start.zone->to_instant(zoned.start.local)) == 1772339400);
    }
}
