// The fleet worker (src/sync/worker.cpp) on a memory fleet: workers share the due
// connections of every business, each synced once; a worker whose lease was taken over
// writes nothing more; sync-now and sign-ins queue a connection for any worker.
#include <atomic>
#include <catch2/catch.hpp>
#include <map>
#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "calsync/fleet.hpp"
#include "calsync/worker.hpp"
#include "sync_world.hpp"

using namespace calsync;
using namespace calsync::test;

namespace {

// Businesses "b0".."b<n-1>", each with two feeds-like accounts of one calendar,
// connected and selected through a client of that business (queued as due).
struct Fleet {
    SyncWorld world;
    std::shared_ptr<FleetStore> fleet = make_memory_fleet();
    std::map<std::string, std::vector<std::string>> connections;  // by business
    std::mutex mutex;
    std::map<std::string, int> reads;  // per calendar id (unique across the fleet)

    explicit Fleet(int businesses) {
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
                REQUIRE(service->select_calendar(id, name, CalendarDirection::import_only).ok());
                connections[business].push_back(id);
            }
        }
    }

    // A client of one business whose due connections go to the fleet's queue.
    std::unique_ptr<SyncService> client_of(const std::string& business) {
        SyncServiceOptions o = world.options();
        auto view = fleet->open_business(business);
        REQUIRE(view.ok());
        o.store = std::shared_ptr<StateStore>(std::move(view).value());
        FleetStore* queue = fleet.get();
        o.connection_due = [queue, business](const std::string& id, Instant due) {
            REQUIRE(queue->mark_due(business, id, due).ok());
        };
        auto service = SyncService::open(std::move(o));
        REQUIRE(service.ok());
        return std::move(service).value();
    }

    std::unique_ptr<Worker> worker(const std::string& owner, std::size_t threads = 2) {
        SyncServiceOptions base = world.options();
        WorkerOptions o;
        o.fleet = fleet;
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

}  // namespace

TEST_CASE("two workers share a fleet's due connections: each synced once", "[worker]") {
    Fleet f(5);  // 10 connections in 5 businesses
    auto first = f.worker("w1");
    auto second = f.worker("w2");
    std::atomic<std::size_t> synced{0};
    std::atomic<int> failures{0};
    const auto drain = [&](Worker& w) {
        for (;;) {
            auto pass = w.run_once();
            if (!pass.ok() || !pass->failed.empty() || !pass->lost.empty()) {
                ++failures;
                return;
            }
            if (pass->claimed == 0)
                return;
            synced += pass->reports.size();
        }
    };
    std::thread a([&] { drain(*first); });
    std::thread b([&] { drain(*second); });
    a.join();
    b.join();
    CHECK(failures == 0);
    CHECK(synced == f.connection_count());
    CHECK(f.reads.size() == f.connection_count());
    for (const auto& [calendar, n] : f.reads)
        CHECK(n == 1);
    // Each business sees its own slots, synced by whichever worker.
    for (const auto& [business, ids] : f.connections) {
        auto client = f.client_of(business);
        CHECK(client->blocked_slots({at("2026-06-02T00:00:00Z"), at("2026-06-03T00:00:00Z")})
                  .size() == 2);
        for (const std::string& id : ids)
            CHECK(client->status(id)->state == SyncState::ok);
    }
    SECTION("nothing is due until the schedule says so, or sync-now") {
        CHECK(first->run_once()->claimed == 0);
        auto client = f.client_of("b3");
        REQUIRE(client->request_sync(f.connections["b3"][1]).ok());
        auto pass = second->run_once();
        REQUIRE(pass.ok());
        REQUIRE(pass->reports.size() == 1);
        CHECK(pass->reports[0].connection_id == f.connections["b3"][1]);
        f.world.now += std::chrono::minutes(31);  // past every connection's next sync
        std::size_t later = 0;
        for (auto pass2 = first->run_once(); pass2.ok() && pass2->claimed > 0;
             pass2 = first->run_once())
            later += pass2->reports.size();
        CHECK(later == f.connection_count());
    }
}

TEST_CASE("a worker whose lease was taken over writes nothing more", "[worker]") {
    Fleet f(1);
    auto slow = f.worker("slow", 1);
    const std::string victim = f.connections["b0"][0];
    std::optional<Lease> taken;
    // While the slow worker reads its first calendar, its lease lapses and another worker
    // takes the connection over (as after a pause longer than the lease).
    f.world.fault = [&](const std::string& op, const std::string&) -> std::optional<Error> {
        if (op != "fetch" || taken)
            return std::nullopt;
        auto claimed = f.fleet->claim_due("thief", f.world.now + std::chrono::minutes(5),
                                          std::chrono::seconds(60), 10);
        REQUIRE(claimed.ok());
        for (const Lease& l : claimed.value())
            if (l.connection_id == victim)
                taken = l;
        return std::nullopt;
    };
    auto pass = slow->run_once();
    REQUIRE(pass.ok());
    REQUIRE(taken);
    CHECK(pass->lost.size() == 1);  // the one it was syncing when the thief came
    // Nothing the slow worker read was stored for the victim: its status and events are
    // as before the sync, for the thief to write.
    auto client = f.client_of("b0");
    const std::string lost_id = pass->lost[0];
    CHECK(client->status(lost_id)->state == SyncState::never_synced);
    CHECK(client->blocked_slots({at("2026-06-02T00:00:00Z"), at("2026-06-03T00:00:00Z")}).empty());
}
