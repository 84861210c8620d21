// What blocks (src/engine/blocking.cpp) and the incremental import engine
// (src/engine/import_engine.cpp, busy_timeline.cpp).
#include <catch2/catch.hpp>
#include <random>

#include "calsync/engine.hpp"

using calsync::BlockingPolicy;
using calsync::CalendarPolicy;
using calsync::Event;
using calsync::EventTime;
using calsync::ImportEngine;
using calsync::parse_rfc3339;

namespace {

calsync::Instant at(const char* text) {
    return parse_rfc3339(text).value();
}

Event timed(const std::string& calendar, const std::string& id, const char* start,
            const char* end) {
    Event e;
    e.id = id;
    e.calendar_id = calendar;
    e.start = EventTime::at_utc(at(start));
    e.end = EventTime::at_utc(at(end));
    return e;
}

BlockingPolicy january(const std::string& zone = "UTC") {
    BlockingPolicy p;
    p.business_zone = zone;
    p.window = {at("2026-01-01T00:00:00Z"), at("2026-02-01T00:00:00Z")};
    return p;
}

std::vector<std::string> busy_strings(const ImportEngine& engine) {
    std::vector<std::string> out;
    for (const auto& r : engine.busy())
        out.push_back(calsync::format_rfc3339(r.start) + "/" + calsync::format_rfc3339(r.end));
    return out;
}

calsync::Occurrence occurrence() {
    calsync::Occurrence o;
    o.range = {at("2026-01-05T09:00:00Z"), at("2026-01-05T10:00:00Z")};
    return o;
}

}  // namespace

TEST_CASE("decide_block", "[engine]") {
    Event e;
    CalendarPolicy policy;
    calsync::Occurrence o = occurrence();
    SECTION("a confirmed opaque event blocks, not tentatively") {
        const auto d = calsync::decide_block(e, o, policy);
        CHECK(d.blocks);
        CHECK_FALSE(d.tentative);
    }
    SECTION("cancelled, transparent, declined and exported never block, whatever the policy") {
        o.status = calsync::EventStatus::cancelled;
        CHECK_FALSE(calsync::decide_block(e, o, policy).blocks);
        o = occurrence();
        o.transparency = calsync::Transparency::transparent;
        CHECK_FALSE(calsync::decide_block(e, o, policy).blocks);
        o = occurrence();
        o.owner_response = calsync::Response::declined;
        CHECK_FALSE(calsync::decide_block(e, o, policy).blocks);
        o = occurrence();
        e.export_marker = "appt-1";
        CHECK_FALSE(calsync::decide_block(e, o, policy).blocks);
    }
    SECTION("tentative, by status or by the owner's answer, follows tentative_blocks") {
        o.status = calsync::EventStatus::tentative;
        CHECK(calsync::decide_block(e, o, policy).tentative);
        policy.tentative_blocks = false;
        CHECK_FALSE(calsync::decide_block(e, o, policy).blocks);
        o = occurrence();
        o.owner_response = calsync::Response::tentative;
        CHECK_FALSE(calsync::decide_block(e, o, policy).blocks);
    }
    SECTION("unanswered invitations follow unanswered_blocks") {
        o.owner_response = calsync::Response::needs_action;
        CHECK(calsync::decide_block(e, o, policy).blocks);
        policy.unanswered_blocks = false;
        CHECK_FALSE(calsync::decide_block(e, o, policy).blocks);
    }
    SECTION("all-day events follow all_day_blocks") {
        o.all_day = true;
        CHECK(calsync::decide_block(e, o, policy).blocks);
        policy.all_day_blocks = false;
        CHECK_FALSE(calsync::decide_block(e, o, policy).blocks);
    }
}

TEST_CASE("per-calendar policy falls back to the default", "[engine]") {
    BlockingPolicy p = january();
    p.defaults.all_day_blocks = false;
    CalendarPolicy strict;
    strict.all_day_blocks = true;
    p.calendars["holidays"] = strict;
    CHECK(p.for_calendar("holidays").all_day_blocks);
    CHECK_FALSE(p.for_calendar("work").all_day_blocks);

    auto engine = ImportEngine::create(p);
    REQUIRE(engine.ok());
    Event a;
    a.id = "a";
    a.calendar_id = "work";
    a.start = EventTime::all_day({2026, 1, 6});
    Event b = a;
    b.calendar_id = "holidays";
    engine->load({a, b});
    REQUIRE(engine->slot_count() == 1);
    CHECK(engine->slots()[0].calendar_id == "holidays");
}

TEST_CASE("slots carry label, event, flags, and busy merges across calendars", "[engine]") {
    auto engine = ImportEngine::create(january("Europe/Berlin"));
    REQUIRE(engine.ok());
    engine->set_calendar_label("work", "Workshop");
    Event meeting = timed("work", "m", "2026-01-05T09:00:00Z", "2026-01-05T10:00:00Z");
    meeting.recurrence.rrules = {"FREQ=DAILY;COUNT=2"};
    Event dentist = timed("home", "d", "2026-01-05T09:30:00Z", "2026-01-05T11:00:00Z");
    dentist.status = calsync::EventStatus::tentative;
    Event holiday;
    holiday.id = "h";
    holiday.calendar_id = "home";
    holiday.start = EventTime::all_day({2026, 1, 20});
    engine->load({meeting, dentist, holiday});

    const auto slots = engine->slots();
    REQUIRE(slots.size() == 4);
    CHECK(slots[0].label == "Workshop");
    CHECK(slots[0].event_id == "m");
    CHECK(calsync::format_rfc3339(slots[0].recurrence_id) == "2026-01-05T09:00:00Z");
    CHECK(slots[1].event_id == "d");
    CHECK(slots[1].label == "home");  // no label set: the calendar id
    CHECK(slots[1].tentative);
    CHECK(slots[3].all_day);
    CHECK(busy_strings(*engine) ==
          std::vector<std::string>{"2026-01-05T09:00:00Z/2026-01-05T11:00:00Z",
                                   "2026-01-06T09:00:00Z/2026-01-06T10:00:00Z",
                                   // 20 January in Berlin (UTC+1).
                                   "2026-01-19T23:00:00Z/2026-01-20T23:00:00Z"});
}

TEST_CASE("changing one event changes only its slots", "[engine]") {
    auto engine = ImportEngine::create(january());
    REQUIRE(engine.ok());
    Event series = timed("c", "s", "2026-01-05T09:00:00Z", "2026-01-05T10:00:00Z");
    series.recurrence.rrules = {"FREQ=DAILY;COUNT=5"};
    engine->load({series, timed("c", "x", "2026-01-05T09:30:00Z", "2026-01-05T12:00:00Z")});

    SECTION("moving one instance is one slot out and one in") {
        Event moved = timed("c", "s", "2026-01-07T15:00:00Z", "2026-01-07T16:00:00Z");
        moved.recurrence_id = EventTime::at_utc(at("2026-01-07T09:00:00Z"));
        series.overrides = {moved};
        const auto diff = engine->upsert(series);
        REQUIRE(diff.removed.size() == 1);
        REQUIRE(diff.added.size() == 1);
        CHECK(calsync::format_rfc3339(diff.removed[0].range.start) == "2026-01-07T09:00:00Z");
        CHECK(calsync::format_rfc3339(diff.added[0].range.start) == "2026-01-07T15:00:00Z");
    }
    SECTION("remove frees the event's time, and only it") {
        const auto diff = engine->remove("c", "x");
        CHECK(diff.removed.size() == 1);
        CHECK(busy_strings(*engine).front() == "2026-01-05T09:00:00Z/2026-01-05T10:00:00Z");
    }
    SECTION("remove_calendar drops every event of that calendar") {
        const auto diff = engine->remove_calendar("c");
        CHECK(diff.removed.size() == 6);
        CHECK(engine->busy().empty());
        CHECK(engine->slot_count() == 0);
    }
    SECTION("an unreadable new version replaces the old one and is reported") {
        series.recurrence.rrules = {"FREQ=NEVER"};
        const auto diff = engine->upsert(series);
        CHECK(diff.removed.size() == 5);
        REQUIRE(engine->errors().size() == 1);
        CHECK(engine->errors()[0].event_id == "s");
        CHECK_THAT(engine->errors()[0].message, Catch::Contains("FREQ=NEVER"));
    }
}

// A seeded random sequence of changes; after every step the engine must equal a fresh
// engine loaded with the same events (nothing stale, nothing lost, nothing doubled).
TEST_CASE("incremental updates equal a clean recompute (model test)", "[engine]") {
    std::mt19937 rng(20261124);
    auto pick = [&](int lo, int hi) { return std::uniform_int_distribution<int>(lo, hi)(rng); };
    std::map<std::string, Event> model;
    auto engine = ImportEngine::create(january("Europe/Berlin"));
    REQUIRE(engine.ok());
    const calsync::Instant base = at("2026-01-01T00:00:00Z");
    for (int step = 0; step < 300; ++step) {
        const std::string id = "e" + std::to_string(pick(0, 49));
        const std::string calendar = pick(0, 1) == 0 ? "a" : "b";
        if (pick(0, 3) == 0) {
            engine->remove(calendar, id);
            model.erase(calendar + "/" + id);
        } else {
            Event e;
            e.id = id;
            e.calendar_id = calendar;
            const auto start = base + std::chrono::minutes(15 * pick(0, 2800));
            e.start = EventTime::at_utc(start);
            e.end = EventTime::at_utc(start + std::chrono::minutes(15 * pick(1, 12)));
            if (pick(0, 2) == 0)
                e.recurrence.rrules = {"FREQ=DAILY;COUNT=" + std::to_string(pick(2, 6))};
            if (pick(0, 5) == 0)
                e.status = calsync::EventStatus::cancelled;
            engine->upsert(e);
            model[calendar + "/" + id] = e;
        }
        auto fresh = ImportEngine::create(january("Europe/Berlin"));
        std::vector<Event> all;
        for (const auto& [k, e] : model)
            all.push_back(e);
        fresh->load(all);
        REQUIRE(engine->slots() == fresh->slots());
        REQUIRE(engine->busy() == fresh->busy());
    }
}
