// Zones built from VTIMEZONE components (src/core/vtimezone.cpp) and the TZIDs of a calendar
// (src/core/zone_catalog.cpp). Expected instants are worked out by hand from the rules in
// each VTIMEZONE (last Sundays and second Sundays of 2026 and later years, checked against
// Python's calendar module).
#include <catch2/catch.hpp>

#include <chrono>
#include <thread>

#include "calsync/ical.hpp"
#include "core/event_json.hpp"
#include "core/vtimezone.hpp"
#include "expand_helpers.hpp"

using calsync::test::vcalendar;
using Strings = std::vector<std::string>;

namespace {

// Windows' "W. Europe Standard Time" as Exchange writes it: rules from 1601, never ending.
const char* kExchangeBerlin =
    "BEGIN:VTIMEZONE\r\nTZID:W. Europe Standard Time\r\n"
    "BEGIN:STANDARD\r\nDTSTART:16010101T030000\r\nTZOFFSETFROM:+0200\r\nTZOFFSETTO:+0100\r\n"
    "RRULE:FREQ=YEARLY;INTERVAL=1;BYDAY=-1SU;BYMONTH=10\r\nEND:STANDARD\r\n"
    "BEGIN:DAYLIGHT\r\nDTSTART:16010101T020000\r\nTZOFFSETFROM:+0100\r\nTZOFFSETTO:+0200\r\n"
    "RRULE:FREQ=YEARLY;INTERVAL=1;BYDAY=-1SU;BYMONTH=3\r\nEND:DAYLIGHT\r\nEND:VTIMEZONE\r\n";

// New York as tzurl.org writes it: the 1987-2006 rules end with UNTIL, the 2007 ones do not.
const char* kNewYorkHistory =
    "BEGIN:VTIMEZONE\r\nTZID:America/New_York\r\n"
    "BEGIN:DAYLIGHT\r\nTZOFFSETFROM:-0500\r\nTZOFFSETTO:-0400\r\nDTSTART:19870405T020000\r\n"
    "RRULE:FREQ=YEARLY;UNTIL=20060402T070000Z;BYMONTH=4;BYDAY=1SU\r\nEND:DAYLIGHT\r\n"
    "BEGIN:STANDARD\r\nTZOFFSETFROM:-0400\r\nTZOFFSETTO:-0500\r\nDTSTART:19671029T020000\r\n"
    "RRULE:FREQ=YEARLY;UNTIL=20061029T060000Z;BYMONTH=10;BYDAY=-1SU\r\nEND:STANDARD\r\n"
    "BEGIN:DAYLIGHT\r\nTZOFFSETFROM:-0500\r\nTZOFFSETTO:-0400\r\nDTSTART:20070311T020000\r\n"
    "RRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=2SU\r\nEND:DAYLIGHT\r\n"
    "BEGIN:STANDARD\r\nTZOFFSETFROM:-0400\r\nTZOFFSETTO:-0500\r\nDTSTART:20071104T020000\r\n"
    "RRULE:FREQ=YEARLY;BYMONTH=11;BYDAY=1SU\r\nEND:STANDARD\r\nEND:VTIMEZONE\r\n";

calsync::ZonePtr zone_of(const std::string& vtimezone, const std::string& tzid) {
    auto cal =
        calsync::read_ics(vcalendar(vtimezone + "BEGIN:VEVENT\r\nUID:e\r\nDTSTART;TZID=" + tzid +
                                    ":20260105T100000\r\nDURATION:PT1H\r\nEND:VEVENT\r\n"),
                          calsync::IcsReadOptions{"c", {}});
    REQUIRE(cal.ok());
    INFO((cal->errors.empty() ? "" : cal->errors[0].message));
    REQUIRE(cal->events.size() == 1);
    return cal->events[0].start.zone;
}

calsync::Instant at(const char* text) {
    return calsync::parse_rfc3339(text).value();
}

std::string instant_of(const calsync::ZonePtr& z, const char* local) {
    return calsync::format_rfc3339(z->to_instant(calsync::parse_local(local).value()));
}

}  // namespace

TEST_CASE("open-ended observances are kept as rules, not a table", "[zone][vtimezone]") {
    const auto z = zone_of(kExchangeBerlin, "W. Europe Standard Time");
    CHECK(z->name() == "W. Europe Standard Time");
    CHECK(z->has_recurring_transitions());
    CHECK(z->transitions().size() <= 2);  // the two DTSTARTs of 1601, nothing enumerated
    SECTION("2026: 29 March and 25 October, at 01:00Z") {
        CHECK(z->offset_at(at("2026-03-29T00:59:59Z")) == 3600);
        CHECK(z->offset_at(at("2026-03-29T01:00:00Z")) == 7200);
        CHECK(z->offset_at(at("2026-10-25T00:59:59Z")) == 7200);
        CHECK(z->offset_at(at("2026-10-25T01:00:00Z")) == 3600);
        CHECK(instant_of(z, "2026-03-29T02:30:00") == "2026-03-29T01:30:00Z");  // the gap
        CHECK(instant_of(z, "2026-10-25T02:30:00") == "2026-10-25T00:30:00Z");  // first of two
    }
    SECTION("regression: zones stopped changing in 2200 (transitions listed up to it)") {
        // Last Sundays: 30 March and 26 October 2200, 25 March and 28 October 2300,
        // 28 March and 31 October 2500.
        CHECK(z->offset_at(at("2200-07-01T12:00:00Z")) == 7200);
        CHECK(z->offset_at(at("2300-03-25T00:59:59Z")) == 3600);
        CHECK(z->offset_at(at("2300-03-25T01:00:00Z")) == 7200);
        CHECK(z->offset_at(at("2500-10-31T00:59:59Z")) == 7200);
        CHECK(z->offset_at(at("2500-10-31T01:00:00Z")) == 3600);
        CHECK(z->offset_at(at("2500-12-31T23:00:00Z")) == 3600);
    }
    SECTION("early years, outside the cached years, come from the same rules") {
        // 1700: last Sunday of March is the 28th.
        CHECK(z->offset_at(at("1700-03-28T00:59:59Z")) == 3600);
        CHECK(z->offset_at(at("1700-03-28T01:00:00Z")) == 7200);
    }
}

TEST_CASE("rules with UNTIL, then open-ended rules (the 2007 US change)", "[zone][vtimezone]") {
    const auto z = zone_of(kNewYorkHistory, "America/New_York");
    // 2006: first Sunday of April (2 April) to last Sunday of October (29 October).
    CHECK(z->offset_at(at("2006-04-02T06:59:59Z")) == -18000);
    CHECK(z->offset_at(at("2006-04-02T07:00:00Z")) == -14400);
    CHECK(z->offset_at(at("2006-10-29T05:59:59Z")) == -14400);
    CHECK(z->offset_at(at("2006-10-29T06:00:00Z")) == -18000);
    // 2026: second Sunday of March (8 March) to first Sunday of November (1 November).
    CHECK(z->offset_at(at("2026-03-08T06:59:59Z")) == -18000);
    CHECK(z->offset_at(at("2026-03-08T07:00:00Z")) == -14400);
    CHECK(z->offset_at(at("2026-11-01T05:59:59Z")) == -14400);
    CHECK(z->offset_at(at("2026-11-01T06:00:00Z")) == -18000);
    // 1990, from the rules that ended in 2006: 1 April and 28 October.
    CHECK(z->offset_at(at("1990-04-01T07:00:00Z")) == -14400);
    CHECK(z->offset_at(at("1990-10-28T06:00:00Z")) == -18000);
}

// Far years are read a whole number of 400-year cycles back when every rule repeats so;
// a rule that does not (every third year) is read year by year.
TEST_CASE("far years follow the rules", "[zone][vtimezone]") {
    SECTION("New York in 9000 and 9999: second Sunday of March, first of November") {
        const auto z = zone_of(kNewYorkHistory, "America/New_York");
        CHECK(z->offset_at(at("9000-03-09T06:59:59Z")) == -18000);
        CHECK(z->offset_at(at("9000-03-09T07:00:00Z")) == -14400);
        CHECK(z->offset_at(at("9000-11-02T05:59:59Z")) == -14400);
        CHECK(z->offset_at(at("9000-11-02T06:00:00Z")) == -18000);
        CHECK(z->offset_at(at("9999-03-14T07:00:00Z")) == -14400);
        CHECK(z->offset_at(at("9999-11-07T06:00:00Z")) == -18000);
        CHECK(instant_of(z, "9000-03-09T02:30:00") == "9000-03-09T07:30:00Z");  // the gap
    }
    SECTION("summer time every third year from 1970") {
        const auto z = zone_of(
            "BEGIN:VTIMEZONE\r\nTZID:Triennial\r\n"
            "BEGIN:DAYLIGHT\r\nDTSTART:19700329T020000\r\nTZOFFSETFROM:+0100\r\n"
            "TZOFFSETTO:+0200\r\nRRULE:FREQ=YEARLY;INTERVAL=3;BYMONTH=3;BYDAY=-1SU\r\n"
            "END:DAYLIGHT\r\n"
            "BEGIN:STANDARD\r\nDTSTART:19701025T030000\r\nTZOFFSETFROM:+0200\r\n"
            "TZOFFSETTO:+0100\r\nRRULE:FREQ=YEARLY;INTERVAL=3;BYMONTH=10;BYDAY=-1SU\r\n"
            "END:STANDARD\r\nEND:VTIMEZONE\r\n",
            "Triennial");
        // 3005 and 5003 are whole multiples of three years after 1970; 3004 is not.
        CHECK(z->offset_at(at("3004-07-01T12:00:00Z")) == 3600);
        CHECK(z->offset_at(at("3005-03-31T00:59:59Z")) == 3600);
        CHECK(z->offset_at(at("3005-03-31T01:00:00Z")) == 7200);
        CHECK(z->offset_at(at("3005-10-27T01:00:00Z")) == 3600);
        CHECK(z->offset_at(at("5003-03-27T01:00:00Z")) == 7200);
        CHECK(z->offset_at(at("5004-07-01T12:00:00Z")) == 3600);
    }
}

TEST_CASE("a zone given only as RDATEs", "[zone][vtimezone]") {
    const auto z = zone_of(
        "BEGIN:VTIMEZONE\r\nTZID:Listed\r\n"
        "BEGIN:DAYLIGHT\r\nDTSTART:20250330T020000\r\nTZOFFSETFROM:+0100\r\nTZOFFSETTO:+0200\r\n"
        "RDATE:20260329T020000,20270328T020000\r\nEND:DAYLIGHT\r\n"
        "BEGIN:STANDARD\r\nDTSTART:20251026T030000\r\nTZOFFSETFROM:+0200\r\nTZOFFSETTO:+0100\r\n"
        "RDATE:20261025T030000\r\nEND:STANDARD\r\nEND:VTIMEZONE\r\n",
        "Listed");
    CHECK_FALSE(z->has_recurring_transitions());
    CHECK(z->offset_at(at("2026-03-29T01:00:00Z")) == 7200);
    CHECK(z->offset_at(at("2026-10-25T01:00:00Z")) == 3600);
    CHECK(z->offset_at(at("2027-03-28T01:00:00Z")) == 7200);
    CHECK(z->offset_at(at("2028-07-01T00:00:00Z")) == 7200);  // the last listed offset stays
}

TEST_CASE("a VTIMEZONE is built once per distinct text, across calendars", "[zone][vtimezone]") {
    const auto first = zone_of(kExchangeBerlin, "W. Europe Standard Time");
    const auto again = zone_of(kExchangeBerlin, "W. Europe Standard Time");
    CHECK(first == again);  // the same object: built once
    std::string changed = kExchangeBerlin;
    changed.replace(changed.find("BYMONTH=3"), 9, "BYMONTH=4");
    const auto other = zone_of(changed, "W. Europe Standard Time");
    CHECK(other != first);
    // Last Sunday of April 2026 is the 26th.
    CHECK(other->offset_at(at("2026-04-26T01:00:00Z")) == 7200);
    CHECK(other->offset_at(at("2026-04-26T00:59:59Z")) == 3600);
    SECTION("the text a zone was built from brings the same zone back (stored events)") {
        auto back = calsync::ical::zone_from_definition(first->definition());
        REQUIRE(back.ok());
        CHECK(back.value() == first);
    }
}

TEST_CASE("a stored event keeps its VTIMEZONE, not a table", "[zone][vtimezone]") {
    calsync::Event e;
    e.id = "e";
    e.start = calsync::EventTime::in_zone({{2026, 7, 1}, 10, 0, 0},
                                          zone_of(kExchangeBerlin, "W. Europe Standard Time"),
                                          "W. Europe Standard Time");
    const std::string json = calsync::json::write_event(e);
    CHECK_THAT(json, Catch::Contains("\"vtimezone\":\"BEGIN:VTIMEZONE"));
    CHECK_THAT(json, !Catch::Contains("transitions"));
    calsync::json::EventReader reader;
    auto back = reader.read(json, "c");
    REQUIRE(back.ok());
    CHECK(back->start.zone == e.start.zone);
    CHECK(calsync::format_rfc3339(back->start.resolve(*calsync::TimeZone::utc())) ==
          "2026-07-01T08:00:00Z");
}

TEST_CASE("a Windows zone name without a VTIMEZONE maps through CLDR", "[zone][vtimezone]") {
    // Outlook and Exchange exports; the event used to be skipped as an unknown TZID.
    const std::string ics = vcalendar(
        "BEGIN:VEVENT\r\nUID:w\r\nDTSTART;TZID=Pacific Standard Time:20260701T090000\r\n"
        "DTEND;TZID=Pacific Standard Time:20260701T100000\r\nEND:VEVENT\r\n");
    CHECK(calsync::test::expand(ics, "UTC", "2026-01-01T00:00:00Z", "2027-01-01T00:00:00Z") ==
          Strings{"2026-07-01T16:00:00Z/2026-07-01T17:00:00Z"});
    SECTION("the calendar's own definition of that name still wins") {
        const std::string own = vcalendar(
            "BEGIN:VTIMEZONE\r\nTZID:Pacific Standard Time\r\nBEGIN:STANDARD\r\n"
            "DTSTART:16010101T000000\r\nTZOFFSETFROM:-0300\r\nTZOFFSETTO:-0300\r\n"
            "END:STANDARD\r\nEND:VTIMEZONE\r\n"
            "BEGIN:VEVENT\r\nUID:w\r\nDTSTART;TZID=Pacific Standard Time:20260701T090000\r\n"
            "DURATION:PT1H\r\nEND:VEVENT\r\n");
        CHECK(calsync::test::starts_of(calsync::test::expand(own, "UTC", "2026-01-01T00:00:00Z",
                                                             "2027-01-01T00:00:00Z")) ==
              Strings{"2026-07-01T12:00:00Z"});
    }
    SECTION("a name neither IANA nor Windows knows is still an error naming it") {
        auto cal = calsync::read_ics(
            vcalendar("BEGIN:VEVENT\r\nUID:x\r\nDTSTART;TZID=Pacific Standard Tim:20260701T090000"
                      "\r\nEND:VEVENT\r\n"),
            calsync::IcsReadOptions{"c", {}});
        REQUIRE(cal.ok());
        REQUIRE(cal->errors.size() == 1);
        CHECK_THAT(cal->errors[0].message, Catch::Contains("'Pacific Standard Tim'"));
    }
}

TEST_CASE("hostile VTIMEZONEs are refused quickly, naming the zone", "[zone][vtimezone]") {
    auto error_of = [](const std::string& observance_rule,
                       const char* dtstart = "16010101T000000") {
        auto cal = calsync::read_ics(
            vcalendar(std::string("BEGIN:VTIMEZONE\r\nTZID:Bomb\r\nBEGIN:STANDARD\r\nDTSTART:") +
                      dtstart +
                      "\r\nTZOFFSETFROM:+0100\r\nTZOFFSETTO:+0200\r\nRRULE:" + observance_rule +
                      "\r\nEND:STANDARD\r\nEND:VTIMEZONE\r\n"
                      "BEGIN:VEVENT\r\nUID:e\r\nDTSTART;TZID=Bomb:20260105T100000\r\n"
                      "END:VEVENT\r\n"),
            calsync::IcsReadOptions{"c", {}});
        REQUIRE(cal.ok());
        return cal->errors.empty() ? std::string("(accepted)") : cal->errors[0].message;
    };
    const auto started = std::chrono::steady_clock::now();
    CHECK_THAT(error_of("FREQ=SECONDLY"),
               Catch::Contains("VTIMEZONE 'Bomb'") && Catch::Contains("times a year"));
    CHECK_THAT(error_of("FREQ=SECONDLY;COUNT=2000000000"),
               Catch::Contains("VTIMEZONE 'Bomb'") && Catch::Contains("transitions"));
    CHECK_THAT(error_of("FREQ=MINUTELY;UNTIL=22000101T000000Z"),
               Catch::Contains("VTIMEZONE 'Bomb'") && Catch::Contains("transitions"));
    // Valid, if odd: a change every month from 1601 is kept as a rule, not listed.
    CHECK(error_of("FREQ=MONTHLY") == "(accepted)");
    CHECK(std::chrono::steady_clock::now() - started < std::chrono::seconds(5));
}

TEST_CASE("zones from VTIMEZONEs are built and read from several threads", "[zone][vtimezone]") {
    // Each thread reads the same calendar (one zone, built once) and asks offsets in years
    // nobody asked before, so the per-year cache fills from several threads at once.
    std::vector<calsync::ZonePtr> zones(4);
    std::vector<int> summer_offsets(4 * 50);
    std::vector<std::thread> threads;
    std::string text = kExchangeBerlin;
    text.replace(text.find("W. Europe"), 9, "Threaded ");
    for (int t = 0; t < 4; ++t) {
        threads.emplace_back([&, t] {
            // No Catch2 assertion in a thread: the results are checked after the join.
            auto cal = calsync::read_ics(
                vcalendar(text + "BEGIN:VEVENT\r\nUID:e\r\nDTSTART;TZID=Threaded  Standard Time:"
                                 "20260105T100000\r\nEND:VEVENT\r\n"),
                calsync::IcsReadOptions{"c", {}});
            if (!cal.ok() || cal->events.size() != 1 || !cal->events[0].start.zone)
                return;
            zones[static_cast<std::size_t>(t)] = cal->events[0].start.zone;
            for (int y = 0; y < 50; ++y) {
                const auto july = calsync::instant_from_unix(
                    calsync::civil_seconds({{2030 + (y * 7 + t) % 50, 7, 1}, 12, 0, 0}));
                summer_offsets[static_cast<std::size_t>(t * 50 + y)] =
                    zones[static_cast<std::size_t>(t)]->offset_at(july);
            }
        });
    }
    for (auto& th : threads)
        th.join();
    REQUIRE(zones[0] != nullptr);
    for (const auto& z : zones)
        CHECK(z == zones[0]);
    for (int offset : summer_offsets)
        CHECK(offset == 7200);
}

TEST_CASE("a VTIMEZONE already built from the same text is not read by libical again",
          "[zone][vtimezone]") {
    // CalDAV objects each carry their calendar's VTIMEZONE: after the first, libical reads
    // only the event. A TZID of this test's own keeps the cache's earlier entries out.
    std::string zone = kExchangeBerlin;
    zone.replace(zone.find("W. Europe Standard Time"), 23, "Set Aside Test");
    const std::string event =
        "BEGIN:VEVENT\r\nUID:e\r\nDTSTART;TZID=Set Aside Test:20260705T100000\r\n"
        "DURATION:PT1H\r\nEND:VEVENT\r\n";
    const std::string ics = vcalendar(zone + event);
    using calsync::ical::prepare_for_libical;
    using calsync::ical::set_aside_known_zones;

    const auto first = zone_of(zone, "Set Aside Test");

    SECTION("a text seen for the first time is read by libical, then set aside") {
        // Sections run the test case again: a TZID of this section's own.
        std::string fresh = zone;
        fresh.replace(fresh.find("Set Aside Test"), 14, "Set Aside Fresh");
        const std::string fresh_ics = vcalendar(fresh + event);
        auto unread = prepare_for_libical(fresh_ics);
        auto texts = set_aside_known_zones(&unread);
        CHECK(texts.known.empty());
        REQUIRE(texts.unknown.count("Set Aside Fresh") == 1);
        CHECK_THAT(unread.text, Catch::Contains("BEGIN:VTIMEZONE"));
        const auto built = zone_of(fresh, "Set Aside Fresh");
        auto read = prepare_for_libical(fresh_ics);
        texts = set_aside_known_zones(&read);
        REQUIRE(texts.known.count("Set Aside Fresh") == 1);
        CHECK(texts.known["Set Aside Fresh"] == built);
        CHECK_THAT(read.text, !Catch::Contains("VTIMEZONE"));
        CHECK_THAT(read.text, Catch::Contains("BEGIN:VEVENT\r\nUID:e\r\n"));
    }
    SECTION("the event reads as it did, and is stored as it was") {
        auto cal = calsync::read_ics(ics, calsync::IcsReadOptions{"c", {}});
        REQUIRE(cal.ok());
        REQUIRE(cal->events.size() == 1);
        CHECK(cal->events[0].start.zone == first);
        CHECK(calsync::format_rfc3339(cal->events[0].start.resolve(*calsync::TimeZone::utc())) ==
              "2026-07-05T08:00:00Z");
        CHECK_THAT(calsync::json::write_event(cal->events[0]),
                   Catch::Contains("\"vtimezone\":\"BEGIN:VTIMEZONE"));
    }
    SECTION("the first definition of a TZID is the one used, known or not") {
        std::string other = zone;
        other.replace(other.find("BYMONTH=3"), 9, "BYMONTH=4");  // summer time from April
        auto known_first = calsync::read_ics(vcalendar(zone + other + event), {"c", {}});
        REQUIRE(known_first.ok());
        REQUIRE(known_first->events.size() == 1);
        CHECK(known_first->events[0].start.zone == first);
        auto unknown_first = calsync::read_ics(vcalendar(other + zone + event), {"c", {}});
        REQUIRE(unknown_first.ok());
        REQUIRE(unknown_first->events.size() == 1);
        const auto& z = unknown_first->events[0].start.zone;
        CHECK(z != first);
        CHECK(z->offset_at(at("2026-04-26T00:59:59Z")) == 3600);  // April's last Sunday
        CHECK(z->offset_at(at("2026-04-26T01:00:00Z")) == 7200);
    }
    SECTION("nothing is set aside from two VCALENDARs or a TZID libical must read") {
        auto two = prepare_for_libical(ics + ics);
        CHECK(set_aside_known_zones(&two).known.empty());
        CHECK(two.text == prepare_for_libical(ics + ics).text);
        std::string with_parameter = zone;
        with_parameter.replace(with_parameter.find("TZID:"), 5, "TZID;X-A=1:");
        auto odd = prepare_for_libical(vcalendar(with_parameter + zone + event));
        CHECK(set_aside_known_zones(&odd).known.empty());
        CHECK_THAT(odd.text, Catch::Contains("TZID:Set Aside Test"));
    }
}

TEST_CASE("events in different defined zones each store their own VTIMEZONE", "[zone][vtimezone]") {
    // The stored form of a zone is worked out once per zone (event_json.cpp): writing
    // events in turn, each keeps its own definition.
    const auto berlin = zone_of(kExchangeBerlin, "W. Europe Standard Time");
    const auto new_york = zone_of(kNewYorkHistory, "America/New_York");
    REQUIRE(!berlin->definition().empty());
    REQUIRE(!new_york->definition().empty());
    auto stored = [](const calsync::ZonePtr& zone, const std::string& tzid) {
        calsync::Event e;
        e.id = "e";
        e.start = calsync::EventTime::in_zone({{2026, 7, 1}, 10, 0, 0}, zone, tzid);
        return calsync::json::write_event(e);
    };
    calsync::json::EventReader reader;
    for (int round = 0; round < 2; ++round) {
        for (const auto& [zone, tzid] : {std::pair{berlin, std::string("W. Europe Standard Time")},
                                         std::pair{new_york, std::string("America/New_York")}}) {
            INFO(tzid << ", round " << round);
            const std::string json = stored(zone, tzid);
            auto back = reader.read(json, "c");
            REQUIRE(back.ok());
            CHECK(back->start.zone == zone);
            CHECK(back->start.zone->definition() == zone->definition());
        }
    }
}
