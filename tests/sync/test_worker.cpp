// The fleet worker (src/sync/worker.cpp) on a memory fleet: workers share the due
// connections of every business, each synced once; a worker whose lease was taken over
// writes nothing more; sync-now and sign-ins queue a connection for any worker.
#include <algorithm>
#include <atomic>
#include <catch2/catch.hpp>
#include <condition_variable>
#include <map>
#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "worker_fleet.hpp"

using namespace calsync;
using namespace calsync::test;

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

TEST_CASE("run() syncs the fast connections while a slow one holds a thread", "[worker]") {
    Fleet f(4);  // 8 connections; b0's first is claimed first (ties go by business id)
    const std::string slow_calendar = "b0-cal0";
    const std::string slow = f.connections["b0"][0];
    auto statuses_ok = [&](bool fast_ones) {
        for (const auto& [business, ids] : f.connections) {
            auto view = f.fleet->open_business(business);
            REQUIRE(view.ok());
            for (const std::string& id : ids) {
                if ((id == slow) == fast_ones)
                    continue;
                auto status = view.value()->get_connection_status(id);
                if (!status.ok() || status->state != SyncState::ok)
                    return false;
            }
        }
        return true;
    };
    // The slow account answers only once every other connection was synced (a latch, not
    // a timing): a worker that waits for its whole batch never gets there, and the wait
    // gives up after a bound so the test fails instead of hanging.
    std::mutex latch_mutex;
    std::condition_variable latch;
    bool fast_done = false;
    bool slow_released = false;
    const auto count_reads = f.world.fault;
    f.world.fault = [&](const std::string& op, const std::string& cal) -> std::optional<Error> {
        count_reads(op, cal);
        if (op == "fetch" && cal == slow_calendar) {
            std::unique_lock<std::mutex> lock(latch_mutex);
            slow_released =
                latch.wait_for(lock, std::chrono::seconds(30), [&] { return fast_done; });
        }
        return std::nullopt;
    };
    auto worker = f.worker("w1", 2);
    std::thread running([&] { worker->run(); });
    // Watches the store for the fast connections, then opens the latch.
    for (int i = 0; i < 1500 && !statuses_ok(true); ++i)
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
    const bool fast_synced_first = statuses_ok(true);
    {
        std::lock_guard<std::mutex> lock(latch_mutex);
        fast_done = true;
    }
    latch.notify_all();
    for (int i = 0; i < 2000 && !statuses_ok(false); ++i)
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
    worker->stop();
    running.join();
    CHECK(fast_synced_first);
    CHECK(slow_released);
    CHECK(statuses_ok(false));  // the slow one finished too
    for (const auto& [calendar, n] : f.reads)
        CHECK(n == 1);
    CHECK(f.reads.size() == f.connection_count());
}

TEST_CASE("one worker syncs each business in its own zone and window", "[worker][settings]") {
    Fleet f(0);
    check_each_business_in_its_own_zone_and_window(f);
}

TEST_CASE("a worker syncs a business that stored no settings with its own", "[worker][settings]") {
    Fleet f(0);
    // A client that stores nothing, as before businesses kept their settings.
    SyncServiceOptions o = f.world.options();
    o.settings.business_zone = "America/New_York";
    o.store_business_settings = false;
    o.store = std::shared_ptr<StateStore>(f.fleet->open_business("old").value());
    FleetStore* queue = f.fleet.get();
    o.connection_due = [queue](const std::string& c, Instant due) {
        REQUIRE(queue->mark_due("old", c, due).ok());
    };
    auto client = SyncService::open(std::move(o));
    REQUIRE(client.ok());
    CHECK_FALSE(f.fleet->open_business("old").value()->find_business_settings().value());
    f.world.account("mem://old")->add_calendar(calendar("cal-old", "Closures"));
    f.world.account("mem://old")->put("cal-old", all_day_event("holiday", {2026, 6, 10}));
    const std::string id = SyncWorld::connect(*client.value(), "mem://old");
    REQUIRE(client.value()->select_calendar(id, "cal-old", CalendarDirection::import_only).ok());
    auto worker = f.worker("w1");  // Europe/Berlin, the world's settings
    auto pass = worker->run_once();
    REQUIRE(pass.ok());
    REQUIRE(pass->reports.size() == 1);
    auto view = f.fleet->open_business("old");
    auto slots =
        view.value()->list_blocked_slots({at("2026-06-01T00:00:00Z"), at("2026-07-01T00:00:00Z")});
    REQUIRE(slots.ok());
    REQUIRE(slots->size() == 1);
    CHECK(slots.value()[0].slot.range.start == at("2026-06-09T22:00:00Z"));  // the worker's zone
    // and the worker stored nothing for the business: its settings stay the host's to set.
    CHECK_FALSE(view.value()->find_business_settings().value());
}

TEST_CASE("a client stores its business's own settings, not the host's", "[worker][settings]") {
    Fleet f(0);
    auto view = f.fleet->open_business("garage");
    REQUIRE(view.ok());
    std::shared_ptr<StateStore> store(std::move(view).value());
    const auto open_with = [&](const std::string& zone) {
        SyncServiceOptions o = f.world.options();
        o.settings.business_zone = zone;
        o.settings.export_policy.render.busy_only = true;
        o.settings.google.client_secret = "google-client-secret";
        o.store = store;
        REQUIRE(SyncService::open(std::move(o)).ok());
        return store->find_business_settings().value().value_or("");
    };
    const std::string first = open_with("Europe/Berlin");
    CHECK(first.find(R"("zone":"Europe/Berlin")") != std::string::npos);
    CHECK(first.find(R"("busy_only":true)") != std::string::npos);
    for (const char* host_only : {"google-client-secret", "kkkkkkkk", "schedule", "network"})
        CHECK(first.find(host_only) == std::string::npos);
    CHECK(open_with("Europe/Berlin") == first);
    CHECK(open_with("America/New_York").find(R"("zone":"America/New_York")") != std::string::npos);
}

TEST_CASE("a business whose stored settings cannot be used is not synced, and says why",
          "[worker][settings]") {
    Fleet f(1);
    const std::string stored = GENERATE(std::string(R"({"version":1,"zone":"Mars/Olympus"})"),
                                        std::string(R"({"version":1,"window":{"days_ahead":0}})"),
                                        std::string("{not json"));
    REQUIRE(f.fleet->open_business("b0").value()->put_business_settings(stored).ok());
    std::mutex errors_mutex;  // the worker's threads log at once
    std::vector<std::string> errors;
    SyncServiceOptions base = f.world.options();
    WorkerOptions o;
    o.fleet = f.fleet;
    o.owner = "w1";
    o.settings = base.settings;
    o.provider_factory = base.provider_factory;
    o.clock = base.clock;
    o.log = [&](LogLevel level, const std::string& m) {
        std::lock_guard<std::mutex> lock(errors_mutex);
        if (level == LogLevel::error)
            errors.push_back(m);
    };
    auto worker = Worker::open(std::move(o));
    REQUIRE(worker.ok());
    auto pass = worker.value()->run_once();
    REQUIRE(pass.ok());
    CHECK(pass->reports.empty());
    CHECK(pass->failed.size() == 2);
    REQUIRE(errors.size() == 2);
    CHECK(errors[0].find("business b0") != std::string::npos);
    CHECK(f.reads.empty());  // nothing was read with settings the business did not choose
}

TEST_CASE("a service for one connection expands that connection's events only", "[worker][scope]") {
    SyncWorld world;
    for (const char* name : {"a", "b"}) {
        const std::string url = std::string("mem://") + name;
        world.account(url)->add_calendar(calendar(name, name));
        world.account(url)->put(name, timed_event(std::string("e-") + name, "2026-06-02T09:00:00Z",
                                                  "2026-06-02T10:00:00Z"));
    }
    auto client = world.open();
    const std::string a = SyncWorld::connect(*client, "mem://a");
    const std::string b = SyncWorld::connect(*client, "mem://b");
    for (const auto& [id, cal] : {std::pair<std::string, std::string>{a, "a"}, {b, "b"}}) {
        REQUIRE(client->select_calendar(id, cal, CalendarDirection::import_only).ok());
        REQUIRE(client->sync(id).ok());
    }
    world.account("mem://a")->put(
        "a", timed_event("e-a2", "2026-06-03T09:00:00Z", "2026-06-03T10:00:00Z"));

    SyncServiceOptions o = world.options();
    o.only_connection = a;
    auto scoped = SyncService::open(std::move(o));
    REQUIRE(scoped.ok());
    world.logs.clear();
    auto report = scoped.value()->sync(a);
    REQUIRE(report.ok());
    CHECK(report->slots.added.size() == 1);
    CHECK(report->slots.removed.empty());
    // Built before the change landed, from a's one stored event: b's are not read.
    const auto built = std::find_if(world.logs.begin(), world.logs.end(), [](const std::string& m) {
        return m.find("import engine built from the store") != std::string::npos;
    });
    REQUIRE(built != world.logs.end());
    CHECK(built->find(": 1 event expanded") != std::string::npos);
    auto other = scoped.value()->sync(b);
    REQUIRE_FALSE(other.ok());
    CHECK(other.error().code == ErrorCode::invalid_argument);
    // The store keeps every slot of the business: a's two and b's one.
    auto slots =
        world.store->list_blocked_slots({at("2026-06-01T00:00:00Z"), at("2026-07-01T00:00:00Z")});
    REQUIRE(slots.ok());
    CHECK(slots->size() == 3);
}
