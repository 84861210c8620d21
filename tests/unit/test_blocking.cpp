// What blocks (src/engine/blocking.cpp): decide_block, may_block and per-calendar policy.
#include <catch2/catch.hpp>

#include "calsync/engine.hpp"

using calsync::BlockingPolicy;
using calsync::CalendarPolicy;
using calsync::Event;
using calsync::EventStatus;
using calsync::EventTime;
using calsync::ImportEngine;
using calsync::Occurrence;
using calsync::Response;
using calsync::Transparency;

namespace {

calsync::Instant at(const char* text) {
    return calsync::parse_rfc3339(text).value();
}

Occurrence occurrence() {
    Occurrence o;
    o.range = {at("2026-01-05T09:00:00Z"), at("2026-01-05T10:00:00Z")};
    return o;
}

Occurrence with(EventStatus status, Response response, bool all_day = false) {
    Occurrence o = occurrence();
    o.status = status;
    o.owner_response = response;
    o.all_day = all_day;
    return o;
}

CalendarPolicy policy(bool tentative, bool unanswered, bool all_day) {
    CalendarPolicy p;
    p.tentative_blocks = tentative;
    p.unanswered_blocks = unanswered;
    p.all_day_blocks = all_day;
    return p;
}

BlockingPolicy january() {
    BlockingPolicy p;
    p.window = {at("2026-01-01T00:00:00Z"), at("2026-02-01T00:00:00Z")};
    return p;
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

TEST_CASE("never-blocking kinds win over every policy", "[engine]") {
    // Even the most permissive policy, and even on an accepted all-day tentative event.
    const bool tentative = GENERATE(true, false);
    const bool unanswered = GENERATE(true, false);
    const bool all_day = GENERATE(true, false);
    const CalendarPolicy p = policy(tentative, unanswered, all_day);
    Event plain;
    Event exported;
    exported.export_marker = "appt-9";

    SECTION("cancelled") {
        for (Response r : {Response::none, Response::accepted, Response::needs_action})
            CHECK_FALSE(calsync::decide_block(plain, with(EventStatus::cancelled, r), p).blocks);
    }
    SECTION("transparent") {
        Occurrence o = with(EventStatus::confirmed, Response::accepted);
        o.transparency = Transparency::transparent;
        CHECK_FALSE(calsync::decide_block(plain, o, p).blocks);
    }
    SECTION("declined by the owner, even when the organiser confirmed it") {
        CHECK_FALSE(
            calsync::decide_block(plain, with(EventStatus::confirmed, Response::declined), p)
                .blocks);
        CHECK_FALSE(
            calsync::decide_block(plain, with(EventStatus::tentative, Response::declined), p)
                .blocks);
    }
    SECTION("our own export, even confirmed and accepted") {
        CHECK_FALSE(calsync::decide_block(exported, with(EventStatus::confirmed, Response::none), p)
                        .blocks);
        CHECK_FALSE(
            calsync::decide_block(exported, with(EventStatus::confirmed, Response::accepted), p)
                .blocks);
        CHECK_FALSE(calsync::decide_block(exported,
                                          with(EventStatus::confirmed, Response::none,
                                               /*all_day=*/true),
                                          p)
                        .blocks);
    }
}

TEST_CASE("tentative events and answers", "[engine]") {
    const Event e;
    SECTION("a confirmed event the owner accepted blocks firmly") {
        const auto d =
            calsync::decide_block(e, with(EventStatus::confirmed, Response::accepted), {});
        CHECK(d.blocks);
        CHECK_FALSE(d.tentative);
    }
    SECTION("tentatively accepted blocks as tentative by default") {
        const auto d =
            calsync::decide_block(e, with(EventStatus::confirmed, Response::tentative), {});
        CHECK(d.blocks);
        CHECK(d.tentative);
    }
    SECTION("tentative status blocks as tentative even when the owner accepted") {
        const auto d =
            calsync::decide_block(e, with(EventStatus::tentative, Response::accepted), {});
        CHECK(d.blocks);
        CHECK(d.tentative);
    }
    SECTION("with tentative_blocks off, neither kind of tentative blocks") {
        const CalendarPolicy p = policy(false, true, true);
        CHECK_FALSE(
            calsync::decide_block(e, with(EventStatus::tentative, Response::none), p).blocks);
        CHECK_FALSE(
            calsync::decide_block(e, with(EventStatus::tentative, Response::accepted), p).blocks);
        CHECK_FALSE(
            calsync::decide_block(e, with(EventStatus::confirmed, Response::tentative), p).blocks);
        // ...but firm events still do.
        CHECK(calsync::decide_block(e, with(EventStatus::confirmed, Response::accepted), p).blocks);
    }
    SECTION("a tentative event stays tentative when the invitation is also unanswered") {
        // The organiser marked it tentative: tentative_blocks=false must keep it out even
        // though unanswered invitations are allowed to block.
        const CalendarPolicy p = policy(false, true, true);
        CHECK_FALSE(
            calsync::decide_block(e, with(EventStatus::tentative, Response::needs_action), p)
                .blocks);
    }
    SECTION("an all-day tentative event needs both all_day_blocks and tentative_blocks") {
        CHECK(calsync::decide_block(e, with(EventStatus::tentative, Response::none, true), {})
                  .blocks);
        CHECK_FALSE(calsync::decide_block(e, with(EventStatus::tentative, Response::none, true),
                                          policy(false, true, true))
                        .blocks);
        CHECK_FALSE(calsync::decide_block(e, with(EventStatus::tentative, Response::none, true),
                                          policy(true, true, false))
                        .blocks);
    }
}

TEST_CASE("unanswered invitations", "[engine]") {
    const Event e;
    const Occurrence o = with(EventStatus::confirmed, Response::needs_action);
    CHECK(calsync::decide_block(e, o, policy(true, true, true)).blocks);
    // Unanswered is its own switch, not a kind of tentative.
    CHECK(calsync::decide_block(e, o, policy(false, true, true)).blocks);
    CHECK_FALSE(calsync::decide_block(e, o, policy(true, false, true)).blocks);
    // An all-day invitation needs both switches.
    CHECK_FALSE(calsync::decide_block(e, with(EventStatus::confirmed, Response::needs_action, true),
                                      policy(true, true, false))
                    .blocks);
}

TEST_CASE("the occurrence decides, not the master it came from", "[engine]") {
    // An override can confirm one instance of a cancelled or free series; expand_event
    // carries the override's fields on that occurrence.
    Event master;
    master.status = EventStatus::cancelled;
    master.transparency = Transparency::transparent;
    CHECK(calsync::decide_block(master, with(EventStatus::confirmed, Response::none), {}).blocks);
}

TEST_CASE("may_block: series that can never block are not worth expanding", "[engine]") {
    Event e;
    e.id = "e";
    e.start = EventTime::at_utc(at("2026-01-05T09:00:00Z"));
    e.recurrence.rrules = {"FREQ=DAILY"};
    const CalendarPolicy defaults;

    SECTION("an ordinary series may block") {
        CHECK(calsync::may_block(e, defaults));
    }
    SECTION("transparent, cancelled, declined or exported series cannot") {
        Event t = e;
        t.transparency = Transparency::transparent;
        CHECK_FALSE(calsync::may_block(t, defaults));
        Event c = e;
        c.status = EventStatus::cancelled;
        CHECK_FALSE(calsync::may_block(c, defaults));
        Event d = e;
        d.owner_response = Response::declined;
        CHECK_FALSE(calsync::may_block(d, defaults));
        Event x = e;
        x.export_marker = "appt-3";
        CHECK_FALSE(calsync::may_block(x, defaults));
    }
    SECTION("an all-day series cannot when all-day events do not block") {
        Event a = e;
        a.start = EventTime::all_day({2026, 1, 5});
        CHECK(calsync::may_block(a, defaults));
        CHECK_FALSE(calsync::may_block(a, policy(true, true, false)));
    }
    SECTION("a free series with one busy override may block") {
        Event t = e;
        t.transparency = Transparency::transparent;
        Event busy_instance = e;
        busy_instance.recurrence.rrules.clear();
        busy_instance.recurrence_id = EventTime::at_utc(at("2026-01-07T09:00:00Z"));
        busy_instance.transparency = Transparency::opaque;
        t.overrides = {busy_instance};
        CHECK(calsync::may_block(t, defaults));
    }
    SECTION("an exported series cannot, whatever its overrides say") {
        Event x = e;
        x.export_marker = "appt-3";
        Event instance = e;
        instance.recurrence.rrules.clear();
        instance.recurrence_id = EventTime::at_utc(at("2026-01-07T09:00:00Z"));
        x.overrides = {instance};
        CHECK_FALSE(calsync::may_block(x, defaults));
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

TEST_CASE("for_calendar: an override replaces the defaults for that calendar only", "[engine]") {
    BlockingPolicy p;
    SECTION("with no overrides every calendar gets the defaults, which block everything") {
        const CalendarPolicy& any = p.for_calendar("anything");
        CHECK(any.tentative_blocks);
        CHECK(any.unanswered_blocks);
        CHECK(any.all_day_blocks);
    }
    SECTION("an override is the whole policy of its calendar") {
        p.defaults = policy(false, false, false);
        p.calendars["family"] = policy(true, false, true);
        const CalendarPolicy& family = p.for_calendar("family");
        CHECK(family.tentative_blocks);
        CHECK_FALSE(family.unanswered_blocks);
        CHECK(family.all_day_blocks);
        const CalendarPolicy& work = p.for_calendar("work");
        CHECK_FALSE(work.tentative_blocks);
        CHECK_FALSE(work.all_day_blocks);
        // Ids are exact: no prefix or case folding.
        CHECK_FALSE(p.for_calendar("Family").tentative_blocks);
        CHECK_FALSE(p.for_calendar("family2").tentative_blocks);
    }
    SECTION("the engine applies each calendar's own switch") {
        BlockingPolicy q = january();
        q.calendars["strict"] = policy(false, true, true);
        auto engine = ImportEngine::create(q);
        REQUIRE(engine.ok());
        Event t;
        t.id = "t";
        t.calendar_id = "strict";
        t.start = EventTime::at_utc(at("2026-01-05T09:00:00Z"));
        t.end = EventTime::at_utc(at("2026-01-05T10:00:00Z"));
        t.status = EventStatus::tentative;
        Event u = t;
        u.calendar_id = "relaxed";
        engine->load({t, u});
        const auto slots = engine->slots();
        REQUIRE(slots.size() == 1);
        CHECK(slots[0].calendar_id == "relaxed");
        CHECK(slots[0].tentative);
    }
}
