// GoogleProvider's reading side (src/providers/google/google_provider.cpp with the series
// assembly of google_series.cpp) against the Google fake: calendar list, full sync over
// empty pages, incremental changes, 410, recurring series, and what blocks.
#include <algorithm>
#include <catch2/catch.hpp>
#include <map>

#include "calsync/engine.hpp"
#include "google_fake.hpp"

using calsync::ChangeSet;
using calsync::Event;
using calsync::parse_rfc3339;
using calsync::test::GoogleConnection;
using calsync::test::GoogleFake;
using calsync::test::kCalendar;

namespace {

const calsync::TimeRange kWindow{parse_rfc3339("2026-03-01T00:00:00Z").value(),
                                 parse_rfc3339("2026-04-01T00:00:00Z").value()};

std::string timed(const std::string& id, const std::string& start, const std::string& end,
                  const std::string& extra = "") {
    return R"({"id":")" + id + R"(","summary":")" + id + R"(","start":{"dateTime":")" + start +
           R"(","timeZone":"Europe/Berlin"},"end":{"dateTime":")" + end +
           R"(","timeZone":"Europe/Berlin"})" + extra + "}";
}

// What a store does with a change set: everything, replacing the calendar on a resync.
struct Held {
    std::map<std::string, Event> events;
    std::string cursor;

    void apply(const ChangeSet& changes) {
        if (changes.full_resync)
            events.clear();
        for (const std::string& id : changes.removals)
            events.erase(id);
        for (const Event& e : changes.upserts)
            events[e.id] = e;
        cursor = changes.next_cursor;
    }
    std::vector<Event> all() const {
        std::vector<Event> out;
        for (const auto& [id, e] : events)
            out.push_back(e);
        return out;
    }
};

// The slots the engine computes from what is held, as "start end" in UTC.
std::vector<std::string> slots(const Held& held, const std::string& zone = "Europe/Berlin") {
    calsync::BlockingPolicy policy;
    policy.business_zone = zone;
    policy.window = kWindow;
    auto engine = calsync::ImportEngine::create(policy);
    REQUIRE(engine.ok());
    engine->load(held.all());
    const std::vector<calsync::BlockedSlot> blocked = engine->slots();
    std::vector<std::string> out;
    std::transform(
        blocked.begin(), blocked.end(), std::back_inserter(out), [](const calsync::BlockedSlot& s) {
            return calsync::format_rfc3339(s.range.start) + " " +
                   calsync::format_rfc3339(s.range.end) + (s.tentative ? " tentative" : "");
        });
    return out;
}

calsync::Result<ChangeSet> sync(GoogleConnection& c, Held& held) {
    auto changes = c.provider.fetch_changes(kCalendar, held.cursor, kWindow);
    if (changes.ok())
        held.apply(changes.value());
    return changes;
}

const std::string kWeekly =
    R"({"id":"weekly1","summary":"Team","iCalUID":"weekly1@google.com",)"
    R"("start":{"dateTime":"2026-03-02T09:00:00+01:00","timeZone":"Europe/Berlin"},)"
    R"("end":{"dateTime":"2026-03-02T10:00:00+01:00","timeZone":"Europe/Berlin"},)"
    R"("recurrence":["RRULE:FREQ=WEEKLY;COUNT=5","EXDATE;TZID=Europe/Berlin:20260330T090000"]})";

std::string moved_instance(const std::string& start, const std::string& end) {
    return R"({"id":"weekly1_20260309T080000Z","recurringEventId":"weekly1",)"
           R"("iCalUID":"weekly1@google.com","summary":"Team, moved",)"
           R"("originalStartTime":{"dateTime":"2026-03-09T09:00:00+01:00","timeZone":"Europe/Berlin"},)"
           R"("start":{"dateTime":")" +
           start + R"(","timeZone":"Europe/Berlin"},"end":{"dateTime":")" + end +
           R"(","timeZone":"Europe/Berlin"}})";
}

const std::string kCancelledInstance =
    R"({"id":"weekly1_20260316T080000Z","recurringEventId":"weekly1","status":"cancelled",)"
    R"("originalStartTime":{"dateTime":"2026-03-16T09:00:00+01:00","timeZone":"Europe/Berlin"}})";

}  // namespace

TEST_CASE("google: calendars are listed across pages with role, primary, zone and colour") {
    GoogleFake fake;
    fake.control("calendar",
                 R"({"id":"team@group.calendar.google.com","summary":"Team","accessRole":"writer",)"
                 R"("summaryOverride":"Shared workshop","timeZone":"Europe/Vienna"})");
    fake.control("calendar", R"({"id":"holidays@example.com","accessRole":"reader"})");
    fake.control("calendar", R"({"id":"boss@example.com","accessRole":"freeBusyReader"})");
    fake.control("config", R"({"page_size":2})");
    GoogleConnection c(fake);
    auto calendars = c.provider.list_calendars();
    REQUIRE(calendars.ok());
    REQUIRE(calendars->size() == 4);
    CHECK(fake.route_count("calendarList.list") == 2);
    std::map<std::string, calsync::Calendar> by_id;
    for (const calsync::Calendar& cal : calendars.value())
        by_id[cal.id] = cal;
    const calsync::Calendar& primary = by_id.at(kCalendar);
    CHECK(primary.is_primary);
    CHECK(primary.can_write);
    CHECK(primary.name == "Workshop");
    CHECK(primary.time_zone == "Europe/Berlin");
    CHECK(primary.color == "#16a765");
    const calsync::Calendar& team = by_id.at("team@group.calendar.google.com");
    CHECK(team.can_write);  // writer can take exports
    CHECK_FALSE(team.is_primary);
    CHECK(team.name == "Shared workshop");  // the user's own name for it wins
    CHECK_FALSE(by_id.at("holidays@example.com").can_write);
    CHECK_FALSE(by_id.at("boss@example.com").can_write);
}

TEST_CASE("google: a full sync follows small and empty pages and asks for everything") {
    GoogleFake fake;
    for (int i = 0; i < 5; ++i)
        fake.put_event(timed("event" + std::to_string(i),
                             "2026-03-0" + std::to_string(i + 2) + "T09:00:00+01:00",
                             "2026-03-0" + std::to_string(i + 2) + "T10:00:00+01:00"));
    fake.control("config", R"({"page_size":2,"empty_pages":true})");
    GoogleConnection c(fake);
    Held held;
    auto changes = sync(c, held);
    REQUIRE(changes.ok());
    CHECK(changes->full_resync);
    CHECK(changes->upserts.size() == 5);
    CHECK(changes->errors.empty());
    CHECK_FALSE(changes->next_cursor.empty());
    // Three pages of items, each after an empty one that still named the next page.
    CHECK(fake.route_count("events.list") == 6);
    auto requests = fake.requests();
    const auto& first = requests[0]["query"];
    CHECK(std::string(first["showDeleted"][0].GetString()) == "true");
    CHECK(std::string(first["maxResults"][0].GetString()) == "2500");
    CHECK(std::string(first["timeMin"][0].GetString()) == "2026-03-01T00:00:00Z");
    CHECK(std::string(first["timeMax"][0].GetString()) == "2026-04-01T00:00:00Z");
    CHECK_FALSE(first.HasMember("singleEvents"));
    CHECK(slots(held).size() == 5);
}

TEST_CASE("google: incremental syncs see an added, a modified and a deleted event") {
    GoogleFake fake;
    fake.put_event(timed("keep1", "2026-03-02T09:00:00+01:00", "2026-03-02T10:00:00+01:00"));
    fake.put_event(timed("move1", "2026-03-03T09:00:00+01:00", "2026-03-03T10:00:00+01:00"));
    fake.put_event(timed("drop1", "2026-03-04T09:00:00+01:00", "2026-03-04T10:00:00+01:00"));
    GoogleConnection c(fake);
    Held held;
    REQUIRE(sync(c, held).ok());
    REQUIRE(held.events.size() == 3);

    fake.put_event(timed("new1", "2026-03-05T09:00:00+01:00", "2026-03-05T10:00:00+01:00"));
    fake.put_event(timed("move1", "2026-03-03T14:00:00+01:00", "2026-03-03T15:00:00+01:00"));
    fake.remove_event("drop1");
    auto changes = sync(c, held);
    REQUIRE(changes.ok());
    CHECK_FALSE(changes->full_resync);
    CHECK(changes->upserts.size() == 2);
    CHECK(changes->removals == std::vector<std::string>{"drop1"});
    CHECK(slots(held) == std::vector<std::string>{
                             "2026-03-02T08:00:00Z 2026-03-02T09:00:00Z",
                             "2026-03-03T13:00:00Z 2026-03-03T14:00:00Z",
                             "2026-03-05T08:00:00Z 2026-03-05T09:00:00Z",
                         });
    // The incremental request carried the token and none of what it refuses.
    auto requests = fake.requests();
    const auto& last = requests[requests.Size() - 1]["query"];
    CHECK(last.HasMember("syncToken"));
    CHECK_FALSE(last.HasMember("timeMin"));
    CHECK_FALSE(last.HasMember("timeMax"));

    // Nothing changed: nothing to apply, and the next token still works.
    auto quiet = sync(c, held);
    REQUIRE(quiet.ok());
    CHECK(quiet->upserts.empty());
    CHECK(quiet->removals.empty());
}

TEST_CASE("google: an expired sync token (410) gives a full resync that replaces the calendar") {
    GoogleFake fake;
    fake.put_event(timed("old1", "2026-03-02T09:00:00+01:00", "2026-03-02T10:00:00+01:00"));
    GoogleConnection c(fake);
    Held held;
    REQUIRE(sync(c, held).ok());
    fake.remove_event("old1");
    fake.put_event(timed("new1", "2026-03-06T09:00:00+01:00", "2026-03-06T10:00:00+01:00"));
    fake.control("expire_sync_tokens?calendar=garage@example.com");
    const std::string stale = held.cursor;
    auto changes = sync(c, held);
    REQUIRE(changes.ok());
    CHECK(changes->full_resync);
    REQUIRE(changes->upserts.size() == 1);
    CHECK(changes->upserts[0].id == "new1");
    CHECK(held.events.size() == 1);  // old1 went with the replaced calendar
    CHECK(held.cursor != stale);
    CHECK(fake.route_count("events.list") == 3);  // full, the 410, full again
}

TEST_CASE("google: a recurring series with a moved and a cancelled instance") {
    GoogleFake fake;
    fake.put_event(kWeekly);
    fake.put_event(moved_instance("2026-03-10T15:00:00+01:00", "2026-03-10T16:00:00+01:00"));
    fake.put_event(kCancelledInstance);
    GoogleConnection c(fake);
    Held held;
    auto full = sync(c, held);
    REQUIRE(full.ok());
    REQUIRE(full->upserts.size() == 1);  // one series, its exceptions attached
    const Event& series = full->upserts[0];
    CHECK(series.id == "weekly1");
    CHECK(series.overrides.size() == 2);
    REQUIRE(series.recurrence.rrules.size() == 1);
    CHECK(series.recurrence.exdates.size() == 1);
    // Mondays 9:00 Berlin: the 2nd moved to Tuesday 15:00, the 16th cancelled, the 30th
    // excluded by EXDATE.
    const std::vector<std::string> expected{
        "2026-03-02T08:00:00Z 2026-03-02T09:00:00Z",
        "2026-03-10T14:00:00Z 2026-03-10T15:00:00Z",
        "2026-03-23T08:00:00Z 2026-03-23T09:00:00Z",
    };
    CHECK(slots(held) == expected);

    SECTION("moving the instance again: the change set carries the whole series") {
        fake.put_event(moved_instance("2026-03-11T11:00:00+01:00", "2026-03-11T12:00:00+01:00"));
        auto changes = sync(c, held);
        REQUIRE(changes.ok());
        REQUIRE(changes->upserts.size() == 1);
        CHECK(changes->upserts[0].id == "weekly1");
        CHECK(changes->upserts[0].overrides.size() == 2);  // the cancelled one is still there
        CHECK(slots(held) == std::vector<std::string>{
                                 "2026-03-02T08:00:00Z 2026-03-02T09:00:00Z",
                                 "2026-03-11T10:00:00Z 2026-03-11T11:00:00Z",
                                 "2026-03-23T08:00:00Z 2026-03-23T09:00:00Z",
                             });
    }
    SECTION("cancelling one more instance (an item with no iCalUID): read via the master") {
        fake.put_event(
            R"({"id":"weekly1_20260323T080000Z","recurringEventId":"weekly1","status":"cancelled",)"
            R"("originalStartTime":{"dateTime":"2026-03-23T09:00:00+01:00","timeZone":"Europe/Berlin"}})");
        const int gets = fake.route_count("events.get");
        auto changes = sync(c, held);
        REQUIRE(changes.ok());
        CHECK(fake.route_count("events.get") == gets + 1);
        REQUIRE(changes->upserts.size() == 1);
        CHECK(changes->upserts[0].overrides.size() == 3);
        CHECK(slots(held) == std::vector<std::string>{
                                 "2026-03-02T08:00:00Z 2026-03-02T09:00:00Z",
                                 "2026-03-10T14:00:00Z 2026-03-10T15:00:00Z",
                             });
    }
    SECTION("renaming the master keeps its exceptions") {
        std::string renamed = kWeekly;
        renamed.replace(renamed.find("Team"), 4, "Team sync");
        fake.put_event(renamed);
        auto changes = sync(c, held);
        REQUIRE(changes.ok());
        REQUIRE(changes->upserts.size() == 1);
        CHECK(changes->upserts[0].summary == "Team sync");
        CHECK(changes->upserts[0].overrides.size() == 2);
        CHECK(slots(held) == expected);
    }
    SECTION("deleting the series is one removal") {
        fake.remove_event("weekly1");
        auto changes = sync(c, held);
        REQUIRE(changes.ok());
        CHECK(changes->upserts.empty());
        CHECK(changes->removals == std::vector<std::string>{"weekly1"});
        CHECK(held.events.empty());
    }
}

TEST_CASE("google: an instance whose master is not on the calendar stands alone") {
    GoogleFake fake;
    // An invitation to one instance of someone else's series.
    fake.put_event(
        R"({"id":"theirs1_20260305T090000Z","recurringEventId":"theirs1","iCalUID":"theirs1@x",)"
        R"("originalStartTime":{"dateTime":"2026-03-05T10:00:00+01:00"},)"
        R"("start":{"dateTime":"2026-03-05T10:00:00+01:00"},"end":{"dateTime":"2026-03-05T11:00:00+01:00"}})");
    GoogleConnection c(fake);
    Held held;
    REQUIRE(sync(c, held).ok());
    REQUIRE(held.events.count("theirs1_20260305T090000Z") == 1);
    CHECK_FALSE(held.events.at("theirs1_20260305T090000Z").recurrence_id.has_value());
    CHECK(slots(held) == std::vector<std::string>{"2026-03-05T09:00:00Z 2026-03-05T10:00:00Z"});
    // Changed later: still one event of its own.
    fake.put_event(
        R"({"id":"theirs1_20260305T090000Z","recurringEventId":"theirs1",)"
        R"("originalStartTime":{"dateTime":"2026-03-05T10:00:00+01:00"},)"
        R"("start":{"dateTime":"2026-03-05T12:00:00+01:00"},"end":{"dateTime":"2026-03-05T13:00:00+01:00"}})");
    REQUIRE(sync(c, held).ok());
    CHECK(slots(held) == std::vector<std::string>{"2026-03-05T11:00:00Z 2026-03-05T12:00:00Z"});
}

TEST_CASE("google: all-day events stay civil dates in the business's zone") {
    GoogleFake fake;
    fake.put_event(
        R"({"id":"holiday1","start":{"date":"2026-03-09"},"end":{"date":"2026-03-11"}})");
    GoogleConnection c(fake);
    Held held;
    REQUIRE(sync(c, held).ok());
    const Event& e = held.events.at("holiday1");
    CHECK(e.start.is_date());
    CHECK(e.end->is_date());
    // Two days from local midnight (Berlin is UTC+1 in March).
    CHECK(slots(held) == std::vector<std::string>{"2026-03-08T23:00:00Z 2026-03-10T23:00:00Z"});
    CHECK(slots(held, "America/New_York") ==
          std::vector<std::string>{"2026-03-09T04:00:00Z 2026-03-11T04:00:00Z"});
}

TEST_CASE("google: transparency, answers and event types decide what blocks") {
    GoogleFake fake;
    const auto attendee = [](const char* status) {
        return std::string(R"(,"attendees":[{"email":"boss@example.com","organizer":true,)"
                           R"("responseStatus":"accepted"},{"email":"garage@example.com",)"
                           R"("self":true,"responseStatus":")") +
               status + "\"}]";
    };
    fake.put_event(timed("free1", "2026-03-02T09:00:00+01:00", "2026-03-02T10:00:00+01:00",
                         R"(,"transparency":"transparent")"));
    fake.put_event(timed("declined1", "2026-03-03T09:00:00+01:00", "2026-03-03T10:00:00+01:00",
                         attendee("declined")));
    fake.put_event(timed("unanswered1", "2026-03-04T09:00:00+01:00", "2026-03-04T10:00:00+01:00",
                         attendee("needsAction")));
    fake.put_event(timed("accepted1", "2026-03-05T09:00:00+01:00", "2026-03-05T10:00:00+01:00",
                         attendee("accepted")));
    fake.put_event(timed("ooo1", "2026-03-06T09:00:00+01:00", "2026-03-06T18:00:00+01:00",
                         R"(,"eventType":"outOfOffice")"));
    fake.put_event(timed("focus1", "2026-03-09T09:00:00+01:00", "2026-03-09T11:00:00+01:00",
                         R"(,"eventType":"focusTime")"));
    fake.put_event(
        R"({"id":"office1","eventType":"workingLocation","start":{"date":"2026-03-10"},)"
        R"("end":{"date":"2026-03-11"},"workingLocationProperties":{"type":"officeLocation"}})");
    fake.put_event(timed("ours1", "2026-03-12T09:00:00+01:00", "2026-03-12T10:00:00+01:00",
                         R"(,"extendedProperties":{"private":{"calsyncAppointmentId":"appt-7"}})"));
    GoogleConnection c(fake);
    Held held;
    REQUIRE(sync(c, held).ok());
    CHECK(held.events.at("declined1").owner_response == calsync::Response::declined);
    CHECK(held.events.at("office1").transparency == calsync::Transparency::transparent);
    CHECK(held.events.at("ours1").export_marker == "appt-7");
    CHECK(slots(held) == std::vector<std::string>{
                             "2026-03-04T08:00:00Z 2026-03-04T09:00:00Z tentative",
                             "2026-03-05T08:00:00Z 2026-03-05T09:00:00Z",
                             "2026-03-06T08:00:00Z 2026-03-06T17:00:00Z",
                             "2026-03-09T08:00:00Z 2026-03-09T10:00:00Z",
                         });
}

TEST_CASE("google: a malformed item is skipped and reported, the rest is applied") {
    GoogleFake fake;
    fake.put_event(timed("good1", "2026-03-02T09:00:00+01:00", "2026-03-02T10:00:00+01:00"));
    fake.put_event(R"({"id":"badtime1","start":{"dateTime":"next tuesday"},"end":{"date":"x"}})");
    fake.put_event(
        R"({"id":"badrule1","start":{"dateTime":"2026-03-02T09:00:00+01:00","timeZone":"Europe/Berlin"},)"
        R"("end":{"dateTime":"2026-03-02T10:00:00+01:00","timeZone":"Europe/Berlin"},)"
        R"("recurrence":["DTSTART:20260302T080000Z"]})");
    GoogleConnection c(fake);
    Held held;
    auto changes = sync(c, held);
    REQUIRE(changes.ok());
    CHECK(changes->upserts.size() == 1);
    REQUIRE(changes->errors.size() == 2);
    std::map<std::string, std::string> why;
    for (const calsync::EventError& e : changes->errors) {
        CHECK(e.calendar_id == kCalendar);
        why[e.event_id] = e.message;
    }
    CHECK_THAT(why.at("badtime1"), Catch::Contains("start.dateTime"));
    CHECK_THAT(why.at("badrule1"), Catch::Contains("recurrence[0]"));
}
