// One external calendar reached through two accounts, and our own exports coming back
// through an import (src/engine/import_engine.cpp, issue 6 item 6). The random model test
// with duplicate calendars is in test_import_engine.cpp.
#include <catch2/catch.hpp>

#include <algorithm>
#include <iterator>

#include "calsync/engine.hpp"
#include "calsync/export_render.hpp"
#include "calsync/ical.hpp"

using calsync::BlockedSlot;
using calsync::BlockingPolicy;
using calsync::Event;
using calsync::EventTime;
using calsync::ImportEngine;

namespace {

calsync::Instant at(const char* text) {
    return calsync::parse_rfc3339(text).value();
}

ImportEngine january() {
    BlockingPolicy p;
    p.window = {at("2026-01-01T00:00:00Z"), at("2026-02-01T00:00:00Z")};
    auto engine = ImportEngine::create(p);
    REQUIRE(engine.ok());
    engine->set_calendar_label("acct1/shared", "Shared (Anna)");
    engine->set_calendar_label("acct2/shared", "Shared (Ben)");
    return std::move(engine).value();
}

// The team calendar's daily stand-up, 5-7 January, as one account's provider returns it.
Event standup(const std::string& calendar, const std::string& id) {
    Event e;
    e.calendar_id = calendar;
    e.id = id;
    e.uid = "standup-42@team.example";
    e.start = EventTime::at_utc(at("2026-01-05T08:00:00Z"));
    e.end = EventTime::at_utc(at("2026-01-05T08:30:00Z"));
    e.recurrence.rrules = {"FREQ=DAILY;COUNT=3"};
    return e;
}

std::vector<std::string> shown(const std::vector<BlockedSlot>& slots) {
    std::vector<std::string> out;
    std::transform(slots.begin(), slots.end(), std::back_inserter(out), [](const BlockedSlot& s) {
        return s.calendar_id + " " + calsync::format_rfc3339(s.range.start) +
               (s.tentative ? " tentative" : "");
    });
    return out;
}

}  // namespace

TEST_CASE("one calendar through two accounts blocks once", "[engine][copies]") {
    ImportEngine engine = january();
    const auto first = engine.upsert(standup("acct2/shared", "href-b"));
    CHECK(first.added.size() == 3);
    // The first account's copy ranks first (calendar id): the slots move over to it.
    const auto second = engine.upsert(standup("acct1/shared", "href-a"));
    CHECK(shown(second.removed) == std::vector<std::string>{"acct2/shared 2026-01-05T08:00:00Z",
                                                            "acct2/shared 2026-01-06T08:00:00Z",
                                                            "acct2/shared 2026-01-07T08:00:00Z"});
    CHECK(shown(second.added) == std::vector<std::string>{"acct1/shared 2026-01-05T08:00:00Z",
                                                          "acct1/shared 2026-01-06T08:00:00Z",
                                                          "acct1/shared 2026-01-07T08:00:00Z"});
    REQUIRE(engine.slot_count() == 3);
    const auto slots = engine.slots();
    REQUIRE(slots.size() == 3);
    CHECK(slots[0].label == "Shared (Anna)");
    CHECK(slots[0].event_id == "href-a");
    CHECK(engine.busy().size() == 3);

    SECTION("the same copy again changes nothing") {
        const auto again = engine.upsert(standup("acct2/shared", "href-b"));
        CHECK(again.added.empty());
        CHECK(again.removed.empty());
    }
    SECTION("disconnecting the account not shown keeps every slot, silently") {
        const auto diff = engine.remove_calendar("acct2/shared");
        CHECK(diff.removed.empty());
        CHECK(diff.added.empty());
        CHECK(engine.slot_count() == 3);
    }
    SECTION("disconnecting the account shown hands the slots to the other copy") {
        const auto diff = engine.remove_calendar("acct1/shared");
        CHECK(diff.removed.size() == 3);
        REQUIRE(diff.added.size() == 3);
        CHECK(diff.added[0].label == "Shared (Ben)");
        for (std::size_t i = 0; i < 3; ++i)
            CHECK(diff.added[i].range == diff.removed[i].range);
        CHECK(engine.slot_count() == 3);
        CHECK(engine.busy().size() == 3);
    }
    SECTION("a slot leaves only when its last copy goes") {
        CHECK(engine.remove("acct2/shared", "href-b").removed.empty());
        const auto last = engine.remove("acct1/shared", "href-a");
        CHECK(last.removed.size() == 3);
        CHECK(last.added.empty());
        CHECK(engine.slot_count() == 0);
        CHECK(engine.busy().empty());
    }
    SECTION("an instance cancelled in one copy stays blocked by the other, until both agree") {
        Event cancelled_one = standup("acct1/shared", "href-a");
        Event off = cancelled_one;
        off.recurrence = {};
        off.recurrence_id = EventTime::at_utc(at("2026-01-06T08:00:00Z"));
        off.start = EventTime::at_utc(at("2026-01-06T08:00:00Z"));
        off.end = EventTime::at_utc(at("2026-01-06T08:30:00Z"));
        off.status = calsync::EventStatus::cancelled;
        cancelled_one.overrides = {off};
        const auto diff = engine.upsert(cancelled_one);
        // The 6th is now shown from the second account's copy.
        CHECK(shown(diff.removed) == std::vector<std::string>{"acct1/shared 2026-01-06T08:00:00Z"});
        CHECK(shown(diff.added) == std::vector<std::string>{"acct2/shared 2026-01-06T08:00:00Z"});
        Event cancelled_two = cancelled_one;
        cancelled_two.calendar_id = "acct2/shared";
        cancelled_two.id = "href-b";
        const auto caught_up = engine.upsert(cancelled_two);
        CHECK(shown(caught_up.removed) ==
              std::vector<std::string>{"acct2/shared 2026-01-06T08:00:00Z"});
        CHECK(caught_up.added.empty());
        CHECK(engine.slot_count() == 2);
    }
}

TEST_CASE("copies that disagree block both ranges until they agree", "[engine][copies]") {
    ImportEngine engine = january();
    Event first = standup("acct1/shared", "href-a");
    first.recurrence = {};
    Event second = first;
    second.calendar_id = "acct2/shared";
    second.id = "href-b";
    engine.load({first, second});
    CHECK(engine.slot_count() == 1);
    // The organiser moved it an hour later; only the first account has synced.
    first.start = EventTime::at_utc(at("2026-01-05T09:00:00Z"));
    first.end = EventTime::at_utc(at("2026-01-05T09:30:00Z"));
    const auto moved = engine.upsert(first);
    CHECK(shown(moved.removed) == std::vector<std::string>{"acct1/shared 2026-01-05T08:00:00Z"});
    CHECK(shown(moved.added) == std::vector<std::string>{"acct2/shared 2026-01-05T08:00:00Z",
                                                         "acct1/shared 2026-01-05T09:00:00Z"});
    CHECK(engine.slot_count() == 2);
    second.start = first.start;
    second.end = first.end;
    const auto caught_up = engine.upsert(second);
    CHECK(shown(caught_up.removed) ==
          std::vector<std::string>{"acct2/shared 2026-01-05T08:00:00Z"});
    CHECK(caught_up.added.empty());
    CHECK(engine.slot_count() == 1);
}

TEST_CASE("a firm copy is shown before a tentative one", "[engine][copies]") {
    ImportEngine engine = january();
    Event answered = standup("acct2/shared", "href-b");
    Event unanswered = standup("acct1/shared", "href-a");
    // Anna has not answered the invitation; Ben accepted it.
    unanswered.owner_response = calsync::Response::needs_action;
    answered.owner_response = calsync::Response::accepted;
    engine.load({unanswered, answered});
    const auto slots = engine.slots();
    REQUIRE(slots.size() == 3);
    for (const auto& s : slots) {
        CHECK_FALSE(s.tentative);
        CHECK(s.calendar_id == "acct2/shared");
    }
}

TEST_CASE("events without a UID, or with different UIDs, are never merged", "[engine][copies]") {
    ImportEngine engine = january();
    Event a = standup("acct1/shared", "x");
    Event b = standup("acct2/shared", "y");
    a.uid.clear();
    b.uid.clear();
    Event c = standup("acct2/shared", "z");
    c.uid = "another@team.example";
    engine.load({a, b, c});
    CHECK(engine.slot_count() == 9);
}

TEST_CASE("an event whose UID changes moves between copy groups", "[engine][copies]") {
    ImportEngine engine = january();
    engine.upsert(standup("acct1/shared", "href-a"));
    Event renamed = standup("acct2/shared", "href-b");
    engine.upsert(renamed);
    CHECK(engine.slot_count() == 3);
    renamed.uid = "standup-43@team.example";
    const auto diff = engine.upsert(renamed);
    CHECK(diff.removed.empty());
    CHECK(diff.added.size() == 3);
    CHECK(engine.slot_count() == 6);
    renamed.uid.clear();
    const auto cleared = engine.upsert(renamed);
    CHECK(cleared.removed.empty());
    CHECK(cleared.added.empty());
    CHECK(engine.slot_count() == 6);
}

// Our exports carry the marker in every shape a provider normalises them into; none of
// them may block the slot of the appointment it mirrors.
TEST_CASE("events calsync exported never block, in any provider's shape", "[engine][copies]") {
    ImportEngine engine = january();
    calsync::Appointment appointment;
    appointment.id = "appt-7";
    appointment.time = {at("2026-01-08T10:00:00Z"), at("2026-01-08T11:00:00Z")};
    appointment.client = "Jane Doe";
    appointment.service = "Oil change";
    calsync::ExportOptions options;
    options.uid_domain = "garage.example";
    const Event rendered = calsync::render_export(appointment, options);

    SECTION("written as iCalendar and read back (CalDAV, ICS feeds)") {
        const std::string text = calsync::write_ics(rendered, at("2026-01-01T00:00:00Z"));
        auto cal = calsync::read_ics(text, calsync::IcsReadOptions{"acct1/shared", {}});
        REQUIRE(cal.ok());
        REQUIRE(cal->events.size() == 1);
        CHECK(cal->events[0].export_marker == "appt-7");
        engine.load(cal->events);
        CHECK(engine.slot_count() == 0);
    }
    SECTION("a marked event as a JSON provider gives it, in two accounts at once") {
        Event google = rendered;
        google.calendar_id = "acct1/shared";
        google.id = "calsyncappt7";
        Event graph = rendered;
        graph.calendar_id = "acct2/shared";
        graph.id = "AAMkAGI2";
        engine.load({google, graph});
        CHECK(engine.slot_count() == 0);
        CHECK(engine.busy().empty());
    }
    SECTION("a marked series whose override the user moved") {
        Event series = rendered;
        series.calendar_id = "acct1/shared";
        series.id = "s";
        series.recurrence.rrules = {"FREQ=DAILY;COUNT=3"};
        Event moved;
        moved.calendar_id = series.calendar_id;
        moved.id = series.id;
        moved.recurrence_id = EventTime::at_utc(at("2026-01-09T10:00:00Z"));
        moved.start = EventTime::at_utc(at("2026-01-09T14:00:00Z"));
        moved.end = EventTime::at_utc(at("2026-01-09T15:00:00Z"));
        series.overrides = {moved};
        CHECK(engine.upsert(series).added.empty());
        CHECK(engine.slot_count() == 0);
    }
    SECTION("a marked all-day event") {
        Event all_day = rendered;
        all_day.calendar_id = "acct1/shared";
        all_day.id = "d";
        all_day.start = EventTime::all_day({2026, 1, 8});
        all_day.end.reset();
        CHECK(engine.upsert(all_day).added.empty());
    }
    SECTION("the unmarked event next to it still blocks") {
        Event other = rendered;
        other.calendar_id = "acct1/shared";
        other.id = "other";
        other.uid = "dentist@example.com";
        other.export_marker.clear();
        CHECK(engine.upsert(other).added.size() == 1);
    }
}
