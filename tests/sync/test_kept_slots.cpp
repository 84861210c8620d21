// Blocked slots kept in the store (issue 16, item 5): what a worker syncs lands in the
// business's stored slots (StateStore::list_blocked_slots, the SQL view
// calsync_blocked_slots), equal to what the engine computes, following remote changes and
// leaving with a disconnect. On a memory fleet and on a SQLite file.
#include <stdlib.h>
#include <unistd.h>

#include <algorithm>
#include <catch2/catch.hpp>
#include <string>
#include <vector>

#include "worker_fleet.hpp"

using namespace calsync;
using namespace calsync::test;

namespace {

const TimeRange kDay{at("2026-06-01T00:00:00Z"), at("2026-06-04T00:00:00Z")};

// The stored slots named as the engine names a slot's calendar, "<connection>/<calendar>"
// (the store keeps the connection apart), in the engine's order.
std::vector<BlockedSlot> stored(Fleet& f, const std::string& business,
                                const TimeRange& range = kDay) {
    auto view = f.fleet->open_business(business);
    REQUIRE(view.ok());
    auto slots = view.value()->list_blocked_slots(range);
    REQUIRE(slots.ok());
    std::vector<BlockedSlot> named;
    for (StoredSlot& s : slots.value()) {
        s.slot.calendar_id = slot_calendar_key(s.connection_id, s.slot.calendar_id);
        named.push_back(std::move(s.slot));
    }
    std::sort(named.begin(), named.end());
    return named;
}

void drain(Worker& w) {
    for (;;) {
        auto pass = w.run_once();
        REQUIRE(pass.ok());
        REQUIRE(pass->failed.empty());
        if (pass->claimed == 0)
            return;
    }
}

std::shared_ptr<FleetStore> sqlite_fleet(std::string* dir) {
    char pattern[] = "/tmp/calsync-kept-slots-XXXXXX";
    REQUIRE(mkdtemp(pattern) != nullptr);
    *dir = pattern;
    auto fleet = open_fleet("sqlite:" + *dir + "/fleet.sqlite");
    REQUIRE(fleet.ok());
    return std::shared_ptr<FleetStore>(std::move(fleet).value());
}

void check_kept_slots(Fleet& f) {
    auto worker = f.worker("w1");
    drain(*worker);
    // What the worker synced is in the store, equal to a client's own expansion.
    for (const auto& [business, ids] : f.connections) {
        auto client = f.client_of(business);
        const auto kept = stored(f, business);
        CHECK(kept.size() == 2);
        CHECK(kept == client->blocked_slots(kDay));
    }
    // b0's first calendar: one event moves, one is added; its second loses its event.
    const std::string cal0 = "b0-cal0";
    const std::string cal1 = "b0-cal1";
    f.world.account("mem://" + cal0)
        ->put(cal0, timed_event("e-" + cal0, "2026-06-02T14:00:00Z", "2026-06-02T15:00:00Z"));
    f.world.account("mem://" + cal0)
        ->put(cal0, timed_event("new-" + cal0, "2026-06-03T08:00:00Z", "2026-06-03T09:00:00Z"));
    f.world.account("mem://" + cal1)->erase(cal1, "e-" + cal1);
    {
        auto client = f.client_of("b0");
        for (const std::string& id : f.connections["b0"])
            REQUIRE(client->request_sync(id).ok());
    }
    drain(*worker);
    auto client = f.client_of("b0");
    const auto kept = stored(f, "b0");
    REQUIRE(kept.size() == 2);
    CHECK(kept == client->blocked_slots(kDay));
    CHECK(kept[0].range.start == at("2026-06-02T14:00:00Z"));
    CHECK(kept[0].calendar_id == slot_calendar_key(f.connections["b0"][0], cal0));
    CHECK(kept[1].event_id == "new-" + cal0);
    // Another business's stored slots did not move.
    CHECK(stored(f, "b1") == f.client_of("b1")->blocked_slots(kDay));
    // A disconnect takes the connection's stored slots with it.
    REQUIRE(client->disconnect(f.connections["b0"][0]).ok());
    CHECK(stored(f, "b0").empty());
    CHECK(stored(f, "b1").size() == 2);
}

}  // namespace

TEST_CASE("kept slots: a worker's sync is in the store, follows changes, leaves on disconnect",
          "[worker][slots]") {
    SECTION("memory fleet") {
        Fleet f(2);
        check_kept_slots(f);
    }
    SECTION("SQLite fleet") {
        std::string dir;
        {
            Fleet f(2, sqlite_fleet(&dir));
            check_kept_slots(f);
        }
        CHECK(system(("rm -rf '" + dir + "'").c_str()) == 0);
    }
}

TEST_CASE("kept slots: deselecting a calendar removes its stored slots", "[slots]") {
    Fleet f(1);
    auto worker = f.worker("w1");
    drain(*worker);
    auto client = f.client_of("b0");
    REQUIRE(stored(f, "b0").size() == 2);
    REQUIRE(client->deselect_calendar(f.connections["b0"][1], "b0-cal1").ok());
    const auto kept = stored(f, "b0");
    REQUIRE(kept.size() == 1);
    CHECK(kept[0].calendar_id == slot_calendar_key(f.connections["b0"][0], "b0-cal0"));
    CHECK(kept == client->blocked_slots(kDay));
}

namespace {

const TimeRange kSummer{at("2026-05-01T00:00:00Z"), at("2026-08-01T00:00:00Z")};

// A weekly series on Mondays from 1 June, 07:00 UTC, no end.
Event weekly_series() {
    Event weekly = timed_event("weekly", "2026-06-01T07:00:00Z", "2026-06-01T08:00:00Z");
    weekly.recurrence.rrules = {"FREQ=WEEKLY"};
    return weekly;
}

std::vector<std::string> starts(const std::vector<BlockedSlot>& slots) {
    std::vector<std::string> out;
    for (const BlockedSlot& s : slots)
        out.push_back(s.event_id + "@" + format_rfc3339(s.range.start));
    return out;
}

// A window of two weeks ahead and no periodic full read: only incremental reads, which
// report nothing when nothing changed.
void two_week_window(SyncSettings* settings) {
    settings->window_days_back = 1;
    settings->window_days_ahead = 14;
    settings->schedule.full_read_every = std::chrono::seconds(0);
}

}  // namespace

TEST_CASE("kept slots follow the moving window: syncs that read no change extend and trim them",
          "[worker][slots]") {
    // Day 0 (1 June, 08:00): window [31 May, 15 June). Six days later: [6 June, 21 June):
    // the series' 15 June occurrence entered it, its 1 June one and the one-off event of
    // 2 June left it. Nothing changed at the calendar, so no read reports anything.
    const std::vector<std::string> day0{"weekly@2026-06-01T07:00:00Z",
                                        "e-b0-cal0@2026-06-02T09:00:00Z",
                                        "weekly@2026-06-08T07:00:00Z"};
    const std::vector<std::string> day6{"weekly@2026-06-08T07:00:00Z",
                                        "weekly@2026-06-15T07:00:00Z"};
    SECTION("synced by a worker (a service opened per sync)") {
        Fleet f(1);
        two_week_window(&f.world.settings);
        f.client_of("b0");  // the business's window is what its client stores
        f.world.account("mem://b0-cal1")->erase("b0-cal1", "e-b0-cal1");
        f.world.account("mem://b0-cal0")->put("b0-cal0", weekly_series());
        auto worker = f.worker("w1");
        drain(*worker);
        CHECK(starts(stored(f, "b0", kSummer)) == day0);
        for (int day = 1; day <= 6; ++day) {
            f.world.now += std::chrono::hours(24);
            auto pass = worker->run_once();
            REQUIRE(pass.ok());
            REQUIRE(pass->reports.size() == 2);  // due again, and incremental: nothing read
            for (const SyncReport& r : pass->reports)
                CHECK(r.calendars.at(0).events_read == 0);
        }
        CHECK(starts(stored(f, "b0", kSummer)) == day6);
        CHECK(stored(f, "b0", kSummer) == f.client_of("b0")->blocked_slots(kSummer));
    }
    SECTION("synced by one long-lived service") {
        SyncWorld world;
        two_week_window(&world.settings);
        auto remote = world.account("mem://garage");
        remote->add_calendar(calendar("work", "Work"));
        remote->put("work", weekly_series());
        remote->put("work",
                    timed_event("e-b0-cal0", "2026-06-02T09:00:00Z", "2026-06-02T10:00:00Z"));
        auto service = world.open();
        const std::string id = SyncWorld::connect(*service, "mem://garage");
        REQUIRE(service->select_calendar(id, "work", CalendarDirection::import_only).ok());
        REQUIRE(service->sync(id).ok());
        const auto kept = [&] {
            auto slots = world.store->list_blocked_slots(kSummer);
            REQUIRE(slots.ok());
            std::vector<BlockedSlot> out;
            for (const StoredSlot& s : slots.value())
                out.push_back(s.slot);
            return out;
        };
        CHECK(starts(kept()) == day0);
        world.now += std::chrono::hours(24 * 6);
        auto synced = service->sync(id);
        REQUIRE(synced.ok());
        CHECK(synced->calendars.at(0).events_read == 0);
        CHECK(starts(kept()) == day6);
    }
}
