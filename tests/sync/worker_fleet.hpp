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

}  // namespace calsync::test
