// The incremental import engine (src/engine/import_engine.cpp, busy_timeline.cpp); what
// blocks is in test_blocking.cpp.
#include <catch2/catch.hpp>
#include <random>
#include <tuple>

#include "calsync/availability.hpp"
#include "calsync/engine.hpp"
#include "calsync/ical.hpp"
#include "random_events.hpp"

using calsync::BlockingPolicy;
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

}  // namespace

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

namespace {

// Every field, so a slot that only turned tentative counts as changed.
bool slot_less(const calsync::BlockedSlot& a, const calsync::BlockedSlot& b) {
    return std::tie(a.range.start, a.range.end, a.calendar_id, a.event_id, a.recurrence_id, a.label,
                    a.all_day, a.tentative) < std::tie(b.range.start, b.range.end, b.calendar_id,
                                                       b.event_id, b.recurrence_id, b.label,
                                                       b.all_day, b.tentative);
}

std::vector<calsync::BlockedSlot> sorted(std::vector<calsync::BlockedSlot> v) {
    std::sort(v.begin(), v.end(), slot_less);
    return v;
}

std::vector<calsync::BlockedSlot> minus(const std::vector<calsync::BlockedSlot>& a,
                                        const std::vector<calsync::BlockedSlot>& b) {
    const auto sa = sorted(a);
    const auto sb = sorted(b);
    std::vector<calsync::BlockedSlot> out;
    std::set_difference(sa.begin(), sa.end(), sb.begin(), sb.end(), std::back_inserter(out),
                        slot_less);
    return out;
}

using ErrorKey = std::tuple<std::string, std::string, std::string>;

std::vector<ErrorKey> error_keys(const ImportEngine& engine) {
    std::vector<ErrorKey> out;
    for (const auto& e : engine.errors())
        out.emplace_back(e.calendar_id, e.event_id, e.message);
    std::sort(out.begin(), out.end());
    return out;
}

std::vector<calsync::TimeRange> slot_ranges(const ImportEngine& engine) {
    std::vector<calsync::TimeRange> out;
    for (const auto& s : engine.slots())
        out.push_back(s.range);
    return out;
}

// Around the spring change; calendar "b" is stricter than the default.
BlockingPolicy spring() {
    BlockingPolicy p;
    p.business_zone = "Europe/Berlin";
    p.window = {at("2026-03-15T00:00:00Z"), at("2026-04-15T00:00:00Z")};
    calsync::CalendarPolicy strict;
    strict.tentative_blocks = false;
    strict.all_day_blocks = false;
    strict.unanswered_blocks = false;
    p.calendars["b"] = strict;
    return p;
}

ImportEngine labelled(const BlockingPolicy& p) {
    auto engine = ImportEngine::create(p);
    REQUIRE(engine.ok());
    engine->set_calendar_label("a", "Alpha");
    engine->set_calendar_label("b", "Beta");
    return std::move(engine).value();
}

}  // namespace

TEST_CASE("the event factory's origin is 2026-03-10T00:00:00", "[engine]") {
    CHECK(calsync::civil_seconds({{2026, 3, 10}, 0, 0, 0}) == 1773100800);
}

TEST_CASE("an engine needs a real business zone", "[engine]") {
    BlockingPolicy p = january("Europe/Atlantis");
    auto engine = ImportEngine::create(p);
    REQUIRE_FALSE(engine.ok());
    CHECK(engine.error().code == calsync::ErrorCode::unknown_zone);
    CHECK_THAT(engine.error().message, Catch::Contains("Europe/Atlantis"));
}

TEST_CASE("an iCalendar calendar through the engine", "[engine]") {
    // The owner is owner@garage.example; Berlin is UTC+1 in January.
    const std::string ics =
        "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//calsync tests//EN\r\n"
        "X-WR-CALNAME:Werkstatt\r\n"
        "BEGIN:VEVENT\r\nUID:firm\r\nDTSTART;TZID=Europe/Berlin:20260105T090000\r\n"
        "DTEND;TZID=Europe/Berlin:20260105T100000\r\nEND:VEVENT\r\n"
        "BEGIN:VEVENT\r\nUID:maybe\r\nDTSTART:20260106T090000Z\r\nDTEND:20260106T100000Z\r\n"
        "ATTENDEE;PARTSTAT=TENTATIVE:mailto:owner@garage.example\r\nEND:VEVENT\r\n"
        "BEGIN:VEVENT\r\nUID:declined\r\nDTSTART:20260107T090000Z\r\n"
        "DTEND:20260107T100000Z\r\n"
        "ATTENDEE;PARTSTAT=DECLINED:mailto:OWNER@garage.example\r\nEND:VEVENT\r\n"
        "BEGIN:VEVENT\r\nUID:free\r\nDTSTART:20260108T090000Z\r\nDTEND:20260108T100000Z\r\n"
        "TRANSP:TRANSPARENT\r\nEND:VEVENT\r\n"
        "BEGIN:VEVENT\r\nUID:off\r\nDTSTART:20260109T090000Z\r\nDTEND:20260109T100000Z\r\n"
        "STATUS:CANCELLED\r\nEND:VEVENT\r\n"
        "BEGIN:VEVENT\r\nUID:ours\r\nDTSTART:20260112T090000Z\r\nDTEND:20260112T100000Z\r\n"
        "X-CALSYNC-APPOINTMENT-ID:appt-5\r\nEND:VEVENT\r\n"
        "BEGIN:VEVENT\r\nUID:weekly\r\nDTSTART:20260113T150000Z\r\nDTEND:20260113T160000Z\r\n"
        "RRULE:FREQ=WEEKLY;COUNT=3\r\nEND:VEVENT\r\n"
        "BEGIN:VEVENT\r\nUID:weekly\r\nRECURRENCE-ID:20260120T150000Z\r\nSTATUS:CANCELLED\r\n"
        "DTSTART:20260120T150000Z\r\nDTEND:20260120T160000Z\r\nEND:VEVENT\r\n"
        "BEGIN:VEVENT\r\nUID:holiday\r\nDTSTART;VALUE=DATE:20260130\r\nEND:VEVENT\r\n"
        "END:VCALENDAR\r\n";
    auto cal = calsync::read_ics(ics, calsync::IcsReadOptions{"shop", {"owner@garage.example"}});
    REQUIRE(cal.ok());
    REQUIRE(cal->errors.empty());
    auto engine = ImportEngine::create(january("Europe/Berlin"));
    REQUIRE(engine.ok());
    engine->set_calendar_label("shop", cal->name);
    engine->load(cal->events);

    const auto slots = engine->slots();
    std::vector<std::string> got;
    for (const auto& s : slots) {
        got.push_back(s.event_id + " " + calsync::format_rfc3339(s.range.start) + "/" +
                      calsync::format_rfc3339(s.range.end) + (s.tentative ? " tentative" : "") +
                      (s.all_day ? " all-day" : ""));
        CHECK(s.label == "Werkstatt");
        CHECK(s.calendar_id == "shop");
    }
    CHECK(got ==
          std::vector<std::string>{"firm 2026-01-05T08:00:00Z/2026-01-05T09:00:00Z",
                                   "maybe 2026-01-06T09:00:00Z/2026-01-06T10:00:00Z tentative",
                                   "weekly 2026-01-13T15:00:00Z/2026-01-13T16:00:00Z",
                                   // 20 January is cancelled by its override.
                                   "weekly 2026-01-27T15:00:00Z/2026-01-27T16:00:00Z",
                                   // 30 January in Berlin.
                                   "holiday 2026-01-29T23:00:00Z/2026-01-30T23:00:00Z all-day"});
    REQUIRE(slots.size() == 5);
    CHECK(calsync::format_rfc3339(slots[3].recurrence_id) == "2026-01-27T15:00:00Z");
}

TEST_CASE("slots are ordered by start, then calendar, then event", "[engine]") {
    auto engine = ImportEngine::create(january());
    REQUIRE(engine.ok());
    engine->load({timed("b", "x", "2026-01-05T09:00:00Z", "2026-01-05T10:00:00Z"),
                  timed("a", "y", "2026-01-05T09:00:00Z", "2026-01-05T10:00:00Z"),
                  timed("a", "b", "2026-01-05T09:00:00Z", "2026-01-05T10:00:00Z"),
                  timed("c", "z", "2026-01-05T08:00:00Z", "2026-01-05T12:00:00Z")});
    std::vector<std::string> order;
    for (const auto& s : engine->slots())
        order.push_back(s.calendar_id + "/" + s.event_id);
    CHECK(order == std::vector<std::string>{"c/z", "a/b", "a/y", "b/x"});
    CHECK(busy_strings(*engine) ==
          std::vector<std::string>{"2026-01-05T08:00:00Z/2026-01-05T12:00:00Z"});
}

TEST_CASE("busy intervals of different calendars that touch become one", "[engine]") {
    auto engine = ImportEngine::create(january());
    REQUIRE(engine.ok());
    engine->upsert(timed("a", "1", "2026-01-05T09:00:00Z", "2026-01-05T10:00:00Z"));
    engine->upsert(timed("b", "2", "2026-01-05T10:00:00Z", "2026-01-05T11:00:00Z"));
    engine->upsert(timed("c", "3", "2026-01-05T11:30:00Z", "2026-01-05T12:00:00Z"));
    CHECK(busy_strings(*engine) ==
          std::vector<std::string>{"2026-01-05T09:00:00Z/2026-01-05T11:00:00Z",
                                   "2026-01-05T11:30:00Z/2026-01-05T12:00:00Z"});
    SECTION("removing the middle piece splits them again") {
        engine->remove("b", "2");
        CHECK(busy_strings(*engine) ==
              std::vector<std::string>{"2026-01-05T09:00:00Z/2026-01-05T10:00:00Z",
                                       "2026-01-05T11:30:00Z/2026-01-05T12:00:00Z"});
    }
    SECTION("two identical events on two calendars: removing one keeps the time busy") {
        engine->upsert(timed("d", "4", "2026-01-05T11:30:00Z", "2026-01-05T12:00:00Z"));
        engine->remove("c", "3");
        CHECK(busy_strings(*engine).back() == "2026-01-05T11:30:00Z/2026-01-05T12:00:00Z");
    }
}

TEST_CASE("an event straddling the window edge still blocks", "[engine]") {
    auto engine = ImportEngine::create(january());
    REQUIRE(engine.ok());
    engine->load({timed("a", "new-year", "2025-12-31T22:00:00Z", "2026-01-01T02:00:00Z"),
                  timed("a", "late", "2026-01-31T23:00:00Z", "2026-02-01T03:00:00Z"),
                  timed("a", "before", "2025-12-31T20:00:00Z", "2026-01-01T00:00:00Z")});
    const auto slots = engine->slots();
    REQUIRE(slots.size() == 2);
    CHECK(slots[0].event_id == "new-year");
    CHECK(slots[1].event_id == "late");
    const calsync::AvailabilityIndex index(engine->busy());
    CHECK_FALSE(index.is_free({at("2026-01-01T00:00:00Z"), at("2026-01-01T00:15:00Z")}));
    CHECK_FALSE(index.is_free({at("2026-01-31T23:30:00Z"), at("2026-01-31T23:45:00Z")}));
}

TEST_CASE("no-op changes are empty diffs", "[engine]") {
    auto engine = ImportEngine::create(january());
    REQUIRE(engine.ok());
    Event series = timed("c", "s", "2026-01-05T09:00:00Z", "2026-01-05T10:00:00Z");
    series.recurrence.rrules = {"FREQ=DAILY;COUNT=3"};
    const auto first = engine->upsert(series);
    CHECK(first.added.size() == 3);
    CHECK(first.removed.empty());
    SECTION("the same event again") {
        const auto again = engine->upsert(series);
        CHECK(again.added.empty());
        CHECK(again.removed.empty());
    }
    SECTION("a change to a field that does not affect blocking") {
        series.summary = "renamed";
        series.etag = "\"2\"";
        const auto diff = engine->upsert(series);
        CHECK(diff.added.empty());
        CHECK(diff.removed.empty());
    }
    SECTION("removing what is not there") {
        CHECK(engine->remove("c", "nope").removed.empty());
        CHECK(engine->remove("other", "s").removed.empty());
        CHECK(engine->remove_calendar("other").removed.empty());
        CHECK(engine->slot_count() == 3);
    }
    SECTION("turning tentative changes every slot's flag") {
        series.status = calsync::EventStatus::tentative;
        const auto diff = engine->upsert(series);
        REQUIRE(diff.added.size() == 3);
        CHECK(diff.removed.size() == 3);
        CHECK(diff.added[0].tentative);
        CHECK(busy_strings(*engine).size() == 3);
    }
}

TEST_CASE("events are keyed by calendar and id together", "[engine]") {
    auto engine = ImportEngine::create(january());
    REQUIRE(engine.ok());
    engine->upsert(timed("a", "x", "2026-01-05T09:00:00Z", "2026-01-05T10:00:00Z"));
    engine->upsert(timed("b", "x", "2026-01-06T09:00:00Z", "2026-01-06T10:00:00Z"));
    CHECK(engine->slot_count() == 2);
    const auto diff = engine->remove("a", "x");
    REQUIRE(diff.removed.size() == 1);
    CHECK(diff.removed[0].calendar_id == "a");
    REQUIRE(engine->slot_count() == 1);
    CHECK(engine->slots()[0].calendar_id == "b");
}

TEST_CASE("remove_calendar reports exactly that calendar's slots", "[engine]") {
    auto engine = ImportEngine::create(january());
    REQUIRE(engine.ok());
    engine->set_calendar_label("a", "Alpha");
    Event series = timed("a", "s", "2026-01-05T09:00:00Z", "2026-01-05T10:00:00Z");
    series.recurrence.rrules = {"FREQ=DAILY;COUNT=3"};
    engine->load({series, timed("a", "x", "2026-01-10T09:00:00Z", "2026-01-10T10:00:00Z"),
                  timed("b", "y", "2026-01-05T09:30:00Z", "2026-01-05T10:30:00Z")});
    const auto before = engine->slots();
    const auto diff = engine->remove_calendar("a");
    CHECK(diff.added.empty());
    CHECK(sorted(diff.removed) == sorted(minus(before, engine->slots())));
    CHECK(diff.removed.size() == 4);
    for (const auto& s : diff.removed)
        CHECK(s.label == "Alpha");
    CHECK(busy_strings(*engine) ==
          std::vector<std::string>{"2026-01-05T09:30:00Z/2026-01-05T10:30:00Z"});
}

TEST_CASE("a label set after loading shows on every slot of that calendar", "[engine]") {
    auto engine = ImportEngine::create(january());
    REQUIRE(engine.ok());
    engine->load({timed("a", "x", "2026-01-05T09:00:00Z", "2026-01-05T10:00:00Z")});
    CHECK(engine->slots()[0].label == "a");
    engine->set_calendar_label("a", "Family");
    CHECK(engine->slots()[0].label == "Family");
}

TEST_CASE("errors follow the latest version of each event", "[engine]") {
    auto engine = ImportEngine::create(january());
    REQUIRE(engine.ok());
    Event e = timed("a", "e", "2026-01-05T09:00:00Z", "2026-01-05T10:00:00Z");
    e.recurrence.rrules = {"FREQ=DAILY;COUNT=2"};
    engine->upsert(e);
    e.recurrence.rrules = {"FREQ=EVERY"};
    engine->upsert(e);
    REQUIRE(engine->errors().size() == 1);
    CHECK(engine->errors()[0].calendar_id == "a");
    CHECK(engine->slot_count() == 0);
    SECTION("a readable version clears the error and brings the slots back") {
        e.recurrence.rrules = {"FREQ=DAILY;COUNT=2"};
        const auto diff = engine->upsert(e);
        CHECK(diff.added.size() == 2);
        CHECK(engine->errors().empty());
    }
    SECTION("removing the event clears its error") {
        engine->remove("a", "e");
        CHECK(engine->errors().empty());
    }
    SECTION("removing its calendar clears its error") {
        engine->remove_calendar("a");
        CHECK(engine->errors().empty());
    }
}

TEST_CASE("load() equals upserting the same events one by one", "[engine]") {
    calsync::test::EventFactory factory(424242);
    std::vector<Event> events;
    for (int i = 0; i < 60; ++i)
        events.push_back(factory.make(i % 3 == 0   ? "a"
                                      : i % 3 == 1 ? "b"
                                                   : "c",
                                      "e" + std::to_string(i)));
    ImportEngine loaded = labelled(spring());
    loaded.load(events);
    ImportEngine upserted = labelled(spring());
    for (const Event& e : events)
        upserted.upsert(e);
    REQUIRE(loaded.slot_count() > 30);  // the data really exercises the engine
    CHECK(loaded.slots() == upserted.slots());
    CHECK(loaded.busy() == upserted.busy());
    CHECK(error_keys(loaded) == error_keys(upserted));
    CHECK(loaded.busy() == calsync::merge_intervals(slot_ranges(loaded)));

    SECTION("also when load() replaces events the engine already holds") {
        std::vector<Event> second;
        for (int i = 0; i < 60; i += 2)
            second.push_back(factory.make(i % 3 == 0   ? "a"
                                          : i % 3 == 1 ? "b"
                                                       : "c",
                                          "e" + std::to_string(i)));
        loaded.load(second);
        for (const Event& e : second)
            upserted.upsert(e);
        CHECK(loaded.slots() == upserted.slots());
        CHECK(loaded.busy() == upserted.busy());
        CHECK(error_keys(loaded) == error_keys(upserted));
    }
}

namespace {

// The copy rule of ImportEngine, applied independently of it: every copy's slots from an
// engine that merges nothing (UIDs cleared), then one slot per UID, instance and range,
// from the copy that ranks first (firm, then calendar id, then event id).
std::vector<calsync::BlockedSlot> one_per_copy(const BlockingPolicy& policy,
                                               std::vector<Event> events) {
    std::map<std::pair<std::string, std::string>, std::string> uid_of;
    for (Event& e : events) {
        uid_of[{e.calendar_id, e.id}] = e.uid;
        e.uid.clear();
    }
    ImportEngine every_copy = labelled(policy);
    every_copy.load(events);
    using Key = std::tuple<std::string, calsync::Instant, calsync::Instant, calsync::Instant>;
    std::map<Key, calsync::BlockedSlot> first;
    std::vector<calsync::BlockedSlot> out;
    for (const auto& s : every_copy.slots()) {
        const std::string& uid = uid_of[{s.calendar_id, s.event_id}];
        if (uid.empty()) {
            out.push_back(s);
            continue;
        }
        auto [it, inserted] =
            first.try_emplace(Key{uid, s.range.start, s.range.end, s.recurrence_id}, s);
        if (!inserted &&
            std::tie(s.tentative, s.calendar_id, s.event_id) <
                std::tie(it->second.tentative, it->second.calendar_id, it->second.event_id))
            it->second = s;
    }
    for (const auto& [key, s] : first)
        out.push_back(s);
    std::sort(out.begin(), out.end());
    return out;
}

}  // namespace

// The model test of the design: a seeded random sequence of upserts and removals on ~50
// varied events. After every step the engine equals a clean recompute, and the diff it
// returned is exactly what changed in slots().
// Duplicate calendars: most events carry a UID shared by the same id in calendars a, b
// and c (one external calendar seen through accounts with different policies), and
// calendar "d" is a second account onto "c": its events have their own ids (another
// account's hrefs) and are now and then copied from c's current version (that account
// catching up) or left behind. Slots must be one per UID, instance and range.
TEST_CASE("diffs are exact and the engine equals a clean recompute (model test)", "[engine]") {
    calsync::test::EventFactory factory(20261125);
    const BlockingPolicy policy = spring();
    ImportEngine engine = labelled(policy);
    std::map<std::pair<std::string, std::string>, Event> model;
    const char* calendars[] = {"a", "b", "c", "d"};
    // What the run went through, so a change to the factory cannot quietly hollow it out.
    std::size_t most_slots = 0, tentative = 0, all_day = 0, errors = 0, merged = 0;
    std::size_t relabelled = 0, replaced = 0;
    // c's event as the account behind d sees it: the same, under d's own ids.
    const auto copy_to_d = [](Event e) {
        e.calendar_id = "d";
        e.id = "d-" + e.id;
        for (Event& o : e.overrides) {
            o.calendar_id = "d";
            o.id = e.id;
        }
        return e;
    };
    for (int step = 0; step < 600; ++step) {
        const std::string calendar = calendars[factory.pick(0, 3)];
        const std::string id = "e" + std::to_string(factory.pick(0, 49));
        // d holds the copies of c's events under its own ids.
        const std::string own_id = calendar == "d" ? "d-" + id : id;
        const auto before = engine.slots();
        calsync::SlotDiff diff;
        const int op = factory.pick(0, 59);
        std::string what;
        if (op == 1) {
            // A full resync: the calendar's events replaced by a new set, some of them the
            // same, some changed, some gone, some new, copies of c's included for d.
            what = "replace_calendar " + calendar;
            std::vector<Event> fresh_set;
            for (auto it = model.begin(); it != model.end();)
                it = it->first.first == calendar ? model.erase(it) : std::next(it);
            for (int i = factory.pick(0, 12); i > 0; --i) {
                const std::string n = "e" + std::to_string(factory.pick(0, 49));
                if (calendar == "d" && model.count({"c", n}) != 0 && factory.pick(0, 1) == 0) {
                    const Event e = copy_to_d(model.at({"c", n}));
                    model[{"d", e.id}] = e;
                    continue;
                }
                Event e = factory.make(calendar, calendar == "d" ? "d-" + n : n);
                e.uid = factory.pick(0, 4) == 0 ? "" : "uid-" + n + "@example.com";
                model[{calendar, e.id}] = e;
            }
            for (const auto& [key, e] : model)
                if (key.first == calendar)
                    fresh_set.push_back(e);
            diff = engine.replace_calendar(calendar, fresh_set);
            ++replaced;
        } else if (op == 0) {
            what = "remove_calendar " + calendar;
            diff = engine.remove_calendar(calendar);
            for (auto it = model.begin(); it != model.end();)
                it = it->first.first == calendar ? model.erase(it) : std::next(it);
        } else if (op <= 10) {
            what = "remove " + calendar + "/" + own_id;
            diff = engine.remove(calendar, own_id);
            model.erase({calendar, own_id});
        } else if (op <= 20 && model.count({"c", id}) != 0) {
            what = "copy c/" + id + " to d";
            const Event e = copy_to_d(model.at({"c", id}));
            diff = engine.upsert(e);
            model[{"d", e.id}] = e;
        } else {
            what = "upsert " + calendar + "/" + own_id;
            Event e = factory.make(calendar, own_id);
            // One event in five has no UID (some feeds): never merged.
            e.uid = factory.pick(0, 4) == 0 ? "" : "uid-" + id + "@example.com";
            diff = engine.upsert(e);
            model[{calendar, own_id}] = e;
        }
        INFO("step " << step << ": " << what);
        const auto after = engine.slots();
        REQUIRE(sorted(diff.removed) == minus(before, after));
        REQUIRE(sorted(diff.added) == minus(after, before));
        for (const auto& r : diff.removed) {
            const bool stays = std::any_of(after.begin(), after.end(), [&](const auto& s) {
                return s.range == r.range && s.recurrence_id == r.recurrence_id &&
                       s.calendar_id != r.calendar_id;
            });
            relabelled += stays ? 1 : 0;
        }

        ImportEngine fresh = labelled(policy);
        std::vector<Event> all;
        for (const auto& [key, e] : model)
            all.push_back(e);
        fresh.load(all);
        REQUIRE(after == fresh.slots());
        const auto expected = one_per_copy(policy, all);
        REQUIRE(after == expected);
        ImportEngine every_copy = labelled(policy);
        for (Event& e : all)
            e.uid.clear();
        every_copy.load(all);
        merged += every_copy.slot_count() - after.size();
        REQUIRE(engine.slot_count() == after.size());
        REQUIRE(engine.busy() == fresh.busy());
        REQUIRE(engine.busy() == calsync::merge_intervals(slot_ranges(engine)));
        REQUIRE(error_keys(engine) == error_keys(fresh));
        // What one calendar read asks for costs that calendar only, and says the same as
        // the whole engine filtered to it.
        for (const char* c : calendars) {
            INFO("calendar " << c);
            std::vector<calsync::BlockedSlot> its;
            std::copy_if(after.begin(), after.end(), std::back_inserter(its),
                         [c](const calsync::BlockedSlot& s) { return s.calendar_id == c; });
            REQUIRE(engine.calendar_slots(c) == its);
            const auto only = [c](std::vector<calsync::EventError> all) {
                all.erase(std::remove_if(all.begin(), all.end(),
                                         [c](const auto& e) { return e.calendar_id != c; }),
                          all.end());
                return all;
            };
            const auto same = [](const std::vector<calsync::EventError>& x,
                                 const std::vector<calsync::EventError>& y) {
                return std::equal(x.begin(), x.end(), y.begin(), y.end(),
                                  [](const auto& a, const auto& b) {
                                      return std::tie(a.calendar_id, a.event_id, a.message) ==
                                             std::tie(b.calendar_id, b.event_id, b.message);
                                  });
            };
            REQUIRE(same(engine.errors(c), only(engine.errors())));
            REQUIRE(same(engine.capped(c), only(engine.capped())));
        }
        most_slots = std::max(most_slots, after.size());
        for (const auto& slot : after) {
            tentative += slot.tentative ? 1 : 0;
            all_day += slot.all_day ? 1 : 0;
        }
        errors += engine.errors().size();
    }
    CHECK(most_slots > 60);
    CHECK(tentative > 0);
    CHECK(all_day > 0);
    CHECK(errors > 0);
    CHECK(merged > 100);    // copies really were merged, step after step
    CHECK(relabelled > 0);  // a slot moved to another copy when its own copy went
    CHECK(replaced > 5);
}

TEST_CASE("a calendar's new policy applies when its events are given again", "[engine]") {
    calsync::test::EventFactory factory(1606);
    std::vector<Event> a, b;
    for (int i = 0; i < 40; ++i)
        (i % 2 == 0 ? a : b)
            .push_back(factory.make(i % 2 == 0 ? "a" : "b", "e" + std::to_string(i)));
    ImportEngine engine = labelled(spring());
    engine.load(a);
    engine.load(b);
    // Calendar "a" becomes as strict as "b": what an engine built with that policy shows.
    BlockingPolicy stricter = spring();
    stricter.calendars["a"] = stricter.calendars["b"];
    ImportEngine rebuilt = labelled(stricter);
    rebuilt.load(a);
    rebuilt.load(b);
    const auto before = engine.slots();
    REQUIRE(rebuilt.slots() != before);  // the policy really changes something
    engine.set_calendar_policy("a", stricter.calendars["b"]);
    const auto diff = engine.replace_calendar("a", a);
    CHECK(engine.slots() == rebuilt.slots());
    CHECK(engine.busy() == rebuilt.busy());
    CHECK(sorted(diff.removed) == minus(before, engine.slots()));
    CHECK(sorted(diff.added) == minus(engine.slots(), before));
    CHECK(diff.added.empty());  // stricter: slots only go
}

namespace {

// January with small occurrence limits: 5 per event, 12 kept and 20 expanded per calendar.
BlockingPolicy january_limited() {
    BlockingPolicy p = january();
    p.limits.per_event = 5;
    p.limits.per_calendar = 12;
    p.limits.per_calendar_work = 20;
    return p;
}

// `count` daily occurrences from 5 January, 09:00 UTC.
Event daily(const std::string& calendar, const std::string& id, int count) {
    Event e = timed(calendar, id, "2026-01-05T09:00:00Z", "2026-01-05T10:00:00Z");
    e.recurrence.rrules = {"FREQ=DAILY;COUNT=" + std::to_string(count)};
    return e;
}

std::vector<std::string> capped_ids(const ImportEngine& engine) {
    std::vector<std::string> out;
    for (const auto& e : engine.capped())
        out.push_back(e.calendar_id + "/" + e.event_id);
    return out;
}

}  // namespace

TEST_CASE("occurrence limits: an event over its own limit is left out whole and named",
          "[engine]") {
    auto engine = ImportEngine::create(january_limited());
    REQUIRE(engine.ok());
    const auto diff = engine->upsert(daily("a", "busy", 6));
    CHECK(diff.added.empty());
    CHECK(engine->slot_count() == 0);
    CHECK(engine->errors().empty());  // readable: not an error, a limit
    REQUIRE(engine->capped().size() == 1);
    CHECK(engine->capped()[0].calendar_id == "a");
    CHECK(engine->capped()[0].event_id == "busy");
    CHECK_THAT(engine->capped()[0].message, Catch::Contains("at most 5 occurrences"));
    SECTION("exactly the limit is kept") {
        engine->upsert(daily("a", "busy", 5));
        CHECK(engine->slot_count() == 5);
        CHECK(engine->capped().empty());
    }
    SECTION("the other events of the calendar still block") {
        engine->upsert(daily("a", "small", 2));
        CHECK(engine->slot_count() == 2);
    }
}

TEST_CASE("occurrence limits: a calendar stops at its limit and names what it left out",
          "[engine]") {
    auto engine = ImportEngine::create(january_limited());
    REQUIRE(engine.ok());
    engine->load({daily("a", "e1", 5), daily("a", "e2", 5), daily("a", "e3", 5),
                  daily("a", "e4", 1), daily("a", "e5", 3), daily("b", "other", 5)});
    // e1 and e2 keep 10 of a's 12; e3 would need 5 of the 2 left: left out (its 2 are work,
    // not kept), e4 keeps 1 of the 2, e5 needs 3 of the 1 left. Calendar b has its own 12.
    CHECK(capped_ids(*engine) == std::vector<std::string>{"a/e3", "a/e5"});
    CHECK_THAT(engine->capped()[0].message, Catch::Contains("(12)"));
    CHECK(engine->slot_count() == 16);
    SECTION("removing an event gives its occurrences back to its calendar") {
        engine->remove("a", "e1");
        engine->upsert(daily("a", "e3", 5));
        CHECK(capped_ids(*engine) == std::vector<std::string>{"a/e5"});
        CHECK(engine->slot_count() == 16);
    }
    SECTION("a new version of an event is counted instead of the old one, not beside it") {
        engine->upsert(daily("a", "e1", 3));
        engine->upsert(daily("a", "e1", 4));
        // Kept: e1 4 + e2 5 + e4 1 = 10 of 12, so e5's 3 do not fit, its 2 do.
        CHECK(engine->upsert(daily("a", "e5", 3)).added.empty());
        const auto diff = engine->upsert(daily("a", "e5", 2));
        CHECK(diff.added.size() == 2);
        CHECK(capped_ids(*engine) == std::vector<std::string>{"a/e3"});
    }
    SECTION("dropping the calendar starts it afresh") {
        engine->remove_calendar("a");
        CHECK(engine->capped().empty());
        engine->load({daily("a", "e3", 5), daily("a", "e4", 1)});
        CHECK(engine->capped().empty());
        CHECK(engine->slot_count() == 11);
    }
    SECTION("events left out cost the calendar's work, not what it keeps") {
        engine->remove_calendar("a");
        // Three events over their own limit spend 15 of the 20 of work; the small ones
        // still block. A fourth spends the rest, and then nothing more is expanded.
        engine->load({daily("a", "x1", 9), daily("a", "x2", 9), daily("a", "x3", 9),
                      daily("a", "small", 2)});
        CHECK(capped_ids(*engine) == std::vector<std::string>{"a/x1", "a/x2", "a/x3"});
        CHECK(engine->slot_count() == 7);  // small's 2 and b's 5
        engine->upsert(daily("a", "x4", 9));
        const auto diff = engine->upsert(daily("a", "late", 1));
        CHECK(diff.added.empty());
        REQUIRE(engine->capped().size() == 5);
        CHECK_THAT(engine->capped().back().message, Catch::Contains("expansion work"));
        CHECK_THAT(engine->capped().back().message, Catch::Contains("(20 occurrences"));
    }
    SECTION("events that cannot block cost nothing") {
        engine->remove_calendar("a");
        Event free_series = daily("a", "free", 5);
        free_series.transparency = calsync::Transparency::transparent;
        engine->load({daily("a", "e1", 5), free_series, daily("a", "e2", 5), daily("a", "e4", 1)});
        CHECK(engine->capped().empty());
        CHECK(engine->slot_count() == 16);
    }
}

// A batch this large is expanded on several threads before its budgets are settled in
// order (ImportEngine::expand_ahead); the outcome must be the one-by-one outcome, also for
// the events that meet their calendar's limits part way.
TEST_CASE("occurrence limits: a large batch is settled as one by one", "[engine]") {
    std::vector<Event> events;
    BlockingPolicy policy = january_limited();
    policy.limits.per_event = 6;
    policy.limits.per_calendar = 700;
    policy.limits.per_calendar_work = 900;
    for (int i = 0; i < 700; ++i)
        events.push_back(daily(i % 2 == 0 ? "a" : "b", "e" + std::to_string(i), 1 + i % 8));
    auto loaded = ImportEngine::create(policy);
    auto upserted = ImportEngine::create(policy);
    REQUIRE(loaded.ok());
    REQUIRE(upserted.ok());
    loaded->load(events);
    for (const Event& e : events)
        upserted->upsert(e);
    // a's events have 1, 3, 5, 7 occurrences in turn: the 7 is over per_event and costs 6 of
    // work, so each round keeps 9 and works 15; 60 rounds spend a's 900 of work and keep
    // 540, and every later event is left out. b's have 2, 4, 6, 8: 12 kept, 18 worked a
    // round, 50 rounds, 600 kept.
    REQUIRE(capped_ids(*loaded).size() > 200);
    CHECK(loaded->slot_count() == 540 + 600);
    CHECK(capped_ids(*loaded) == capped_ids(*upserted));
    CHECK(loaded->slots() == upserted->slots());
    CHECK(error_keys(*loaded) == error_keys(*upserted));
}

TEST_CASE("occurrence limits: expansion stops at the budget, so a huge rule costs it only",
          "[engine]") {
    // A SECONDLY rule without end has 2.7 million occurrences in January: were it expanded
    // before the cap applied, this test would take seconds and hundreds of MB.
    auto engine = ImportEngine::create(january());
    REQUIRE(engine.ok());
    std::vector<Event> bombs;
    for (int i = 0; i < 200; ++i) {
        Event e =
            timed("a", "bomb" + std::to_string(i), "2026-01-05T09:00:00Z", "2026-01-05T09:00:01Z");
        e.recurrence.rrules = {"FREQ=SECONDLY"};
        bombs.push_back(e);
    }
    bombs.push_back(timed("a", "real", "2026-01-06T09:00:00Z", "2026-01-06T10:00:00Z"));
    engine->load(bombs);
    // The calendar's 250,000 of work were spent on the first 25 bombs (10,000
    // each); what came after them, the real event too, is left out: such a calendar blocks
    // nothing, and the others are untouched.
    CHECK(engine->capped().size() == 201);
    CHECK(engine->slot_count() == 0);
    CHECK_THAT(engine->capped()[0].message, Catch::Contains("at most 10000 occurrences"));
    CHECK(engine->capped().back().event_id == "real");
    CHECK_THAT(engine->capped().back().message, Catch::Contains("(250000 occurrences"));
    SECTION("a few bombs leave the calendar's other events blocking") {
        bombs.erase(bombs.begin() + 5, bombs.end() - 1);
        auto few = ImportEngine::create(january());
        REQUIRE(few.ok());
        few->load(bombs);
        CHECK(few->capped().size() == 5);
        REQUIRE(few->slot_count() == 1);
        CHECK(few->slots()[0].event_id == "real");
    }
}
