// The service's own threads and its callbacks (src/sync/sync_service.cpp, service_state.*):
// confirm_free keeps one read per connection in flight and the destructor cancels it;
// callbacks run after the locks are released, so they may call back in. Run under
// ThreadSanitizer by the tsan preset. The same, as a host meets it through the C ABI, in
// tests/hostile (test_confirm_free.cpp, test_callbacks.cpp).
#include <atomic>
#include <catch2/catch.hpp>
#include <chrono>
#include <functional>
#include <future>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

#include "sync_world.hpp"

using namespace calsync;
using namespace calsync::test;

namespace {

struct Connected {
    SyncWorld world;
    std::unique_ptr<SyncService> service;
    std::string id;

    Connected() {
        world.account("mem://garage")->add_calendar(calendar("work", "Work"));
        world.account("mem://garage")
            ->put("work", timed_event("e1", "2026-06-02T09:00:00Z", "2026-06-02T10:00:00Z"));
    }
    void open(SyncServiceOptions o) {
        auto opened = SyncService::open(std::move(o));
        REQUIRE(opened.ok());
        service = std::move(opened).value();
        id = SyncWorld::connect(*service, "mem://garage");
        REQUIRE(service->select_calendar(id, "work", CalendarDirection::import_only).ok());
    }
};

const TimeRange kSlot{at("2026-06-02T09:00:00Z"), at("2026-06-02T10:00:00Z")};

}  // namespace

TEST_CASE("confirm_free: one read per connection in flight, cancelled with the service") {
    Connected c;
    c.open(c.world.options());
    REQUIRE(c.service->sync(c.id).ok());
    const SyncStatus before = c.service->status(c.id).value();
    // From now on the calendar service never answers, until the read is cancelled.
    std::atomic<int> reads{0};
    c.world.fault = [&](const std::string& op, const std::string&) -> std::optional<Error> {
        if (op != "fetch")
            return std::nullopt;
        ++reads;
        c.world.cancel->sleep_for(std::chrono::minutes(5));
        return make_error(ErrorCode::cancelled, "cancelled");
    };
    std::vector<std::thread> hosts;
    std::atomic<int> stale{0};
    for (int t = 0; t < 4; ++t) {
        hosts.emplace_back([&] {
            for (int i = 0; i < 5; ++i) {
                const FreeAnswer a = c.service->confirm_free(kSlot, std::chrono::milliseconds(20));
                // From what was read before: the event blocks.
                if (!a.fresh && !a.free && a.conflicts.size() == 1)
                    ++stale;
            }
        });
    }
    for (std::thread& t : hosts)
        t.join();
    CHECK(stale == 20);
    CHECK(reads == 1);  // 20 calls, one read still waiting for its answer
    // Destroying the service cancels the read (here after minutes) instead of waiting.
    auto done = std::async(std::launch::async, [&] { c.service.reset(); });
    REQUIRE(done.wait_for(std::chrono::seconds(30)) == std::future_status::ready);
    // The cancelled read left the stored status as it was.
    auto reopened = SyncService::open(c.world.options());
    REQUIRE(reopened.ok());
    const SyncStatus after = reopened.value()->status(c.id).value();
    CHECK(after.state == before.state);
    CHECK(after.consecutive_failures == before.consecutive_failures);
    CHECK(after.last_error == before.last_error);
}

TEST_CASE("confirm_free: a read that finished makes room for the next one") {
    Connected c;
    c.open(c.world.options());
    REQUIRE(c.service->sync(c.id).ok());
    std::atomic<int> reads{0};
    c.world.fault = [&](const std::string& op, const std::string&) -> std::optional<Error> {
        if (op == "fetch")
            ++reads;
        return std::nullopt;
    };
    for (int i = 0; i < 3; ++i) {
        const FreeAnswer a = c.service->confirm_free(kSlot, std::chrono::seconds(10));
        CHECK(a.fresh);
        CHECK_FALSE(a.free);
    }
    CHECK(reads == 3);  // each call read again: none was still in flight
}

namespace {

// Callbacks that ask the service about their connection: its calendars and a deselect
// of a calendar it does not have (both take its sync lock), its blocked slots (the engine
// lock) and its status.
struct AskingBack {
    SyncService* service = nullptr;
    std::string connection;
    std::atomic<int> asked{0};

    void ask() {
        if (service == nullptr)
            return;
        (void)service->list_calendars(connection);
        (void)service->deselect_calendar(connection, "no-such-calendar");
        (void)service->blocked_slots(kSlot);
        (void)service->status(connection);
        ++asked;
    }
};

enum class Outcome { succeeded, failed, stuck };

// Runs `operation` (true: it succeeded) on a thread of its own; stuck when it has not
// returned in time (a deadlock: the thread and what it uses are then left behind, so the
// test fails instead of hanging).
Outcome run_in_time(std::function<bool()> operation) {
    auto done = std::make_shared<std::promise<bool>>();
    auto finished = done->get_future();
    std::thread runner([done, operation = std::move(operation)] { done->set_value(operation()); });
    if (finished.wait_for(std::chrono::seconds(30)) != std::future_status::ready) {
        runner.detach();  // deadlocked: it can never be joined, and the test fails
        return Outcome::stuck;
    }
    // Joined, not detached: a thread still exiting when the process ends leaves its
    // thread-local state (OpenSSL's per-thread error queue, 904 bytes) to LeakSanitizer.
    runner.join();
    return finished.get() ? Outcome::succeeded : Outcome::failed;
}

}  // namespace

TEST_CASE("callbacks may call back into the service on the same connection") {
    auto c = std::make_unique<Connected>();
    auto asking = std::make_shared<AskingBack>();
    SyncServiceOptions o = c->world.options();
    o.slots_changed = [asking](const std::string&, const SlotDiff&) { asking->ask(); };
    c->open(o);
    asking->service = c->service.get();
    asking->connection = c->id;
    Outcome outcome = Outcome::failed;
    SECTION("sync") {
        outcome = run_in_time([&] { return c->service->sync(c->id).ok(); });
    }
    SECTION("disconnect") {
        REQUIRE(c->service->sync(c->id).ok());
        outcome = run_in_time([&] { return c->service->disconnect(c->id).ok(); });
    }
    SECTION("deselect") {
        REQUIRE(c->service->sync(c->id).ok());
        outcome = run_in_time([&] { return c->service->deselect_calendar(c->id, "work").ok(); });
    }
    if (outcome == Outcome::stuck) {
        (void)c.release();  // in use by the stuck thread
        FAIL("the operation did not return: its callback deadlocked");
    }
    CHECK(outcome == Outcome::succeeded);
    CHECK(asking->asked >= 1);
}

TEST_CASE("log lines come after the locks too, in the order they were raised") {
    auto c = std::make_unique<Connected>();
    std::vector<std::string> lines;
    std::mutex lines_mutex;
    SyncService* service = nullptr;
    SyncServiceOptions o = c->world.options();
    o.log = [&](LogLevel, const std::string& line) {
        if (service != nullptr)
            (void)service->list_calendars(c->id);  // the sync lock
        std::lock_guard<std::mutex> lock(lines_mutex);
        lines.push_back(line);
    };
    o.slots_changed = [&](const std::string&, const SlotDiff&) {
        std::lock_guard<std::mutex> lock(lines_mutex);
        lines.push_back("slots changed");
    };
    c->open(o);
    service = c->service.get();
    lines.clear();
    const Outcome outcome = run_in_time([&] { return c->service->sync(c->id).ok(); });
    if (outcome == Outcome::stuck) {
        (void)c.release();
        FAIL("sync did not return: its log callback deadlocked");
    }
    CHECK(outcome == Outcome::succeeded);
    std::lock_guard<std::mutex> lock(lines_mutex);
    REQUIRE(lines.size() == 2);
    CHECK_THAT(lines[0], Catch::Contains("1 slot added"));  // the sync's summary first
    CHECK(lines[1] == "slots changed");
}
