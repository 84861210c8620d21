// Google Event JSON -> Event (src/providers/google/google_event_reader.cpp), on the shapes
// the Calendar API reference documents.
#include <catch2/catch.hpp>

#include "google_fake.hpp"
#include "providers/google/google_event_json.hpp"

using calsync::EventStatus;
using calsync::EventTime;
using calsync::providers::google::GoogleItem;
using calsync::providers::google::read_google_event;

namespace {

calsync::Result<GoogleItem> read(const std::string& json, const std::string& zone = "") {
    auto doc = calsync::test::parse_json(json);
    return read_google_event(doc, "cal", zone);
}

}  // namespace

TEST_CASE("google reader: dateTime with timeZone is wall-clock time in that zone") {
    auto item =
        read(R"({"id":"e1","start":{"dateTime":"2026-03-29T01:30:00Z","timeZone":"Europe/Berlin"},)"
             R"("end":{"dateTime":"2026-03-29T04:00:00+02:00","timeZone":"Europe/Berlin"}})");
    REQUIRE(item.ok());
    const EventTime& start = item->event.start;
    CHECK(start.kind == EventTime::Kind::zoned);
    CHECK(start.tzid == "Europe/Berlin");
    // 01:30Z is 03:30 CEST, just after the spring-forward gap; the instant is kept.
    CHECK(start.local == calsync::CivilDateTime{{2026, 3, 29}, 3, 30, 0});
    CHECK(calsync::format_rfc3339(start.resolve(*calsync::TimeZone::utc())) ==
          "2026-03-29T01:30:00Z");
    CHECK(item->event.end->local == calsync::CivilDateTime{{2026, 3, 29}, 4, 0, 0});
}

TEST_CASE("google reader: an offset alone is an instant, no offset reads the calendar zone") {
    auto utc = read(R"({"id":"e1","start":{"dateTime":"2026-03-02T09:00:00+01:00"}})");
    REQUIRE(utc.ok());
    CHECK(utc->event.start.kind == EventTime::Kind::utc);
    CHECK(calsync::format_rfc3339(utc->event.start.resolve(*calsync::TimeZone::utc())) ==
          "2026-03-02T08:00:00Z");
    auto local = read(R"({"id":"e1","start":{"dateTime":"2026-03-02T09:00:00"}})", "Europe/Paris");
    REQUIRE(local.ok());
    CHECK(local->event.start.tzid == "Europe/Paris");
    CHECK(local->event.start.local.hour == 9);
    auto nowhere = read(R"({"id":"e1","start":{"dateTime":"2026-03-02T09:00:00"}})");
    CHECK_FALSE(nowhere.ok());
}

TEST_CASE("google reader: recurrence lines, instances and cancelled items") {
    auto master = read(
        R"({"id":"m1","iCalUID":"m1@google.com",)"
        R"("start":{"dateTime":"2026-03-02T09:00:00+01:00","timeZone":"Europe/Berlin"},)"
        R"("end":{"dateTime":"2026-03-02T10:00:00+01:00","timeZone":"Europe/Berlin"},)"
        R"("recurrence":["RRULE:FREQ=WEEKLY;BYDAY=MO","EXDATE;TZID=Europe/Berlin:20260309T090000",)"
        R"("RDATE;TZID=Europe/Berlin:20260312T090000"]})");
    REQUIRE(master.ok());
    CHECK(master->event.recurrence.rrules == std::vector<std::string>{"FREQ=WEEKLY;BYDAY=MO"});
    REQUIRE(master->event.recurrence.exdates.size() == 1);
    CHECK(master->event.recurrence.exdates[0].local ==
          calsync::CivilDateTime{{2026, 3, 9}, 9, 0, 0});
    CHECK(master->event.recurrence.rdates.size() == 1);
    CHECK(master->event.uid == "m1@google.com");

    auto cancelled = read(
        R"({"id":"m1_x","status":"cancelled","recurringEventId":"m1",)"
        R"("originalStartTime":{"dateTime":"2026-03-16T09:00:00+01:00","timeZone":"Europe/Berlin"}})");
    REQUIRE(cancelled.ok());
    CHECK(cancelled->is_instance());
    CHECK(cancelled->is_cancelled());
    REQUIRE(cancelled->event.recurrence_id);
    CHECK(cancelled->event.recurrence_id->local == calsync::CivilDateTime{{2026, 3, 16}, 9, 0, 0});

    auto deleted = read(R"({"id":"gone1","status":"cancelled"})");
    REQUIRE(deleted.ok());
    CHECK(deleted->event.status == EventStatus::cancelled);
    CHECK_FALSE(deleted->is_instance());
}

TEST_CASE("google reader: what cannot be used is an error naming the field") {
    const auto why = [](const std::string& json) {
        auto r = read(json);
        REQUIRE_FALSE(r.ok());
        return r.error().message;
    };
    CHECK_THAT(why(R"({"start":{"date":"2026-03-02"}})"), Catch::Contains("id"));
    CHECK_THAT(why(R"({"id":"e","start":{"date":"2026-02-30"}})"), Catch::Contains("start.date"));
    CHECK_THAT(why(R"({"id":"e","start":{"date":"2026-03-02"},"end":{"dateTime":"soon"}})"),
               Catch::Contains("end.dateTime"));
    CHECK_THAT(
        why(R"({"id":"e","start":{"dateTime":"2026-03-02T09:00:00Z","timeZone":"Mars/Base"},)"
            R"("recurrence":["RRULE:FREQ=DAILY"]})"),
        Catch::Contains("Mars/Base"));
    CHECK_THAT(why(R"({"id":"e","start":{"date":"2026-03-02"},)"
                   R"("recurrence":["RRULE:FREQ=DAILY\r\nEND:VEVENT"]})"),
               Catch::Contains("recurrence[0]"));
    CHECK_THAT(why(R"({"id":"e","recurringEventId":"m","start":{"date":"2026-03-02"}})"),
               Catch::Contains("originalStartTime"));
}
