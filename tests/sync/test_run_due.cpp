// run_due on the service's one bounded pool, with a wait the caller controls (issue 16,
// item 3), and keep_idle_connections (src/sync/sync_service.cpp, sync_pool.*).
#include <catch2/catch.hpp>
#include <chrono>
#include <condition_variable>
#include <map>
#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "sync_world.hpp"

using namespace calsync;
using namespace calsync::test;

namespace {

// A server that does not answer until the test lets it: every read waits. Counts the
// reads of each calendar.
struct HeldServer {
    std::mutex mutex;
    std::condition_variable released_cv;
    bool released = false;
    std::map<std::string, int> reads;

    MemoryProvider::Fault fault() {
        return [this](const std::string& op, const std::string& cal) -> std::optional<Error> {
            if (op != "fetch")
                return std::nullopt;
            std::unique_lock<std::mutex> lock(mutex);
            ++reads[cal];
            released_cv.wait(lock, [this] { return released; });
            return std::nullopt;
        };
    }
    void release() {
        {
            std::lock_guard<std::mutex> lock(mutex);
            released = true;
        }
        released_cv.notify_all();
    }
};

// Lets the held reads go before the service is closed (it waits for its running syncs),
// also when a REQUIRE ends the test early: declared after the service.
struct ReleaseAtEnd {
    HeldServer& server;
    ~ReleaseAtEnd() { server.release(); }
};

// Three accounts of one calendar each ("cal-a", "cal-b", "cal-c"), selected, due.
struct ThreeAccounts {
    SyncWorld world;
    std::unique_ptr<SyncService> service;
    std::vector<std::string> ids;

    explicit ThreeAccounts(int threads, bool keep_idle = true) {
        world.settings.max_concurrent_syncs = threads;
        world.settings.keep_idle_connections = keep_idle;
        for (const char* name : {"a", "b", "c"}) {
            const std::string url = std::string("mem://") + name;
            const std::string cal = std::string("cal-") + name;
            world.account(url)->add_calendar(calendar(cal, cal));
            world.account(url)->put(cal,
                                    timed_event(std::string("e-") + name, "2026-06-02T09:00:00Z",
                                                "2026-06-02T10:00:00Z"));
        }
        service = world.open();
        for (const char* name : {"a", "b", "c"}) {
            ids.push_back(SyncWorld::connect(*service, std::string("mem://") + name));
            REQUIRE(service
                        ->select_calendar(ids.back(), std::string("cal-") + name,
                                          CalendarDirection::import_only)
                        .ok());
        }
    }
};

std::set<std::string> reported(const std::vector<SyncReport>& reports) {
    std::set<std::string> out;
    for (const SyncReport& r : reports)
        out.insert(r.connection_id);
    return out;
}

}  // namespace

TEST_CASE("run_due returns at its wait when a server does not answer", "[run_due]") {
    HeldServer server;
    ThreeAccounts t(1);  // one thread: the first due connection holds it
    const ReleaseAtEnd release{server};
    t.world.fault = server.fault();
    const auto started = std::chrono::steady_clock::now();
    auto first = t.service->run_due(std::chrono::milliseconds(300));
    CHECK(std::chrono::steady_clock::now() - started < std::chrono::seconds(5));
    CHECK(first.reports.empty());
    std::vector<std::string> all = t.ids;
    std::sort(all.begin(), all.end());
    CHECK(first.unfinished == all);  // one still running, two never started

    SECTION("a connection still syncing is not started again by the next call") {
        auto second = t.service->run_due(std::chrono::milliseconds(300));
        CHECK(second.unfinished == all);
        server.release();
        // Everything left runs now; the held sync finishes and is not repeated.
        auto third = t.service->run_due(std::chrono::milliseconds(0));
        CHECK(third.unfinished.empty());
        CHECK(server.reads == std::map<std::string, int>{{"cal-a", 1}, {"cal-b", 1}, {"cal-c", 1}});
        for (const std::string& id : t.ids) {
            auto status = t.service->status(id);
            REQUIRE(status.ok());
            CHECK(status->state == SyncState::ok);
        }
        CHECK_FALSE(t.service->is_free({at("2026-06-02T09:00:00Z"), at("2026-06-02T10:00:00Z")}));
    }
    SECTION("what was not started stays due and its store untouched") {
        for (const std::string& id : t.ids) {
            auto status = t.service->status(id);
            REQUIRE(status.ok());
            CHECK(status->state == SyncState::never_synced);
        }
        std::lock_guard<std::mutex> lock(server.mutex);
        CHECK(server.reads.size() == 1);  // one read began, the others were never started
    }
}

TEST_CASE("run_due without a wait waits for every due sync and reports each", "[run_due]") {
    ThreeAccounts t(2);
    auto done = t.service->run_due(std::chrono::milliseconds(0));
    CHECK(done.unfinished.empty());
    CHECK(reported(done.reports) == std::set<std::string>(t.ids.begin(), t.ids.end()));
    CHECK(t.service->run_due().empty());  // synced: nothing due any more
}

TEST_CASE("run_due's syncs run on one pool of max_concurrent_syncs threads", "[run_due]") {
    ThreeAccounts t(2);
    std::mutex mutex;
    std::set<std::thread::id> threads;
    t.world.fault = [&](const std::string& op, const std::string&) -> std::optional<Error> {
        if (op == "fetch") {
            std::lock_guard<std::mutex> lock(mutex);
            threads.insert(std::this_thread::get_id());
        }
        return std::nullopt;
    };
    for (int round = 0; round < 5; ++round) {
        for (const std::string& id : t.ids)
            REQUIRE(t.service->request_sync(id).ok());
        CHECK(t.service->run_due().size() == 3);
    }
    // 15 syncs over 5 calls; the pool's threads stay alive between calls, so none of
    // them is a thread started for one call (which could not be reused under its id
    // while the pool's own are alive) and never the caller's.
    CHECK(threads.size() <= 2);
    CHECK(threads.count(std::this_thread::get_id()) == 0);
}

namespace {

// Providers the service builds over two passes of run_due that sync every connection.
std::size_t providers_built_over_two_passes(ThreeAccounts& t) {
    const std::size_t before = t.world.providers.size();
    t.service->run_due();
    for (const std::string& id : t.ids)
        REQUIRE(t.service->request_sync(id).ok());
    t.service->run_due();
    return t.world.providers.size() - before;
}

}  // namespace

TEST_CASE("keep_idle_connections false builds each connection's provider per sync", "[run_due]") {
    SECTION("kept (the default): one provider per connection") {
        ThreeAccounts t(1, true);
        CHECK(providers_built_over_two_passes(t) <= 3);
    }
    SECTION("released: built again for every sync, and dropped after it") {
        ThreeAccounts t(1, false);
        CHECK(providers_built_over_two_passes(t) == 6);
        // Only the test's own reference is left: the service holds none between syncs.
        for (std::size_t i = t.world.providers.size() - 6; i < t.world.providers.size(); ++i)
            CHECK(t.world.providers[i].use_count() == 1);
    }
}
