// Issue 12, item 11: callbacks that call back into the service. calsync.h promises that
// callbacks run while the library holds no lock they could need; a slots_changed callback
// asking for the calendars of its own connection hung for ever (the connection's sync lock
// was held around it), so did disconnect and deselect. Every path that fires the log or
// slots_changed callback is run here with callbacks that ask the service about the same
// connection (its calendars and a deselect: the sync lock; blocked slots: the engine lock;
// its status: the store), each in a child process, so a deadlock fails as a hang instead of
// hanging.
#include <atomic>
#include <chrono>
#include <string>

#include "bounded_child.hpp"
#include "google_fake.hpp"
#include "sync_world.hpp"

using namespace calsync;
using calsync::test::check_within;
using calsync::test::run_in_child;

namespace {

constexpr std::chrono::seconds kHang{20};

// The callbacks of a host that asks the service about the connection that called back.
struct ReentrantHost {
    SyncService* service = nullptr;
    std::string connection;
    std::atomic<int> from_log{0};
    std::atomic<int> from_slots_changed{0};
    bool active = false;  // set once the scenario's setup is done

    void ask() {
        (void)service->list_calendars(connection);
        // Takes the connection's sync lock before it finds no such calendar, even on a
        // connection just disconnected (where list_calendars stops before the lock).
        (void)service->deselect_calendar(connection, "no-such-calendar");
        (void)service->blocked_slots(
            {test::at("2026-01-01T00:00:00Z"), test::at("2028-01-01T00:00:00Z")});
        (void)service->status(connection);
    }
    void on_log() {
        // What the questions themselves log is not asked about again.
        static thread_local bool asking = false;
        if (!active || asking)
            return;
        asking = true;
        ask();
        asking = false;
        ++from_log;
    }
    void on_slots_changed() {
        if (!active)
            return;
        ask();
        ++from_slots_changed;
    }
    void install(SyncServiceOptions& o) {
        o.log = [this](LogLevel, const std::string&) { on_log(); };
        o.slots_changed = [this](const std::string&, const SlotDiff&) { on_slots_changed(); };
    }
    // The verdict: the operation returned, and the callbacks that should fire did and
    // could ask the service.
    std::string verdict(bool wants_log, bool wants_slots_changed) const {
        std::string v = "returned";
        if (wants_log)
            v += from_log > 0 ? ", log re-entered" : ", log never called";
        if (wants_slots_changed)
            v += from_slots_changed > 0 ? ", slots_changed re-entered"
                                        : ", slots_changed never called";
        return v;
    }
};

// A memory-backed account with one calendar holding a confirmed and a tentative event.
struct MemoryScene {
    test::SyncWorld world;
    ReentrantHost host;
    std::unique_ptr<SyncService> service;
    std::string id;

    MemoryScene() {
        auto account = world.account("https://dav.example/");
        account->add_calendar(test::calendar("work", "Work"));
        account->put("work",
                     test::timed_event("e1", "2026-06-02T09:00:00Z", "2026-06-02T10:00:00Z"));
        Event maybe =
            test::timed_event("e2", "2026-06-03T09:00:00Z", "2026-06-03T10:00:00Z", "maybe");
        maybe.status = EventStatus::tentative;
        account->put("work", maybe);
        SyncServiceOptions o = world.options();
        host.install(o);
        auto opened = SyncService::open(std::move(o));
        REQUIRE(opened.ok());
        service = std::move(opened).value();
        id = test::SyncWorld::connect(*service, "https://dav.example/");
        REQUIRE(service->select_calendar(id, "work", CalendarDirection::import_only).ok());
        host.service = service.get();
        host.connection = id;
    }
    // Slots exist, then the callbacks start asking.
    void synced_then_reentrant() {
        REQUIRE(service->sync(id).ok());
        host.active = true;
    }
};

void check_path(const std::function<std::string()>& scenario, const std::string& expected) {
    auto run = run_in_child(scenario, kHang);
    check_within(run, expected);
}

const char* const kBoth = "returned, log re-entered, slots_changed re-entered";

}  // namespace

TEST_CASE("hostile callbacks: sync calls back with no lock held", "[hostile]") {
    check_path(
        [] {
            MemoryScene s;
            s.host.active = true;
            REQUIRE(s.service->sync(s.id).ok());
            return s.host.verdict(true, true);
        },
        kBoth);
}

TEST_CASE("hostile callbacks: run_due's workers call back with no lock held", "[hostile]") {
    check_path(
        [] {
            MemoryScene s;
            s.host.active = true;
            const auto reports = s.service->run_due();
            REQUIRE(reports.size() == 1);
            return s.host.verdict(true, true);
        },
        kBoth);
}

TEST_CASE("hostile callbacks: confirm_free's read calls back with no lock held", "[hostile]") {
    check_path(
        [] {
            MemoryScene s;
            s.host.active = true;
            const FreeAnswer answer = s.service->confirm_free(
                {test::at("2026-06-02T09:00:00Z"), test::at("2026-06-02T10:00:00Z")},
                std::chrono::seconds(10));
            if (!answer.fresh || answer.free)
                return std::string("a stale or wrong answer");
            return s.host.verdict(true, true);
        },
        kBoth);
}

TEST_CASE("hostile callbacks: disconnect calls back with no lock held", "[hostile]") {
    check_path(
        [] {
            MemoryScene s;
            s.synced_then_reentrant();
            REQUIRE(s.service->disconnect(s.id).ok());
            return s.host.verdict(true, true);
        },
        kBoth);
}

TEST_CASE("hostile callbacks: deselect calls back with no lock held", "[hostile]") {
    check_path(
        [] {
            MemoryScene s;
            s.synced_then_reentrant();
            REQUIRE(s.service->deselect_calendar(s.id, "work").ok());
            return s.host.verdict(false, true);
        },
        "returned, slots_changed re-entered");
}

TEST_CASE("hostile callbacks: select with a new policy calls back with no lock held", "[hostile]") {
    check_path(
        [] {
            MemoryScene s;
            s.synced_then_reentrant();
            CalendarPolicy firm_only;
            firm_only.tentative_blocks = false;
            REQUIRE(
                s.service->select_calendar(s.id, "work", CalendarDirection::import_only, firm_only)
                    .ok());
            return s.host.verdict(false, true);
        },
        "returned, slots_changed re-entered");
}

namespace {

// A Google connection to tests/fakes/google/google_fake.py, for the push paths.
struct GoogleScene {
    test::GoogleFake fake;
    ReentrantHost host;
    std::unique_ptr<SyncService> service;
    std::string id;

    GoogleScene() {
        SyncServiceOptions o;
        o.settings.host_key = std::string(32, 'h');
        o.settings.google.client_id = test::kClientId;
        o.settings.google.client_secret = test::kClientSecret;
        o.settings.google.token_url = fake.url("/token");
        o.settings.google.api_base_url = fake.api_base();
        o.settings.network.allow_private_addresses = true;
        o.store = make_memory_store();
        host.install(o);
        auto opened = SyncService::open(std::move(o));
        REQUIRE(opened.ok());
        service = std::move(opened).value();
        const net::TokenSet t = fake.grant();
        auto connected =
            service->add_oauth_connection(ProviderKind::google, test::tokens_document(t));
        REQUIRE(connected.ok());
        id = connected.value();
        REQUIRE(service->select_calendar(id, test::kCalendar, CalendarDirection::import_only).ok());
        host.service = service.get();
        host.connection = id;
    }
    PushRequest last_note() const {
        auto notes = test::parse_json(fake.inspect("notifications"));
        REQUIRE(notes.Size() > 0);
        PushRequest r;
        r.method = "POST";
        for (const auto& h : notes[notes.Size() - 1]["headers"].GetObject())
            r.headers.emplace_back(h.name.GetString(), h.value.GetString());
        return r;
    }
};

const std::string kAddress = "https://hooks.garage.example/google";

}  // namespace

TEST_CASE("hostile callbacks: watch calls back with no lock held", "[hostile]") {
    check_path(
        [] {
            GoogleScene s;
            s.host.active = true;
            auto watched = s.service->watch(s.id, test::kCalendar, kAddress);
            REQUIRE(watched.ok());
            return s.host.verdict(true, false);
        },
        "returned, log re-entered");
}

TEST_CASE("hostile callbacks: a push notification calls back with no lock held", "[hostile]") {
    check_path(
        [] {
            GoogleScene s;
            REQUIRE(s.service->watch(s.id, test::kCalendar, kAddress).ok());
            s.fake.put_event(
                R"({"id":"mot1","summary":"MOT","start":{"dateTime":"2030-01-02T09:00:00Z"},)"
                R"("end":{"dateTime":"2030-01-02T10:00:00Z"}})");
            s.host.active = true;
            auto answer = s.service->handle_push(s.last_note());
            REQUIRE(answer.ok());
            REQUIRE(answer->marked.size() == 1);
            return s.host.verdict(true, false);
        },
        "returned, log re-entered");
}

TEST_CASE("hostile callbacks: disconnecting a watched connection calls back with no lock held",
          "[hostile]") {
    check_path(
        [] {
            GoogleScene s;
            REQUIRE(s.service->watch(s.id, test::kCalendar, kAddress).ok());
            s.host.active = true;
            REQUIRE(s.service->disconnect(s.id).ok());
            return s.host.verdict(true, false);
        },
        "returned, log re-entered");
}
