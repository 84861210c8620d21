// The fleet worker (calsync/worker.hpp): claim, sync through a fenced view, renew, finish.
#include "calsync/worker.hpp"

#include <algorithm>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <vector>

#include "sync/business_settings.hpp"
#include "sync/fleet_budget.hpp"
#include "sync/sync_pool.hpp"

namespace calsync {

namespace {

enum class Outcome { synced, lost, failed };

// What a started sync reports back, on its pool thread.
using SyncDone = std::function<void(const Lease&, Outcome, std::optional<SyncReport>)>;

}  // namespace

struct Worker::State {
    WorkerOptions options;
    // The leases of the syncs running (started by run() or run_once()), by start number,
    // so the loop renews them and knows how many more it may claim. Declared before the
    // pool: the pool's destructor waits for running syncs, which still update it.
    struct Held {
        Lease lease;
        // By its view's sync end; false until the view is open.
        std::function<bool()> released = [] { return false; };
    };
    std::mutex mutex;
    std::condition_variable changed;  // a sync finished, or stop()
    std::map<std::uint64_t, Held> held;
    std::uint64_t started = 0;
    std::uint64_t finished = 0;
    // Google's quota is per OAuth project: every worker of the fleet takes from one budget.
    RequestBudgets request_budgets = sync::fleet_request_budgets(options.fleet);
    bool stopping = false;
    sync::SyncPool pool;

    explicit State(WorkerOptions o) : options(std::move(o)), pool(options.threads) {}

    Instant now() const {
        if (options.clock)
            return options.clock();
        return std::chrono::time_point_cast<std::chrono::seconds>(std::chrono::system_clock::now());
    }
    void log(LogLevel level, const std::string& message) const {
        if (options.log)
            options.log(level, message);
    }
    // Renewed every third of the lease while the syncs run: a slow sync keeps its claim,
    // a dead worker's lapses.
    std::chrono::milliseconds renew_every() const {
        return std::max<std::chrono::milliseconds>(options.lease_for / 3,
                                                   std::chrono::milliseconds(500));
    }
};

namespace {

std::string named(const Lease& lease) {
    return "business " + lease.business_id + ", connection " + lease.connection_id;
}

// Releases a lease that could not be synced; due again after the first retry's wait.
Outcome give_back(
    Worker::State& s, const Lease& lease, const Error& why,
    const std::function<bool()>& released = [] { return false; }) {
    s.log(LogLevel::error, named(lease) + ": not synced: " + why.message);
    if (released())
        return Outcome::failed;  // its end was stored, and released the lease
    auto finished =
        s.options.fleet->finish_lease(lease, s.now() + s.options.settings.schedule.first_retry);
    return finished.ok() || finished.error().code != ErrorCode::lease_lost ? Outcome::failed
                                                                           : Outcome::lost;
}

// Syncs one leased connection (start number `number`) through its business's view fenced
// by the lease, opened with `first_reads` when they were read with the claim.
Outcome sync_leased(Worker::State& s, std::uint64_t number, const Lease& lease,
                    std::optional<ConnectionSnapshot> first_reads,
                    std::optional<SyncReport>* report) {
    FleetStore& fleet = *s.options.fleet;
    auto view =
        first_reads ? fleet.open_leased(lease, std::move(*first_reads)) : fleet.open_leased(lease);
    if (!view.ok())
        return give_back(s, lease, view.error());
    const std::function<bool()> released = view->released;
    {
        std::lock_guard<std::mutex> lock(s.mutex);
        s.held.at(number).released = released;
    }
    // The business's own zone, window and policies, as its host last opened it.
    auto settings = sync::with_stored_business_settings(s.options.settings, *view->store);
    if (!settings.ok())
        return give_back(s, lease, settings.error());
    SyncServiceOptions o;
    o.settings = std::move(settings).value();
    o.store_business_settings = false;
    o.only_connection = lease.connection_id;  // reads and memory follow the connection
    o.store = std::shared_ptr<StateStore>(std::move(view->store));
    o.provider_factory = s.options.provider_factory;
    o.clock = s.options.clock;
    o.log = s.options.log;
    o.request_budgets = s.request_budgets;
    const std::string business = lease.business_id;
    FleetStore* queue = &fleet;
    o.connection_due = [queue, business](const std::string& connection_id, Instant due) {
        (void)queue->mark_due(business, connection_id, due);
    };
    auto service = SyncService::open(std::move(o));
    if (!service.ok())
        return give_back(s, lease, service.error());
    auto synced = service.value()->sync(lease.connection_id);
    if (!synced.ok()) {
        if (synced.error().code == ErrorCode::lease_lost) {
            s.log(LogLevel::warning,
                  named(lease) + ": lease lost to another worker; nothing more written");
            return Outcome::lost;
        }
        return give_back(s, lease, synced.error(), released);
    }
    if (!released()) {
        auto finished = fleet.finish_lease(lease, synced->status.next_due);
        if (!finished.ok()) {
            s.log(LogLevel::warning, named(lease) + ": synced, but " + finished.error().message);
            return finished.error().code == ErrorCode::lease_lost ? Outcome::lost : Outcome::failed;
        }
    }
    *report = std::move(synced).value();
    return Outcome::synced;
}

// Holds `lease` among the running syncs and syncs it on the pool; `done` runs on the pool
// thread once the lease is no longer held.
void start(Worker::State& s, Lease lease, std::optional<ConnectionSnapshot> first_reads,
           SyncDone done) {
    std::uint64_t number = 0;
    {
        std::lock_guard<std::mutex> lock(s.mutex);
        number = s.started++;
        s.held.emplace(number, Worker::State::Held{lease});
    }
    s.pool.submit([&s, number, lease = std::move(lease), first_reads = std::move(first_reads),
                   done = std::move(done)]() mutable {
        std::optional<SyncReport> report;
        const Outcome outcome = sync_leased(s, number, lease, std::move(first_reads), &report);
        {
            std::lock_guard<std::mutex> lock(s.mutex);
            s.held.erase(number);
            ++s.finished;
        }
        s.changed.notify_all();
        if (done)
            done(lease, outcome, std::move(report));
    });
}

// Extends every held lease its sync's end has not released. lease_lost is not reported
// here: a lease taken over is the sync's to find at its fence (it says so), and a lease
// the sync's end released a moment ago, before its holder saw, answers so too.
void renew_held(Worker::State& s) {
    std::map<std::uint64_t, Worker::State::Held> held;
    {
        std::lock_guard<std::mutex> lock(s.mutex);
        held = s.held;
    }
    for (const auto& entry : held) {
        const Worker::State::Held& h = entry.second;
        if (h.released())
            continue;
        auto renewed = s.options.fleet->renew_lease(h.lease, s.now(), s.options.lease_for);
        if (renewed.ok() || renewed.error().code == ErrorCode::lease_lost)
            continue;
        s.log(LogLevel::warning,
              named(h.lease) + ": lease not renewed: " + renewed.error().message);
    }
}

// The first reads of the claimed syncs, read together (FleetStore::read_leased_snapshots);
// when that fails, each sync reads its own.
std::vector<std::optional<ConnectionSnapshot>> read_ahead(Worker::State& s,
                                                          const std::vector<Lease>& claimed) {
    if (claimed.empty())
        return {};
    auto read = s.options.fleet->read_leased_snapshots(claimed);
    if (read.ok() && read->size() == claimed.size())
        return std::move(read).value();
    if (!read.ok())
        s.log(LogLevel::warning,
              "worker: the claimed syncs' first reads failed; each reads its own: " +
                  read.error().message);
    return std::vector<std::optional<ConnectionSnapshot>>(claimed.size());
}

// How long run() may sleep before claiming again while it has free threads: until the
// next due time, at most idle_poll.
std::chrono::milliseconds until_next_due(Worker::State& s) {
    std::chrono::milliseconds sleep = s.options.idle_poll;
    const Instant now = s.now();
    auto next = s.options.fleet->earliest_due(now);
    if (next.ok() && next.value())
        sleep = std::min<std::chrono::milliseconds>(
            sleep, std::max<std::chrono::milliseconds>(
                       std::chrono::milliseconds(0),
                       std::chrono::duration_cast<std::chrono::milliseconds>(*next.value() - now)));
    return sleep;
}

}  // namespace

Result<std::unique_ptr<Worker>> Worker::open(WorkerOptions options) {
    if (!options.fleet)
        return make_error(ErrorCode::invalid_argument, "worker: a fleet store is required");
    if (options.owner.empty())
        return make_error(ErrorCode::invalid_argument, "worker: an owner name is required");
    if (options.threads < 1 || options.threads > 256)
        return make_error(ErrorCode::invalid_argument, "worker threads: 1 to 256");
    if (options.lease_for < std::chrono::seconds(3))
        return make_error(ErrorCode::invalid_argument, "worker lease: at least 3 seconds");
    // The settings are checked as SyncService checks them, on a business nobody holds.
    SyncServiceOptions probe;
    probe.settings = options.settings;
    probe.store_business_settings = false;
    probe.store = make_memory_store();
    auto checked = SyncService::open(std::move(probe));
    if (!checked.ok())
        return checked.error();
    return std::unique_ptr<Worker>(new Worker(std::make_unique<State>(std::move(options))));
}

Worker::Worker(std::unique_ptr<State> state) : s_(std::move(state)) {}

Worker::~Worker() {
    stop();
}

void Worker::stop() {
    {
        std::lock_guard<std::mutex> lock(s_->mutex);
        s_->stopping = true;
    }
    s_->changed.notify_all();
}

Result<WorkerPass> Worker::run_once() {
    const WorkerOptions& o = s_->options;
    std::size_t free = o.threads;
    {
        std::lock_guard<std::mutex> lock(s_->mutex);
        free -= std::min(free, s_->held.size());
    }
    auto claimed = o.fleet->claim_due(o.owner, s_->now(), o.lease_for, free);
    if (!claimed.ok())
        return claimed.error();
    // Filled in by the pool threads under s_->mutex; `left` counts this pass's syncs.
    struct Results {
        WorkerPass pass;
        std::size_t left = 0;
    };
    auto results = std::make_shared<Results>();
    results->pass.claimed = claimed->size();
    results->left = claimed->size();
    State& s = *s_;
    auto first_reads = read_ahead(s, claimed.value());
    for (std::size_t i = 0; i < claimed->size(); ++i)
        start(s, std::move(claimed.value()[i]), std::move(first_reads[i]),
              [&s, results](const Lease& lease, Outcome outcome, std::optional<SyncReport> report) {
                  std::lock_guard<std::mutex> lock(s.mutex);
                  if (outcome == Outcome::synced && report)
                      results->pass.reports.push_back(std::move(*report));
                  else if (outcome == Outcome::lost)
                      results->pass.lost.push_back(lease.connection_id);
                  else
                      results->pass.failed.push_back(lease.connection_id);
                  --results->left;
                  s.changed.notify_all();
              });
    std::unique_lock<std::mutex> lock(s_->mutex);
    while (!s_->changed.wait_for(lock, s_->renew_every(), [&] { return results->left == 0; })) {
        lock.unlock();
        renew_held(s);
        lock.lock();
    }
    return std::move(results->pass);
}

void Worker::run() {
    State& s = *s_;
    const WorkerOptions& o = s.options;
    auto renew_at = std::chrono::steady_clock::now() + s.renew_every();
    std::unique_lock<std::mutex> lock(s.mutex);
    for (;;) {
        if (s.stopping && s.held.empty())
            return;
        // Claims once no claimed sync waits for a thread, for the free threads and as many
        // waiting: one claim per `threads` syncs rather than one per sync (a claim is a
        // write to the fleet's queue, the dearest statement of a quiet poll), and a slow
        // sync holds one thread, not the others.
        std::optional<std::chrono::milliseconds> idle;  // set when threads stay free
        if (!s.stopping && s.held.size() <= o.threads) {
            const std::size_t free = 2 * o.threads - s.held.size();
            lock.unlock();
            auto claimed = o.fleet->claim_due(o.owner, s.now(), o.lease_for, free);
            if (!claimed.ok()) {
                s.log(LogLevel::error,
                      "worker: the fleet cannot be read: " + claimed.error().message);
                idle = o.idle_poll;
            } else {
                auto first_reads = read_ahead(s, claimed.value());
                for (std::size_t i = 0; i < claimed->size(); ++i)
                    start(s, std::move(claimed.value()[i]), std::move(first_reads[i]), {});
                if (claimed->size() < free)
                    idle = until_next_due(s);
            }
            lock.lock();
            if (!idle && s.held.size() <= o.threads)
                continue;  // syncs finished meanwhile: claim for their threads at once
        }
        // Sleeps until a sync finishes (its thread is free), stop(), the next renewal or,
        // with threads free, the next due time.
        auto wake = renew_at;
        if (idle)
            wake = std::min(wake, std::chrono::steady_clock::now() + *idle);
        const std::uint64_t finished = s.finished;
        const bool was_stopping = s.stopping;
        s.changed.wait_until(lock, wake,
                             [&] { return s.finished != finished || s.stopping != was_stopping; });
        if (std::chrono::steady_clock::now() >= renew_at) {
            lock.unlock();
            renew_held(s);
            lock.lock();
            renew_at = std::chrono::steady_clock::now() + s.renew_every();
        }
    }
}

}  // namespace calsync
