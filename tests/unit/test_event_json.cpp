// The state store's lossless event JSON (src/core/event_json.cpp).
#include <catch2/catch.hpp>
#include <random>

#include "calsync/ical.hpp"
#include "core/event_json.hpp"
#include "engine/json_codec.hpp"
#include "event_equality.hpp"
#include "random_events.hpp"

using calsync::Event;
using calsync::EventTime;
using calsync::test::event_difference;

namespace {

calsync::ZonePtr custom_zone() {
    // Not an IANA zone: what a calendar's own VTIMEZONE builds.
    return std::make_shared<const calsync::TimeZone>(
        "Garage Standard Time", 3600,
        std::vector<calsync::TimeZone::Transition>{{1774746000, 7200}, {1792890000, 3600}});
}

Event round_trip(const Event& e) {
    calsync::json::EventReader reader;
    auto back = reader.read(calsync::json::write_event(e), e.calendar_id);
    REQUIRE(back.ok());
    return std::move(back).value();
}

// Fields the engine's factory leaves at their defaults, filled at random.
void decorate(Event& e, std::mt19937& rng) {
    auto coin = [&](int n) { return std::uniform_int_distribution<int>(0, n - 1)(rng) == 0; };
    const calsync::CivilDateTime wall{{2026, 3, 29}, 2, 30, 0};
    if (coin(2))
        e.uid = e.id + "@example.com";
    if (coin(2))
        e.summary = "Service \"A\" \\ line\nbreak, ü, 日本";
    if (coin(3))
        e.description = "client: Ann\nvehicle: VW Golf\ttab";
    if (coin(3))
        e.location = "Bay 3";
    if (coin(2))
        e.etag = "\"etag-" + e.id + "\"";
    if (coin(5))
        e.duration = calsync::NominalDuration{2, 5400};
    if (coin(6))
        e.recurrence.rdates.push_back({EventTime::at_utc(calsync::instant_from_unix(1775000000)),
                                       EventTime::at_utc(calsync::instant_from_unix(1775003600))});
    if (coin(6))
        e.start = EventTime::in_zone(wall, custom_zone(), "Garage Standard Time");
    if (coin(6))
        e.start = EventTime::in_zone(wall, calsync::find_iana_zone("Europe/Berlin").value(),
                                     "W. Europe Standard Time");
    if (coin(10))
        e.end = EventTime::in_zone(wall, nullptr, "Nowhere/Unresolved");
    for (Event& o : e.overrides) {
        if (coin(2))
            o.summary = "moved";
        if (coin(3))
            o.this_and_future = true;
        if (coin(4))
            o.uid = "other-uid";
        if (coin(4))
            o.etag = "override-etag";
    }
}

}  // namespace

TEST_CASE("event JSON round trip keeps every field of random events", "[event_json]") {
    std::mt19937 rng(20260601);
    calsync::test::EventFactory factory(7);
    for (int i = 0; i < 2000; ++i) {
        Event e = factory.make("cal", "e" + std::to_string(i));
        decorate(e, rng);
        for (Event& o : e.overrides)
            o.uid = o.uid.empty() ? e.uid : o.uid;
        const Event back = round_trip(e);
        INFO(calsync::json::write_event(e));
        REQUIRE(event_difference(e, back) == "");
        // Writing what was read gives the same text: nothing drifts on each save.
        REQUIRE(calsync::json::write_event(back) == calsync::json::write_event(e));
    }
}

TEST_CASE("event JSON resolves zones on load", "[event_json]") {
    const calsync::CivilDateTime wall{{2026, 7, 1}, 9, 0, 0};
    Event e;
    e.id = "z";
    e.calendar_id = "cal";

    SECTION("an IANA zone is written by name only and comes back as the catalogue's zone") {
        auto berlin = calsync::find_iana_zone("Europe/Berlin").value();
        e.start = EventTime::in_zone(wall, berlin, "Europe/Berlin");
        const std::string text = calsync::json::write_event(e);
        CHECK(text.find("transitions") == std::string::npos);
        CHECK(round_trip(e).start.zone.get() == berlin.get());
    }
    SECTION("a custom zone keeps its transitions, shared by the events of one reader") {
        e.start = EventTime::in_zone(wall, custom_zone(), "Garage Standard Time");
        const std::string text = calsync::json::write_event(e);
        calsync::json::EventReader reader;
        auto a = reader.read(text, "cal");
        auto b = reader.read(text, "cal");
        REQUIRE(a.ok());
        REQUIRE(b.ok());
        CHECK(a->start.zone.get() == b->start.zone.get());
        CHECK(a->start.resolve(*calsync::TimeZone::utc()) ==
              calsync::instant_from_unix(civil_seconds(wall) - 7200));
    }
    SECTION("a TZID that no longer resolves keeps the wall time without a zone") {
        calsync::json::EventReader reader;
        auto back = reader.read(
            R"({"id":"z","start":{"date_time":"2026-07-01T09:00:00","time_zone":"Gone/Zone"}})",
            "cal");
        REQUIRE(back.ok());
        CHECK(back->start.kind == EventTime::Kind::zoned);
        CHECK(back->start.tzid == "Gone/Zone");
        CHECK(back->start.zone == nullptr);
        CHECK(back->start.local == wall);
    }
}

TEST_CASE("event JSON durations", "[event_json]") {
    Event e;
    e.id = "d";
    e.start = EventTime::all_day({2026, 5, 1});
    const std::pair<calsync::NominalDuration, const char*> cases[] = {{{0, 0}, "\"PT0S\""},
                                                                      {{1, 0}, "\"P1D\""},
                                                                      {{0, 5400}, "\"PT5400S\""},
                                                                      {{2, 60}, "\"P2DT60S\""},
                                                                      {{-1, 0}, "{\"days\":-1"}};
    for (const auto& [d, expected] : cases) {
        e.duration = d;
        const std::string text = calsync::json::write_event(e);
        INFO(text);
        CHECK(text.find(expected) != std::string::npos);
        CHECK(*round_trip(e).duration == d);
    }
    SECTION("the EVENT schema's own forms are read too") {
        calsync::json::EventReader reader;
        auto back =
            reader.read(R"({"id":"d","start":{"date":"2026-05-01"},"duration":"PT1H30M"})", "cal");
        REQUIRE(back.ok());
        CHECK(*back->duration == calsync::NominalDuration{0, 5400});
    }
}

TEST_CASE("event JSON is the C ABI's EVENT schema for what that schema has", "[event_json]") {
    Event e;
    e.id = "e1";
    e.uid = "u1";
    e.summary = "Oil change";
    e.start = EventTime::in_zone({{2026, 5, 4}, 9, 0, 0},
                                 calsync::find_iana_zone("Europe/Berlin").value());
    e.end = EventTime::in_zone({{2026, 5, 4}, 10, 0, 0},
                               calsync::find_iana_zone("Europe/Berlin").value());
    e.status = calsync::EventStatus::tentative;
    e.recurrence.rrules = {"FREQ=WEEKLY;COUNT=3"};
    e.recurrence.exdates = {e.start};
    const std::string request =
        R"({"zone":"UTC","window":{"start":"2026-05-01T00:00:00Z","end":"2026-06-01T00:00:00Z"},)"
        R"("calendars":[{"id":"c","events":[)" +
        calsync::json::write_event(e) + "]}]}";
    auto parsed = calsync::json::parse_blocked_slots_request(request);
    REQUIRE(parsed.ok());
    REQUIRE(parsed->calendars.at(0).events.size() == 1);
    const Event& read = parsed->calendars[0].events[0];
    CHECK(read.uid == "u1");
    CHECK(read.summary == "Oil change");
    CHECK(read.start == e.start);
    CHECK(read.status == calsync::EventStatus::tentative);
    CHECK(read.recurrence.rrules == e.recurrence.rrules);
    CHECK(read.recurrence.exdates.size() == 1);
}

TEST_CASE("event JSON refuses malformed documents naming the field", "[event_json]") {
    calsync::json::EventReader reader;
    const std::pair<const char*, const char*> cases[] = {
        {"{", "not valid JSON"},
        {R"({"id":"x"})", "event.start: missing"},
        {R"({"id":"x","start":{"date":"2026-13-01"}})", "event.start.date"},
        {R"({"id":"x","start":{"date":"2026-05-01"},"status":"maybe"})", "event.status"},
        {R"({"id":"x","start":{"date":"2026-05-01"},"summary":3})", "event.summary"},
        {R"({"id":"x","start":{"date":"2026-05-01"},"overrides":[{"start":{}}]})",
         "event.overrides[0].start"},
        {R"({"id":"x","start":{"date_time":"2026-05-01T09:00:00","time_zone":"X","zone":{"name":"X"}}})",
         "event.start.zone"}};
    for (const auto& [text, where] : cases) {
        auto r = reader.read(text, "cal");
        INFO(text);
        REQUIRE_FALSE(r.ok());
        CHECK(r.error().code == calsync::ErrorCode::parse);
        CHECK(r.error().message.find(where) != std::string::npos);
    }
}
