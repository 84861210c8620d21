// graph_import.cpp against the Graph fake: calendarView/delta for the default calendar, the
// changeKey-compared calendarView listing for the others, and what both must tolerate.
#include <algorithm>
#include <catch2/catch.hpp>
#include <iterator>
#include <map>
#include <string>

#include "calsync/engine.hpp"
#include "graph_fake.hpp"
#include "providers/microsoft/graph_import.hpp"

using namespace calsync;
using calsync::test::at;
using calsync::test::GraphConnection;
using calsync::test::GraphFake;
using calsync::test::march_2026;

namespace {

// What a store holds for one calendar: event id -> "subject@start".
using Held = std::map<std::string, std::string>;

void apply_changes(const ChangeSet& changes, Held* held) {
    if (changes.full_resync)
        held->clear();
    for (const std::string& id : changes.removals)
        held->erase(id);
    for (const Event& e : changes.upserts)
        (*held)[e.id] = e.summary + "@" + format_rfc3339(e.start.resolve(*TimeZone::utc()));
}

std::string event_json(const std::string& subject, const std::string& start, const std::string& end,
                       const std::string& calendar = "", const std::string& extra = "") {
    return "{\"subject\":\"" + subject + "\",\"start\":\"" + start + "\",\"end\":\"" + end + "\"" +
           (calendar.empty() ? "" : ",\"calendar\":\"" + calendar + "\"") +
           (extra.empty() ? "" : "," + extra) + "}";
}

struct Sync {
    Sync(GraphConnection& c, std::string id) : connection(c), calendar(std::move(id)) {}

    GraphConnection& connection;
    std::string calendar;
    std::string cursor;
    Held held;

    ChangeSet run(const TimeRange& window = march_2026()) {
        auto changes = connection.provider->fetch_changes(calendar, cursor, window);
        INFO((changes.ok() ? "" : changes.error().message));
        REQUIRE(changes.ok());
        apply_changes(changes.value(), &held);
        cursor = changes->next_cursor;
        return changes.value();
    }
};

}  // namespace

TEST_CASE("graph import: delta pages are followed verbatim and the deltaLink kept") {
    GraphFake fake;
    for (int day = 2; day <= 6; ++day) {
        const std::string d = "2026-03-0" + std::to_string(day);
        fake.add_event(
            event_json("job " + std::to_string(day), d + "T09:00:00Z", d + "T10:00:00Z"));
    }
    providers::microsoft::GraphOptions options;
    options.import.page_size = 2;
    GraphConnection c(fake, "Calendars.ReadWrite offline_access", options);
    Sync sync{c, fake.default_calendar()};
    const ChangeSet full = sync.run();
    CHECK(full.full_resync);
    CHECK(full.errors.empty());
    CHECK(full.upserts.size() == 5);
    CHECK(sync.held.size() == 5);
    CHECK(sync.held.begin()->second.find("@2026-03-0") != std::string::npos);
    CHECK(fake.route_count("GET /me/calendarView/delta") == 3);  // 2 + 2 + 1
    CHECK(providers::microsoft::is_delta_cursor(sync.cursor));
    CHECK_THAT(sync.cursor, Catch::Contains("$deltatoken="));
    auto stats = fake.control("stats");
    bool page_size = false;
    bool zone = false;
    for (const auto& p : stats["prefer"].GetArray()) {
        page_size = page_size || std::string(p.GetString()) == "odata.maxpagesize=2";
        zone = zone || std::string(p.GetString()) == "outlook.timezone=\"UTC\"";
    }
    CHECK(page_size);
    CHECK(zone);

    // Nothing changed: one request, nothing to apply, a fresh deltaLink.
    const ChangeSet quiet = sync.run();
    CHECK_FALSE(quiet.full_resync);
    CHECK(quiet.upserts.empty());
    CHECK(quiet.removals.empty());
    CHECK(fake.route_count("GET /me/calendarView/delta") == 4);
}

TEST_CASE("graph import: an incremental round brings additions, changes and removals") {
    GraphFake fake;
    const std::string keep =
        fake.add_event(event_json("keep", "2026-03-02T09:00:00Z", "2026-03-02T10:00:00Z"));
    const std::string change =
        fake.add_event(event_json("change", "2026-03-03T09:00:00Z", "2026-03-03T10:00:00Z"));
    const std::string gone =
        fake.add_event(event_json("gone", "2026-03-04T09:00:00Z", "2026-03-04T10:00:00Z"));
    const std::string leaves =
        fake.add_event(event_json("leaves", "2026-03-05T09:00:00Z", "2026-03-05T10:00:00Z"));
    GraphConnection c(fake);
    Sync sync{c, fake.default_calendar()};
    sync.run();
    REQUIRE(sync.held.size() == 4);

    const std::string added =
        fake.add_event(event_json("added", "2026-03-09T09:00:00Z", "2026-03-09T10:00:00Z"));
    fake.control("update", "{\"id\":\"" + change + "\",\"subject\":\"changed\"}");
    fake.control("delete", "{\"id\":\"" + gone + "\"}");
    // Moved far beyond the window: Graph reports it under @removed.
    fake.control("update",
                 "{\"id\":\"" + leaves +
                     "\",\"start\":\"2027-01-05T09:00:00Z\",\"end\":\"2027-01-05T10:00:00Z\"}");
    // Added outside the window: reported as removed too, and never held.
    fake.add_event(event_json("far", "2027-02-01T09:00:00Z", "2027-02-01T10:00:00Z"));
    const ChangeSet round = sync.run();
    CHECK_FALSE(round.full_resync);
    CHECK(round.upserts.size() == 2);
    CHECK(sync.held == Held{{keep, "keep@2026-03-02T09:00:00Z"},
                            {change, "changed@2026-03-03T09:00:00Z"},
                            {added, "added@2026-03-09T09:00:00Z"}});
}

TEST_CASE("graph import: replays, duplicates and empty pages change nothing") {
    GraphFake fake;
    fake.control("config", R"({"duplicates":true,"replay":3,"empty_pages":true})");
    const std::string a =
        fake.add_event(event_json("a", "2026-03-02T09:00:00Z", "2026-03-02T10:00:00Z"));
    const std::string b =
        fake.add_event(event_json("b", "2026-03-03T09:00:00Z", "2026-03-03T10:00:00Z"));
    providers::microsoft::GraphOptions options;
    options.import.page_size = 1;
    GraphConnection c(fake, "Calendars.ReadWrite offline_access", options);
    Sync sync{c, fake.default_calendar()};
    const ChangeSet full = sync.run();
    CHECK(full.upserts.size() == 2);  // each entity once, though listed twice
    fake.control("delete", "{\"id\":\"" + a + "\"}");
    const ChangeSet round = sync.run();  // the delete, plus replayed older changes
    CHECK(sync.held == Held{{b, "b@2026-03-03T09:00:00Z"}});
    CHECK(std::count(round.removals.begin(), round.removals.end(), a) == 1);
    const ChangeSet again = sync.run();  // the same changes replayed once more
    CHECK(sync.held == Held{{b, "b@2026-03-03T09:00:00Z"}});
    CHECK(again.errors.empty());
}

TEST_CASE("graph import: an expired delta token starts a full resync") {
    GraphFake fake;
    const std::string a =
        fake.add_event(event_json("a", "2026-03-02T09:00:00Z", "2026-03-02T10:00:00Z"));
    GraphConnection c(fake);
    Sync sync{c, fake.default_calendar()};
    sync.run();
    // 410 syncStateNotFound, 400 syncStateNotFound (delta-query-overview.md: "40X-series"),
    // and a reset (410 with an empty $deltatoken).
    const std::string expiry = GENERATE(std::string(R"({"mode":"syncStateNotFound"})"),
                                        std::string(R"({"mode":"syncStateNotFound","status":400})"),
                                        std::string(R"({"mode":"reset"})"));
    INFO(expiry);
    fake.control("expire_delta", expiry);
    const std::string b =
        fake.add_event(event_json("b", "2026-03-03T09:00:00Z", "2026-03-03T10:00:00Z"));
    const ChangeSet resync = sync.run();
    CHECK(resync.full_resync);  // the store replaces the calendar with this
    CHECK(resync.upserts.size() == 2);
    CHECK(sync.held.size() == 2);
    CHECK(sync.held.count(b) == 1);
    // The new cursor works.
    fake.control("delete", "{\"id\":\"" + a + "\"}");
    const ChangeSet after = sync.run();
    CHECK_FALSE(after.full_resync);
    CHECK(sync.held.size() == 1);
}

TEST_CASE("graph import: a window past the delta round's starts a new round") {
    GraphFake fake;
    fake.add_event(event_json("a", "2026-03-02T09:00:00Z", "2026-03-02T10:00:00Z"));
    fake.add_event(event_json("april", "2026-04-20T09:00:00Z", "2026-04-20T10:00:00Z"));
    GraphConnection c(fake);
    Sync sync{c, fake.default_calendar()};
    const ChangeSet march = sync.run();
    CHECK(march.upserts.size() == 1);  // April 20 is beyond the window and its lookahead
    const ChangeSet wider = sync.run({at("2026-03-01T00:00:00Z"), at("2026-05-01T00:00:00Z")});
    CHECK(wider.full_resync);
    CHECK(sync.held.size() == 2);
    // A window inside the round's keeps the delta state.
    const ChangeSet inside = sync.run({at("2026-03-02T00:00:00Z"), at("2026-04-30T00:00:00Z")});
    CHECK_FALSE(inside.full_resync);
}

TEST_CASE("graph import: series instances reach the engine once each") {
    GraphFake fake;
    const std::string master =
        fake.add_event(event_json("weekly", "2026-03-02T09:00:00Z", "2026-03-02T10:00:00Z", "",
                                  R"("recurrence":{"every_days":7,"count":4})"));
    fake.control(
        "update",
        "{\"id\":\"" + master +
            "_OCC1\",\"start\":\"2026-03-10T14:00:00Z\",\"end\":\"2026-03-10T15:00:00Z\"}");
    fake.control("delete", "{\"id\":\"" + master + "_OCC2\"}");
    GraphConnection c(fake);
    Sync sync{c, fake.default_calendar()};
    const ChangeSet full = sync.run();
    REQUIRE(full.upserts.size() == 3);

    BlockingPolicy policy;
    policy.window = march_2026();
    auto engine = ImportEngine::create(policy);
    REQUIRE(engine.ok());
    engine->load(full.upserts);
    std::vector<std::string> starts;
    const std::vector<BlockedSlot> slots = engine->slots();
    std::transform(slots.begin(), slots.end(), std::back_inserter(starts),
                   [](const BlockedSlot& s) { return format_rfc3339(s.range.start); });
    CHECK(starts == std::vector<std::string>{"2026-03-02T09:00:00Z", "2026-03-10T14:00:00Z",
                                             "2026-03-23T09:00:00Z"});

    // The series is deleted: each instance is removed under its own id.
    fake.control("delete", "{\"id\":\"" + master + "\"}");
    const ChangeSet removed = sync.run();
    CHECK(removed.removals.size() >= 3);
    for (const std::string& id : removed.removals)
        engine->remove(fake.default_calendar(), id);
    CHECK(engine->slots().empty());
    CHECK(sync.held.empty());
}

// Graph expands a series in its own zone: a Monday 09:00 Berlin series is 08:00Z before the
// spring change and 07:00Z after it; the instances calendarView returns are taken as given.
TEST_CASE("graph import: a weekly series keeps its wall-clock time across DST") {
    GraphFake fake;
    fake.add_event(
        R"({"subject":"weekly","start":"2026-03-23T08:00:00Z","end":"2026-03-23T09:00:00Z",
        "originalStartTimeZone":"W. Europe Standard Time",
        "recurrence":{"pattern":{"type":"weekly","interval":1,"daysOfWeek":["monday"]},
                      "range":{"type":"numbered","startDate":"2026-03-23","numberOfOccurrences":3}}})");
    GraphConnection c(fake);
    Sync sync{c, fake.default_calendar()};
    const ChangeSet read = sync.run({at("2026-03-01T00:00:00Z"), at("2026-04-30T00:00:00Z")});
    std::vector<std::string> starts;
    for (const Event& e : read.upserts)
        starts.push_back(format_rfc3339(e.start.resolve(*TimeZone::utc())));
    std::sort(starts.begin(), starts.end());
    CHECK(starts == std::vector<std::string>{"2026-03-23T08:00:00Z", "2026-03-30T07:00:00Z",
                                             "2026-04-06T07:00:00Z"});
}

TEST_CASE("graph import: times given in a Windows zone are read through CLDR") {
    GraphFake fake;
    fake.add_event(event_json("berlin", "2026-03-02T08:00:00Z", "2026-03-02T09:00:00Z"));
    providers::microsoft::GraphOptions options;
    options.import.time_zone = "W. Europe Standard Time";
    GraphConnection c(fake, "Calendars.ReadWrite offline_access", options);
    auto changes = c.provider->fetch_changes(fake.default_calendar(), "", march_2026());
    REQUIRE(changes.ok());
    REQUIRE(changes->upserts.size() == 1);
    const Event& e = changes->upserts[0];
    CHECK(e.start.tzid == "W. Europe Standard Time");
    CHECK(e.start.local.hour == 9);  // Berlin wall time, as Graph wrote it
    CHECK(e.start.resolve(*TimeZone::utc()) == at("2026-03-02T08:00:00Z"));
}

TEST_CASE("graph import: a malformed event is reported and the rest imported") {
    GraphFake fake;
    const std::string good =
        fake.add_event(event_json("good", "2026-03-02T09:00:00Z", "2026-03-02T10:00:00Z"));
    const std::string bad = fake.add_event(
        event_json("bad", "2026-03-03T09:00:00Z", "2026-03-03T10:00:00Z", "", R"("broken":true)"));
    GraphConnection c(fake);
    Sync sync{c, fake.default_calendar()};
    const ChangeSet full = sync.run();
    CHECK(sync.held.count(good) == 1);
    REQUIRE(full.errors.size() == 1);
    CHECK(full.errors[0].event_id == bad);
    CHECK(full.errors[0].calendar_id == fake.default_calendar());
    CHECK_THAT(full.errors[0].message, Catch::Contains("no start"));
}

TEST_CASE("graph import: other calendars are listed and compared by changeKey") {
    GraphFake fake;
    const std::string cal = fake.workshop_calendar();
    const std::string keep =
        fake.add_event(event_json("keep", "2026-03-02T09:00:00Z", "2026-03-02T10:00:00Z", cal));
    const std::string change =
        fake.add_event(event_json("change", "2026-03-03T09:00:00Z", "2026-03-03T10:00:00Z", cal));
    const std::string gone =
        fake.add_event(event_json("gone", "2026-03-04T09:00:00Z", "2026-03-04T10:00:00Z", cal));
    fake.add_event(event_json("other calendar", "2026-03-04T09:00:00Z", "2026-03-04T10:00:00Z"));
    providers::microsoft::GraphOptions options;
    options.import.page_size = 2;
    GraphConnection c(fake, "Calendars.ReadWrite offline_access", options);
    Sync sync{c, cal};
    const ChangeSet full = sync.run();
    CHECK(full.full_resync);
    CHECK(full.upserts.size() == 3);
    CHECK(fake.route_count("GET /me/calendars/{id}/calendarView") == 2);  // 2 + 1, paged
    CHECK(fake.route_count("GET /me/calendarView/delta") == 0);
    CHECK(providers::microsoft::is_listing_cursor(sync.cursor));

    const ChangeSet quiet = sync.run();
    CHECK_FALSE(quiet.full_resync);
    CHECK(quiet.upserts.empty());
    CHECK(quiet.removals.empty());

    fake.control("update", "{\"id\":\"" + change + "\",\"subject\":\"changed\"}");
    fake.control("delete", "{\"id\":\"" + gone + "\"}");
    const std::string added =
        fake.add_event(event_json("added", "2026-03-09T09:00:00Z", "2026-03-09T10:00:00Z", cal));
    const ChangeSet round = sync.run();
    CHECK(round.upserts.size() == 2);  // only what changed: "changed" and "added"
    CHECK(round.removals == std::vector<std::string>{gone});
    CHECK(sync.held == Held{{keep, "keep@2026-03-02T09:00:00Z"},
                            {change, "changed@2026-03-03T09:00:00Z"},
                            {added, "added@2026-03-09T09:00:00Z"}});
}

TEST_CASE("graph import: delta and listing give the default calendar the same state") {
    GraphFake fake;
    const std::string a =
        fake.add_event(event_json("a", "2026-03-02T09:00:00Z", "2026-03-02T10:00:00Z"));
    const std::string b =
        fake.add_event(event_json("b", "2026-03-03T09:00:00Z", "2026-03-03T10:00:00Z"));
    fake.add_event(event_json("weekly", "2026-03-04T09:00:00Z", "2026-03-04T10:00:00Z", "",
                              R"("recurrence":{"every_days":7,"count":3})"));
    providers::microsoft::GraphOptions by_listing;
    by_listing.delta_for_default_calendar = false;
    GraphConnection delta_connection(fake);
    GraphConnection listing_connection(fake, "Calendars.ReadWrite offline_access", by_listing);
    Sync delta{delta_connection, fake.default_calendar()};
    Sync listing{listing_connection, fake.default_calendar()};
    delta.run();
    listing.run();
    CHECK(providers::microsoft::is_delta_cursor(delta.cursor));
    CHECK(providers::microsoft::is_listing_cursor(listing.cursor));
    CHECK(delta.held == listing.held);
    CHECK(delta.held.size() == 5);
    fake.control("delete", "{\"id\":\"" + a + "\"}");
    fake.control("update", "{\"id\":\"" + b + "\",\"subject\":\"b2\"}");
    fake.add_event(event_json("c", "2026-03-20T09:00:00Z", "2026-03-20T10:00:00Z"));
    const ChangeSet d = delta.run();
    const ChangeSet l = listing.run();
    CHECK(delta.held == listing.held);
    CHECK(d.upserts.size() == l.upserts.size());
    CHECK(d.removals == l.removals);
}

TEST_CASE("graph import: the changeKey cursor is compact and unreadable ones start over") {
    std::map<std::string, std::string> keys;
    for (int i = 0; i < 200; ++i)
        keys["AAMkADAwATM0MDAAMS1iNTcwLWI2NTEtMDACLTAwCgBGAAAD" + std::to_string(1000 + i) +
             "AAA="] = "DwAAABYAAAC" + std::to_string(i);
    const std::string cursor = providers::microsoft::encode_change_keys(keys);
    std::size_t naive = 0;
    for (const auto& [id, key] : keys)
        naive += id.size() + key.size() + 2;
    CHECK(cursor.size() < naive / 2);
    CHECK(providers::microsoft::decode_change_keys(cursor) == keys);
    CHECK_FALSE(providers::microsoft::decode_change_keys("view\n99\tx\ty\n").has_value());
    CHECK_FALSE(providers::microsoft::decode_change_keys("delta\n...").has_value());

    GraphFake fake;
    const std::string cal = fake.workshop_calendar();
    fake.add_event(event_json("a", "2026-03-02T09:00:00Z", "2026-03-02T10:00:00Z", cal));
    GraphConnection c(fake);
    auto changes = c.provider->fetch_changes(cal, "view\nnot a cursor", march_2026());
    REQUIRE(changes.ok());
    CHECK(changes->full_resync);
    CHECK(changes->upserts.size() == 1);
}
