// graph_export.cpp against the Graph fake: exports that are never doubled, however the
// create fails, conditional updates, deletes, and the importer recognising them.
#include <algorithm>
#include <catch2/catch.hpp>
#include <string>

#include "calsync/engine.hpp"
#include "graph_fake.hpp"
#include "providers/microsoft/graph_event.hpp"

using namespace calsync;
using calsync::test::at;
using calsync::test::GraphConnection;
using calsync::test::GraphFake;
using calsync::test::march_2026;

namespace {

Event appointment(const std::string& id, const char* start = "2026-03-02T09:00:00Z",
                  const char* end = "2026-03-02T10:00:00Z") {
    Event e;
    e.summary = "Service " + id;
    e.description = "Client: Ada";
    e.start = EventTime::at_utc(at(start));
    e.end = EventTime::at_utc(at(end));
    e.export_marker = id;
    return e;
}

// The fake's events in `calendar`.
std::vector<std::string> subjects_in(const GraphFake& fake, const std::string& calendar) {
    std::vector<std::string> out;
    auto events = fake.control("events");
    for (const auto& e : events.GetArray()) {
        if (calendar == e["calendar"].GetString())
            out.push_back(e["subject"].GetString());
    }
    return out;
}

void fault(const GraphFake& fake, const std::string& json) {
    fake.control("fault", json);
}

}  // namespace

TEST_CASE("graph export: a create carries the transactionId and the appointment property") {
    GraphFake fake;
    GraphConnection c(fake);
    const std::string cal = fake.workshop_calendar();
    auto created = c.provider->create_event(cal, appointment("appt-1"));
    REQUIRE(created.ok());
    CHECK_THAT(created->etag, Catch::StartsWith("W/\""));
    auto events = fake.control("events");
    REQUIRE(events.Size() == 1);
    const auto& held = events[0];
    CHECK(std::string(held["id"].GetString()) == created->id);
    CHECK(std::string(held["calendar"].GetString()) == cal);
    CHECK(std::string(held["transactionId"].GetString()) ==
          providers::microsoft::transaction_id_for("appt-1", cal));
    CHECK(std::string(held["singleValueExtendedProperties"][0]["value"].GetString()) == "appt-1");
    CHECK(std::string(held["start"]["dateTime"].GetString()) == "2026-03-02T09:00:00.0000000");

    // Made again (after a crash, say): Graph's transactionId check returns the first one.
    auto again = c.provider->create_event(cal, appointment("appt-1"));
    REQUIRE(again.ok());
    CHECK(again->id == created->id);
    CHECK(subjects_in(fake, cal).size() == 1);

    // The same appointment exported to the mailbox's default calendar too is another event
    // there, not a "retry" answered with the workshop's.
    const std::string other = fake.default_calendar();
    auto second = c.provider->create_event(other, appointment("appt-1"));
    REQUIRE(second.ok());
    CHECK(second->id != created->id);
    CHECK(subjects_in(fake, other) == std::vector<std::string>{"Service appt-1"});
    CHECK(subjects_in(fake, cal).size() == 1);
}

// Graph may answer a POST whose transactionId a deleted event (in Deleted Items) still
// holds with that deleted event; each creation of an appointment's event has its own.
TEST_CASE("graph export: each generation of an export is its own event, repeats are not") {
    GraphFake fake;
    GraphConnection c(fake);
    const std::string cal = fake.workshop_calendar();
    auto first = c.provider->create_event(cal, appointment("appt-g"));
    REQUIRE(first.ok());
    REQUIRE(c.provider->delete_event(cal, first.value()).ok());
    Event again = appointment("appt-g");
    again.export_generation = 1;
    auto second = c.provider->create_event(cal, again);
    REQUIRE(second.ok());
    CHECK(second->id != first->id);
    CHECK(subjects_in(fake, cal) == std::vector<std::string>{"Service appt-g"});
    auto repeated = c.provider->create_event(cal, again);  // a retry of that creation
    REQUIRE(repeated.ok());
    CHECK(repeated->id == second->id);
    CHECK(subjects_in(fake, cal).size() == 1);
    auto read = c.provider->fetch_changes(cal, "", march_2026());
    REQUIRE(read.ok());
    REQUIRE(read->upserts.size() == 1);
    CHECK(read->upserts[0].export_marker == "appt-g");
}

TEST_CASE("graph export: an export is found by its appointment property, in its calendar") {
    GraphFake fake;
    GraphConnection c(fake);
    const std::string cal = fake.workshop_calendar();
    auto none = c.provider->find_export(cal, "appt-7");
    REQUIRE(none.ok());
    CHECK_FALSE(none->has_value());
    auto created = c.provider->create_event(cal, appointment("appt-7"));
    REQUIRE(created.ok());
    auto found = c.provider->find_export(cal, "appt-7");
    REQUIRE(found.ok());
    REQUIRE(found->has_value());
    CHECK(found->value().id == created->id);
    auto elsewhere = c.provider->find_export(fake.default_calendar(), "appt-7");
    REQUIRE(elsewhere.ok());
    CHECK_FALSE(elsewhere->has_value());
    REQUIRE(c.provider->delete_event(cal, created.value()).ok());
    auto deleted = c.provider->find_export(cal, "appt-7");
    REQUIRE(deleted.ok());
    CHECK_FALSE(deleted->has_value());
}

TEST_CASE("graph export: the importer marks calsync's exports on both read paths") {
    GraphFake fake;
    GraphConnection c(fake);
    REQUIRE(c.provider->create_event(fake.workshop_calendar(), appointment("appt-w")).ok());
    REQUIRE(c.provider->create_event(fake.default_calendar(), appointment("appt-d")).ok());
    fake.add_event(
        R"({"subject":"theirs","start":"2026-03-05T09:00:00Z","end":"2026-03-05T10:00:00Z"})");

    // The listing reads the extended property through $expand.
    auto listed = c.provider->fetch_changes(fake.workshop_calendar(), "", march_2026());
    REQUIRE(listed.ok());
    REQUIRE(listed->upserts.size() == 1);
    CHECK(listed->upserts[0].export_marker == "appt-w");
    // Delta cannot $expand; the transactionId it returns names the appointment.
    auto delta = c.provider->fetch_changes(fake.default_calendar(), "", march_2026());
    REQUIRE(delta.ok());
    REQUIRE(delta->upserts.size() == 2);
    for (const Event& e : delta->upserts)
        CHECK(e.export_marker == (e.summary == "theirs" ? "" : "appt-d"));

    // The engine skips them: only the other client's event blocks.
    BlockingPolicy policy;
    policy.window = march_2026();
    auto engine = ImportEngine::create(policy);
    REQUIRE(engine.ok());
    engine->load(delta->upserts);
    REQUIRE(engine->slots().size() == 1);
    CHECK(engine->slots()[0].range.start == at("2026-03-05T09:00:00Z"));
}

// Regression: the importer read an event's version as the bare changeKey while the
// exporter kept W/"<changeKey>", so every read of a "both" calendar showed calsync's own
// unchanged exports as edited by someone else; the sync PATCHed them with the bare
// changeKey, met 412, and the connection failed on every sync from then on.
TEST_CASE("graph export: the importer reads an export's version as the exporter holds it") {
    GraphFake fake;
    GraphConnection c(fake);
    for (const std::string& cal : {fake.default_calendar(), fake.workshop_calendar()}) {
        INFO(cal);  // the default calendar is read by delta, the other by the listing
        auto created = c.provider->create_event(cal, appointment("appt-v"));
        REQUIRE(created.ok());
        auto read = c.provider->fetch_changes(cal, "", march_2026());
        REQUIRE(read.ok());
        const auto ours = std::find_if(read->upserts.begin(), read->upserts.end(),
                                       [](const Event& e) { return e.export_marker == "appt-v"; });
        REQUIRE(ours != read->upserts.end());
        CHECK(ours->etag == created->etag);
        // The version read is one Graph takes as If-Match.
        auto updated = c.provider->update_event(cal, {ours->id, ours->etag}, appointment("appt-v"));
        REQUIRE(updated.ok());
        REQUIRE(c.provider->delete_event(cal, updated.value()).ok());
    }
}

TEST_CASE("graph export: a create whose fate is unknown is looked up before it is sent again") {
    struct Case {
        const char* fault;  // on the first POST
        int posts;          // POSTs that reach the fake in all
    };
    const Case c = GENERATE(
        // Landed, but answered 503: found by the property, not sent again.
        Case{R"({"method":"POST","path":"/v1.0/me/calendars/","status":503,"land":true})", 1},
        // Landed, then the connection was reset before the answer.
        Case{R"({"method":"POST","path":"/v1.0/me/calendars/","reset":true,"land":true})", 1},
        // Did not land (503 with Retry-After): not found, so sent again after the wait.
        Case{R"({"method":"POST","path":"/v1.0/me/calendars/","status":503,"retry_after":"1"})",
             2});
    INFO(c.fault);
    GraphFake fake;
    GraphConnection connection(fake);
    connection.real_waits = true;
    const std::string cal = fake.workshop_calendar();
    fault(fake, c.fault);
    auto created = connection.provider->create_event(cal, appointment("appt-2"));
    REQUIRE(created.ok());
    CHECK(subjects_in(fake, cal) == std::vector<std::string>{"Service appt-2"});
    CHECK(fake.route_count("POST /me/calendars/{id}/events") == c.posts);
    CHECK(fake.route_count("GET /me/calendars/{id}/events") == 1);  // the lookup
    CHECK(created->id == fake.control("events")[0]["id"].GetString());
    if (c.posts == 2)
        CHECK(std::find(connection.waits.begin(), connection.waits.end(),
                        std::chrono::seconds(1)) != connection.waits.end());
}

TEST_CASE("graph export: 429 waits Retry-After and sends again without a lookup") {
    GraphFake fake;
    GraphConnection c(fake);
    c.real_waits = true;  // the fake checks that it was waited
    const std::string cal = fake.workshop_calendar();
    fault(fake, R"({"method":"POST","path":"/v1.0/me/calendars/","status":429,"retry_after":"1"})");
    auto created = c.provider->create_event(cal, appointment("appt-5"));
    REQUIRE(created.ok());
    CHECK(c.waits == std::vector<std::chrono::milliseconds>{std::chrono::seconds(1)});
    CHECK(fake.control("stats")["throttle_violations"].Empty());
    CHECK(fake.route_count("POST /me/calendars/{id}/events") == 2);
    CHECK(fake.route_count("GET /me/calendars/{id}/events") == 0);
    CHECK(subjects_in(fake, cal).size() == 1);
}

TEST_CASE("graph export: a Retry-After beyond what the host waits is handed back") {
    GraphFake fake;
    GraphConnection c(fake);
    fault(fake,
          R"({"method":"POST","path":"/v1.0/me/calendars/","status":429,"retry_after":"600"})");
    auto created = c.provider->create_event(fake.workshop_calendar(), appointment("appt-6"));
    REQUIRE_FALSE(created.ok());
    CHECK(created.error().code == ErrorCode::rate_limited);
    REQUIRE(created.error().retry_after.has_value());
    CHECK(created.error().retry_after->count() == 600);
    CHECK(c.waits.empty());
    CHECK(subjects_in(fake, fake.workshop_calendar()).empty());
}

TEST_CASE("graph export: updates are conditional on the changeKey") {
    GraphFake fake;
    GraphConnection c(fake);
    const std::string cal = fake.workshop_calendar();
    auto created = c.provider->create_event(cal, appointment("appt-7"));
    REQUIRE(created.ok());
    Event moved = appointment("appt-7", "2026-03-02T11:00:00Z", "2026-03-02T12:00:00Z");
    moved.summary = "Service appt-7 (moved)";
    auto updated = c.provider->update_event(cal, created.value(), moved);
    REQUIRE(updated.ok());
    CHECK(updated->id == created->id);
    CHECK(updated->etag != created->etag);
    auto stats = fake.control("stats");
    CHECK(stats["if_match"][0].GetString() == created->etag);
    CHECK(subjects_in(fake, cal) == std::vector<std::string>{"Service appt-7 (moved)"});

    // Someone edits it in Outlook: our next update fails as a conflict after a re-read.
    fake.control("update", "{\"id\":\"" + created->id + "\",\"subject\":\"edited in Outlook\"}");
    auto stale = c.provider->update_event(cal, updated.value(), appointment("appt-7"));
    REQUIRE_FALSE(stale.ok());
    CHECK(stale.error().code == ErrorCode::conflict);
    CHECK(stale.error().http_status == 412);
    CHECK_THAT(stale.error().message,
               Catch::Contains("ErrorIrresolvableConflict") && Catch::Contains("now W/\""));
    CHECK(subjects_in(fake, cal) == std::vector<std::string>{"edited in Outlook"});
}

TEST_CASE("graph export: a PATCH that landed unseen is recognised by its content") {
    GraphFake fake;
    GraphConnection c(fake);
    const std::string cal = fake.workshop_calendar();
    auto created = c.provider->create_event(cal, appointment("appt-8"));
    REQUIRE(created.ok());
    fault(fake, R"({"method":"PATCH","path":"/v1.0/me/events/","status":503,"land":true})");
    Event moved = appointment("appt-8", "2026-03-03T09:00:00Z", "2026-03-03T10:00:00Z");
    auto updated = c.provider->update_event(cal, created.value(), moved);
    REQUIRE(updated.ok());
    CHECK(updated->etag != created->etag);
    CHECK(fake.route_count("PATCH /me/events/{id}") == 1);  // not sent again
}

TEST_CASE("graph export: delete, and delete of what is already gone") {
    GraphFake fake;
    GraphConnection c(fake);
    const std::string cal = fake.workshop_calendar();
    auto created = c.provider->create_event(cal, appointment("appt-9"));
    REQUIRE(created.ok());
    REQUIRE(c.provider->delete_event(cal, created.value()).ok());
    CHECK(subjects_in(fake, cal).empty());
    auto twice = c.provider->delete_event(cal, created.value());
    CHECK(twice.ok());  // 404: gone either way
    auto update = c.provider->update_event(cal, created.value(), appointment("appt-9"));
    REQUIRE_FALSE(update.ok());
    CHECK(update.error().code == ErrorCode::not_found);
    CHECK_THAT(update.error().message, Catch::Contains("ErrorItemNotFound"));
}

TEST_CASE("graph export: read-only calendars and read-only grants are refused readably") {
    GraphFake fake;
    GraphConnection c(fake);
    auto holidays = c.provider->create_event(fake.holidays_calendar(), appointment("appt-10"));
    REQUIRE_FALSE(holidays.ok());
    CHECK(holidays.error().code == ErrorCode::auth);
    CHECK(holidays.error().http_status == 403);
    CHECK_THAT(holidays.error().message, Catch::Contains("ErrorAccessDenied"));

    GraphConnection reader(fake, "Calendars.Read offline_access");
    auto refused = reader.provider->create_event(fake.workshop_calendar(), appointment("appt-11"));
    REQUIRE_FALSE(refused.ok());
    CHECK_THAT(refused.error().message, Catch::Contains("Calendars.Read"));
    CHECK(reader.provider->list_calendars().ok());  // reading is still allowed

    auto unmarked = c.provider->create_event(fake.workshop_calendar(), Event{});
    REQUIRE_FALSE(unmarked.ok());
    CHECK(unmarked.error().code == ErrorCode::invalid_argument);
}
