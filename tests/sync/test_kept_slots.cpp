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

// The engine names a slot's calendar "<connection>/<calendar>", the store by its calendar
// id alone (its connection is the row's): compare them on the calendar id.
std::vector<BlockedSlot> by_calendar_id(std::vector<BlockedSlot> slots) {
    for (BlockedSlot& s : slots)
        s.calendar_id = s.calendar_id.substr(s.calendar_id.find('/') + 1);
    std::sort(slots.begin(), slots.end());
    return slots;
}

std::vector<BlockedSlot> stored(Fleet& f, const std::string& business) {
    auto view = f.fleet->open_business(business);
    REQUIRE(view.ok());
    auto slots = view.value()->list_blocked_slots(kDay);
    REQUIRE(slots.ok());
    return by_calendar_id(slots.value());
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
        CHECK(kept == by_calendar_id(client->blocked_slots(kDay)));
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
    CHECK(kept == by_calendar_id(client->blocked_slots(kDay)));
    CHECK(kept[0].range.start == at("2026-06-02T14:00:00Z"));
    CHECK(kept[0].calendar_id == cal0);
    CHECK(kept[1].event_id == "new-" + cal0);
    // Another business's stored slots did not move.
    CHECK(stored(f, "b1") == by_calendar_id(f.client_of("b1")->blocked_slots(kDay)));
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
    CHECK(kept[0].calendar_id == "b0-cal0");
    CHECK(kept == by_calendar_id(client->blocked_slots(kDay)));
}
