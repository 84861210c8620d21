// A fleet of businesses for the worker tests (test_worker.cpp, test_worker_postgres.cpp):
// in-process calendar accounts (sync_world.hpp), connected through clients of each
// business whose due connections go to the fleet's queue.
#pragma once

#include <catch2/catch.hpp>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "calsync/fleet.hpp"
#include "calsync/worker.hpp"
#include "fleet_client.hpp"
#include "sync_world.hpp"

namespace calsync::test {

// Businesses "b0".."b<n-1>", each with two feeds-like accounts of one calendar,
// connected and selected through a client of that business (queued as due).
struct Fleet {
    SyncWorld world;
    std::shared_ptr<FleetStore> fleet;
    std::map<std::string, std::vector<std::string>> connections;  // by business
    std::mutex mutex;
    std::map<std::string, int> reads;  // per calendar id (unique across the fleet)

    explicit Fleet(int businesses, std::shared_ptr<FleetStore> store = make_memory_fleet(),
                   CalendarDirection direction = CalendarDirection::import_only)
        : fleet(std::move(store)) {
        world.fault = [this](const std::string& op, const std::string& cal) {
            if (op == "fetch") {
                std::lock_guard<std::mutex> lock(mutex);
                ++reads[cal];
            }
            return std::optional<Error>();
        };
        for (int b = 0; b < businesses; ++b) {
            const std::string business = "b" + std::to_string(b);
            auto service = client_of(business);
            for (int k = 0; k < 2; ++k) {
                const std::string name = business + "-cal" + std::to_string(k);
                const std::string url = "mem://" + name;
                world.account(url)->add_calendar(calendar(name, name));
                world.account(url)->put(
                    name, timed_event("e-" + name, "2026-06-02T09:00:00Z", "2026-06-02T10:00:00Z"));
                const std::string id = SyncWorld::connect(*service, url);
                REQUIRE(service->select_calendar(id, name, direction).ok());
                connections[business].push_back(id);
            }
        }
    }

    // A client of one business whose due connections go to the fleet's queue.
    std::unique_ptr<SyncService> client_of(const std::string& business) {
        return fleet_client(*fleet, business, world.options());
    }

    // A worker on `on` (another process's own connection to the same fleet), else on ours.
    std::unique_ptr<Worker> worker(const std::string& owner, std::size_t threads = 2,
                                   std::shared_ptr<FleetStore> on = nullptr) {
        SyncServiceOptions base = world.options();
        WorkerOptions o;
        o.fleet = on ? on : fleet;
        o.owner = owner;
        o.settings = base.settings;
        o.provider_factory = base.provider_factory;
        o.clock = base.clock;
        o.threads = threads;
        auto w = Worker::open(std::move(o));
        REQUIRE(w.ok());
        return std::move(w).value();
    }

    std::size_t connection_count() const {
        std::size_t n = 0;
        for (const auto& [b, ids] : connections)
            n += ids.size();
        return n;
    }
};

inline Event all_day_event(const std::string& id, CivilDate day) {
    Event e;
    e.id = id;
    e.uid = id + "@example.com";
    e.summary = "closed";
    e.start = EventTime::all_day(day);
    e.end = EventTime::all_day({day.year, day.month, day.day + 1});
    return e;
}

// Two businesses configured by their clients with zones and windows of their own, neither
// the worker's (UTC, 7 days): one worker syncs each in its own (issue 16, item 1).
inline void check_each_business_in_its_own_zone_and_window(Fleet& f) {
    // Each business is configured by opening its client once with its settings.
    struct Business {
        std::string id, zone;
        int days_ahead;
    };
    const Business businesses[] = {{"berlin", "Europe/Berlin", 30},
                                   {"new-york", "America/New_York", 365}};
    std::map<std::string, std::string> connection_of;
    for (const Business& b : businesses) {
        SyncServiceOptions o = f.world.options();
        o.settings.business_zone = b.zone;
        o.settings.window_days_ahead = b.days_ahead;
        o.store = std::shared_ptr<StateStore>(f.fleet->open_business(b.id).value());
        FleetStore* queue = f.fleet.get();
        o.connection_due = [queue, id = b.id](const std::string& c, Instant due) {
            REQUIRE(queue->mark_due(id, c, due).ok());
        };
        auto client = SyncService::open(std::move(o));
        REQUIRE(client.ok());
        const std::string url = "mem://" + b.id;
        f.world.account(url)->add_calendar(calendar("cal-" + b.id, "Closures"));
        // A holiday (all day: midnight to midnight in the business's zone), and an event
        // 92 days ahead (within New York's window of 365 days, outside Berlin's 30).
        f.world.account(url)->put("cal-" + b.id, all_day_event("holiday", {2026, 6, 10}));
        f.world.account(url)->put(
            "cal-" + b.id, timed_event("far", "2026-09-01T10:00:00Z", "2026-09-01T11:00:00Z"));
        connection_of[b.id] = SyncWorld::connect(*client.value(), url);
        REQUIRE(client.value()
                    ->select_calendar(connection_of[b.id], "cal-" + b.id,
                                      CalendarDirection::import_only)
                    .ok());
    }
    // The worker's own settings are neither business's: UTC, a window of 7 days.
    SyncServiceOptions base = f.world.options();
    WorkerOptions o;
    o.fleet = f.fleet;
    o.owner = "w1";
    o.settings = base.settings;
    o.settings.business_zone = "UTC";
    o.settings.window_days_ahead = 7;
    o.provider_factory = base.provider_factory;
    o.clock = base.clock;
    auto worker = Worker::open(std::move(o));
    REQUIRE(worker.ok());
    auto pass = worker.value()->run_once();
    REQUIRE(pass.ok());
    CHECK(pass->reports.size() == 2);
    CHECK(pass->failed.empty());

    const TimeRange all{at("2026-01-01T00:00:00Z"), at("2028-01-01T00:00:00Z")};
    const auto slots_of = [&](const std::string& business) {
        auto view = f.fleet->open_business(business);
        REQUIRE(view.ok());
        auto slots = view.value()->list_blocked_slots(all);
        REQUIRE(slots.ok());
        return slots.value();
    };
    const auto berlin = slots_of("berlin");
    REQUIRE(berlin.size() == 1);  // the far event is outside its window
    CHECK(berlin[0].slot.event_id == "holiday");
    CHECK(berlin[0].slot.range.start == at("2026-06-09T22:00:00Z"));  // CEST midnight
    CHECK(berlin[0].slot.range.end == at("2026-06-10T22:00:00Z"));
    const auto new_york = slots_of("new-york");
    REQUIRE(new_york.size() == 2);
    CHECK(new_york[0].slot.event_id == "holiday");
    CHECK(new_york[0].slot.range.start == at("2026-06-10T04:00:00Z"));  // EDT midnight
    CHECK(new_york[0].slot.range.end == at("2026-06-11T04:00:00Z"));
    CHECK(new_york[1].slot.event_id == "far");
    CHECK(new_york[1].slot.range.start == at("2026-09-01T10:00:00Z"));
}

}  // namespace calsync::test
