// GoogleProvider's writing side (create/update/delete in google_provider.cpp and the body
// of google_event_writer.cpp) against the Google fake: idempotent creates, If-Match, and
// nothing written beyond what the export engine filled in.
#include <algorithm>
#include <catch2/catch.hpp>

#include "google_fake.hpp"
#include "providers/google/google_event_id.hpp"

using calsync::Event;
using calsync::EventTime;
using calsync::parse_rfc3339;
using calsync::test::GoogleConnection;
using calsync::test::GoogleFake;
using calsync::test::kCalendar;
using calsync::test::parse_json;

namespace {

Event appointment(const std::string& marker, const char* start = "2026-03-02T08:00:00Z",
                  const char* end = "2026-03-02T09:30:00Z") {
    Event e;
    e.export_marker = marker;
    e.summary = "Service: Anna Schmidt";
    e.description = "Client: Anna Schmidt\nService: brake pads\nVehicle: VW Golf B-XY 123";
    e.location = "Bay 2";
    e.start = EventTime::at_utc(parse_rfc3339(start).value());
    e.end = EventTime::at_utc(parse_rfc3339(end).value());
    return e;
}

rapidjson::Document stored(const GoogleFake& fake, const std::string& id) {
    return parse_json(fake.inspect("stored?calendar=garage@example.com&id=" + id));
}

// An EventDateTime's instant: Google answers a dateTime with the offset of its timeZone, or
// of the calendar's zone when it has none, whatever the offset it was written with.
calsync::Instant instant_of(const rapidjson::Value& when) {
    return parse_rfc3339(when["dateTime"].GetString()).value();
}

calsync::Instant at(const char* text) {
    return parse_rfc3339(text).value();
}

int live_events(const GoogleFake& fake) {
    auto all = parse_json(fake.inspect("events?calendar=garage@example.com"));
    const auto events = all.GetArray();
    return static_cast<int>(std::count_if(events.begin(), events.end(), [](const auto& e) {
        return std::string(e["status"].GetString()) != "cancelled";
    }));
}

// Performs each request but loses the answer to the first POST, as when the connection
// drops after Google has written the event.
struct LosingTransport : calsync::test::CountingTransport {
    bool lost = false;
    calsync::Result<calsync::net::HttpResponse> perform(
        const calsync::net::HttpRequest& r) override {
        auto response = CountingTransport::perform(r);
        if (r.method == "POST" && !lost) {
            lost = true;
            return calsync::make_error(calsync::ErrorCode::network, "connection reset");
        }
        return response;
    }
};

}  // namespace

TEST_CASE("google export: the insert uses the marker's id and writes only what it was given") {
    GoogleFake fake;
    GoogleConnection c(fake);
    auto created = c.provider.create_event(kCalendar, appointment("appt-42"));
    REQUIRE(created.ok());
    CHECK(created->id == calsync::providers::google::export_event_id("appt-42"));
    auto e = stored(fake, created->id);
    CHECK(created->etag == e["etag"].GetString());
    CHECK(std::string(e["summary"].GetString()) == "Service: Anna Schmidt");
    CHECK(std::string(e["description"].GetString()).find("VW Golf") != std::string::npos);
    CHECK(std::string(e["location"].GetString()) == "Bay 2");
    CHECK(instant_of(e["start"]) == at("2026-03-02T08:00:00Z"));
    CHECK(instant_of(e["end"]) == at("2026-03-02T09:30:00Z"));
    CHECK_FALSE(e["start"].HasMember("timeZone"));
    CHECK(std::string(e["extendedProperties"]["private"]["calsyncAppointmentId"].GetString()) ==
          "appt-42");
    // Nothing the export engine did not choose: no visibility, guests or shared properties.
    CHECK_FALSE(e.HasMember("visibility"));
    CHECK_FALSE(e.HasMember("attendees"));
    CHECK_FALSE(e["extendedProperties"].HasMember("shared"));
    auto requests = fake.requests();
    const auto& insert = requests[requests.Size() - 1];
    CHECK(std::string(insert["route"].GetString()) == "events.insert");
    CHECK(std::string(insert["query"]["sendUpdates"][0].GetString()) == "none");
}

TEST_CASE("google export: a create repeated after a lost answer updates, never duplicates") {
    GoogleFake fake;
    GoogleConnection c(fake);
    SECTION("the answer to the insert is lost: the retried insert meets 409") {
        auto losing = std::make_shared<LosingTransport>();
        auto http = calsync::providers::google::google_api_client(losing, "lossy-client",
                                                                  GoogleConnection::fast_limits());
        calsync::providers::google::GoogleProvider provider({fake.api_base()}, c.session, http);
        auto created = provider.create_event(kCalendar, appointment("appt-1"));
        REQUIRE(created.ok());
        CHECK(losing->lost);
        CHECK(fake.route_count("events.insert") == 2);  // the lost one and its retry (409)
        CHECK(fake.route_count("events.get") == 1);
        // The first insert wrote what the retry would: nothing is left to write.
        CHECK(fake.route_count("events.update") + fake.route_count("events.patch") == 0);
        CHECK(created->etag == stored(fake, created->id)["etag"].GetString());
    }
    SECTION("the export engine asks again after a crash") {
        auto first = c.provider.create_event(kCalendar, appointment("appt-1"));
        REQUIRE(first.ok());
        auto again = c.provider.create_event(
            kCalendar, appointment("appt-1", "2026-03-02T10:00:00Z", "2026-03-02T11:00:00Z"));
        REQUIRE(again.ok());
        CHECK(again->id == first->id);
        CHECK(again->etag != first->etag);
        CHECK(instant_of(stored(fake, first->id)["start"]) == at("2026-03-02T10:00:00Z"));
    }
    CHECK(live_events(fake) == 1);
}

TEST_CASE("google export: exporting again after the event was deleted brings it back") {
    GoogleFake fake;
    GoogleConnection c(fake);
    auto first = c.provider.create_event(kCalendar, appointment("appt-9"));
    REQUIRE(first.ok());
    REQUIRE(c.provider.delete_event(kCalendar, first.value()).ok());
    CHECK(live_events(fake) == 0);
    // Google keeps the deleted event as cancelled, so its id answers 409 to an insert.
    auto again = c.provider.create_event(kCalendar, appointment("appt-9"));
    REQUIRE(again.ok());
    CHECK(again->id == first->id);
    CHECK(std::string(stored(fake, again->id)["status"].GetString()) == "confirmed");
    CHECK(live_events(fake) == 1);
}

TEST_CASE("google export: an event at the derived id marked for another appointment keeps it") {
    GoogleFake fake;
    GoogleConnection c(fake);
    const std::string id = calsync::providers::google::export_event_id("appt-5");
    fake.put_event(R"({"id":")" + id +
                   R"(","summary":"someone else's","start":{"dateTime":"2026-03-02T08:00:00Z"},)"
                   R"("end":{"dateTime":"2026-03-02T09:00:00Z"},)"
                   R"("extendedProperties":{"private":{"calsyncAppointmentId":"appt-other"}}})");
    auto created = c.provider.create_event(kCalendar, appointment("appt-5"));
    REQUIRE_FALSE(created.ok());
    CHECK(created.error().code == calsync::ErrorCode::conflict);
    CHECK(std::string(stored(fake, id)["summary"].GetString()) == "someone else's");
}

// Issue 14, item 2: events.update replaces the whole resource.
TEST_CASE("google export: an update patches only calsync's fields, the owner's own stay") {
    GoogleFake fake;
    GoogleConnection c(fake);
    auto created = c.provider.create_event(kCalendar, appointment("appt-8"));
    REQUIRE(created.ok());
    // The owner colours the event and sets a reminder; another app keeps a property.
    fake.put_event(
        R"({"id":")" + created->id +
        R"(","summary":"Service: Anna Schmidt","description":"Client: Anna Schmidt\n)"
        R"(Service: brake pads\nVehicle: VW Golf B-XY 123","location":"Bay 2",)"
        R"("start":{"dateTime":"2026-03-02T08:00:00Z"},)"
        R"("end":{"dateTime":"2026-03-02T09:30:00Z"},"colorId":"11",)"
        R"("reminders":{"useDefault":false,"overrides":[{"method":"popup","minutes":30}]},)"
        R"("extendedProperties":{"private":{"calsyncAppointmentId":"appt-8",)"
        R"("otherApp":"keep"}}})");
    auto held = c.provider.find_export(kCalendar, "appt-8");
    REQUIRE(held.ok());
    REQUIRE(held->has_value());

    SECTION("nothing calsync writes changed: nothing is written") {
        auto same = c.provider.update_event(kCalendar, held->value(), appointment("appt-8"));
        REQUIRE(same.ok());
        CHECK(same->etag == held->value().etag);
        CHECK(fake.route_count("events.update") == 0);
        CHECK(fake.route_count("events.patch") == 0);
    }
    SECTION("the appointment moved: only start and end are patched, with If-Match") {
        auto moved = c.provider.update_event(
            kCalendar, held->value(),
            appointment("appt-8", "2026-03-02T10:00:00Z", "2026-03-02T11:30:00Z"));
        REQUIRE(moved.ok());
        CHECK(fake.route_count("events.update") == 0);
        REQUIRE(fake.route_count("events.patch") == 1);
        auto requests = fake.requests();
        const auto& patch = requests[requests.Size() - 1];
        CHECK(std::string(patch["route"].GetString()) == "events.patch");
        CHECK(std::string(patch["if_match"].GetString()) == held->value().etag);
        CHECK(std::string(patch["query"]["sendUpdates"][0].GetString()) == "none");
        std::vector<std::string> fields;
        for (const auto& m : patch["body"].GetObject())
            fields.emplace_back(m.name.GetString());
        CHECK(fields == std::vector<std::string>{"start", "end"});
        auto e = stored(fake, moved->id);
        CHECK(moved->etag == e["etag"].GetString());
        CHECK(instant_of(e["start"]) == at("2026-03-02T10:00:00Z"));
        CHECK(std::string(e["colorId"].GetString()) == "11");
        CHECK(e["reminders"]["overrides"][0]["minutes"].GetInt() == 30);
        CHECK(std::string(e["extendedProperties"]["private"]["otherApp"].GetString()) == "keep");
        CHECK(std::string(e["extendedProperties"]["private"]["calsyncAppointmentId"].GetString()) ==
              "appt-8");
    }
}

// Issue 14, item 7: calendar apps are free to drop another app's private properties; the
// event id, derived from the appointment id, is the identity, the property a hint.
TEST_CASE("google export: an export whose marker another app dropped is still ours") {
    GoogleFake fake;
    GoogleConnection c(fake);
    auto created = c.provider.create_event(kCalendar, appointment("appt-7"));
    REQUIRE(created.ok());
    fake.put_event(R"({"id":")" + created->id +
                   R"(","summary":"Edited elsewhere","start":{"dateTime":"2026-03-02T08:00:00Z"},)"
                   R"("end":{"dateTime":"2026-03-02T09:30:00Z"}})");

    auto read = c.provider.fetch_changes(kCalendar, "", {});
    REQUIRE(read.ok());
    REQUIRE(read->upserts.size() == 1);
    CHECK(read->upserts[0].export_marker == "appt-7");  // the importer skips it
    auto found = c.provider.find_export(kCalendar, "appt-7");
    REQUIRE(found.ok());
    REQUIRE(found->has_value());
    CHECK(found->value().etag == read->upserts[0].etag);

    auto mended = c.provider.update_event(kCalendar, found->value(), appointment("appt-7"));
    REQUIRE(mended.ok());
    auto requests = fake.requests();
    const auto& patch = requests[requests.Size() - 1];
    REQUIRE(std::string(patch["route"].GetString()) == "events.patch");
    std::vector<std::string> fields;
    for (const auto& m : patch["body"].GetObject())
        fields.emplace_back(m.name.GetString());
    CHECK(fields ==
          std::vector<std::string>{"summary", "description", "location", "extendedProperties"});
    auto e = stored(fake, created->id);
    CHECK(std::string(e["summary"].GetString()) == "Service: Anna Schmidt");
    CHECK(std::string(e["extendedProperties"]["private"]["calsyncAppointmentId"].GetString()) ==
          "appt-7");

    REQUIRE(c.provider.delete_event(kCalendar, mended.value()).ok());
    CHECK(live_events(fake) == 0);
}

TEST_CASE("google export: an update with a stale etag is a conflict naming the current one") {
    GoogleFake fake;
    GoogleConnection c(fake);
    auto created = c.provider.create_event(kCalendar, appointment("appt-3"));
    REQUIRE(created.ok());
    auto moved = c.provider.update_event(
        kCalendar, created.value(),
        appointment("appt-3", "2026-03-03T08:00:00Z", "2026-03-03T09:00:00Z"));
    REQUIRE(moved.ok());
    CHECK(moved->etag != created->etag);
    auto requests = fake.requests();
    CHECK(std::string(requests[requests.Size() - 1]["if_match"].GetString()) == created->etag);

    // The first etag is stale now: Google answers 412, the provider re-reads.
    auto stale = c.provider.update_event(kCalendar, created.value(), appointment("appt-3"));
    REQUIRE_FALSE(stale.ok());
    CHECK(stale.error().code == calsync::ErrorCode::conflict);
    CHECK(stale.error().http_status == 412);
    CHECK_THAT(stale.error().message, Catch::Contains(moved->etag));
    CHECK(instant_of(stored(fake, moved->id)["start"]) == at("2026-03-03T08:00:00Z"));
}

TEST_CASE("google export: an update of an event deleted meanwhile is not_found, not a conflict") {
    // Google keeps a deleted event as cancelled with a new etag, so the update meets 412;
    // the re-read shows the deletion, which the export runner answers by writing the
    // appointment anew (an edit would be re-read and planned again instead).
    GoogleFake fake;
    GoogleConnection c(fake);
    auto created = c.provider.create_event(kCalendar, appointment("appt-6"));
    REQUIRE(created.ok());
    fake.control("delete?calendar=garage@example.com&id=" + created->id);  // another client
    auto update = c.provider.update_event(
        kCalendar, created.value(),
        appointment("appt-6", "2026-03-03T08:00:00Z", "2026-03-03T09:00:00Z"));
    REQUIRE_FALSE(update.ok());
    CHECK(update.error().code == calsync::ErrorCode::not_found);
    CHECK_THAT(update.error().message, Catch::Contains("deleted in Google Calendar"));
    CHECK(live_events(fake) == 0);  // not brought back by the refused update
}

TEST_CASE("google export: an export is found by its derived id, a deleted one is none") {
    GoogleFake fake;
    GoogleConnection c(fake);
    auto none = c.provider.find_export(kCalendar, "appt-7");
    REQUIRE(none.ok());
    CHECK_FALSE(none->has_value());  // 404
    auto created = c.provider.create_event(kCalendar, appointment("appt-7"));
    REQUIRE(created.ok());
    auto found = c.provider.find_export(kCalendar, "appt-7");
    REQUIRE(found.ok());
    REQUIRE(found->has_value());
    CHECK(found->value().id == created->id);
    CHECK(found->value().etag == created->etag);
    fake.control("delete?calendar=garage@example.com&id=" + created->id);  // another client
    auto deleted = c.provider.find_export(kCalendar, "appt-7");
    REQUIRE(deleted.ok());
    CHECK_FALSE(deleted->has_value());  // kept by Google as cancelled
}

TEST_CASE("google export: delete with If-Match, and deleting twice is fine") {
    GoogleFake fake;
    GoogleConnection c(fake);
    auto created = c.provider.create_event(kCalendar, appointment("appt-4"));
    REQUIRE(created.ok());
    calsync::RemoteEvent stale = created.value();
    stale.etag = "\"1\"";
    auto refused = c.provider.delete_event(kCalendar, stale);
    REQUIRE_FALSE(refused.ok());
    CHECK(refused.error().code == calsync::ErrorCode::conflict);
    CHECK(live_events(fake) == 1);
    REQUIRE(c.provider.delete_event(kCalendar, created.value()).ok());
    REQUIRE(c.provider.delete_event(kCalendar, created.value()).ok());  // 410 deleted
    calsync::RemoteEvent never{"neverexisted1", ""};
    CHECK(c.provider.delete_event(kCalendar, never).ok());  // 404
    CHECK(live_events(fake) == 0);
}

TEST_CASE("google export: all-day and zoned times are written as Google expects them") {
    GoogleFake fake;
    GoogleConnection c(fake);
    Event day = appointment("appt-day");
    day.start = EventTime::all_day({2026, 3, 9});
    day.end.reset();
    auto created = c.provider.create_event(kCalendar, day);
    REQUIRE(created.ok());
    auto e = stored(fake, created->id);
    CHECK(std::string(e["start"]["date"].GetString()) == "2026-03-09");
    CHECK(std::string(e["end"]["date"].GetString()) == "2026-03-10");  // exclusive

    Event zoned = appointment("appt-zoned");
    auto berlin = calsync::find_iana_zone("Europe/Berlin").value();
    zoned.start = EventTime::in_zone({{2026, 3, 30}, 9, 0, 0}, berlin, "Europe/Berlin");
    zoned.end = EventTime::in_zone({{2026, 3, 30}, 10, 0, 0}, berlin, "Europe/Berlin");
    created = c.provider.create_event(kCalendar, zoned);
    REQUIRE(created.ok());
    e = stored(fake, created->id);
    CHECK(std::string(e["start"]["dateTime"].GetString()) == "2026-03-30T09:00:00+02:00");
    CHECK(std::string(e["start"]["timeZone"].GetString()) == "Europe/Berlin");

    Event floating = appointment("appt-floating");
    floating.start = EventTime::floating_time({{2026, 3, 30}, 9, 0, 0});
    auto refused = c.provider.create_event(kCalendar, floating);
    REQUIRE_FALSE(refused.ok());
    CHECK(refused.error().code == calsync::ErrorCode::invalid_argument);
}
