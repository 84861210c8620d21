// The fleet worker (calsync/worker.hpp): claim, sync through a fenced view, renew, finish.
#include "calsync/worker.hpp"

#include <algorithm>
#include <condition_variable>
#include <mutex>
#include <optional>

#include "sync/fleet_budget.hpp"
#include "sync/sync_pool.hpp"

namespace calsync {

struct Worker::State {
    WorkerOptions options;
    sync::SyncPool pool;
    // Google's quota is per OAuth project: every worker of the fleet takes from one budget.
    RequestBudgets request_budgets = sync::fleet_request_budgets(options.fleet);
    std::mutex stop_mutex;
    std::condition_variable stop_wake;
    bool stopping = false;

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
};

namespace {

enum class Outcome { synced, lost, failed };

// One claimed connection, as a pool thread fills it in.
struct Job {
    Lease lease;
    bool done = false;
    Outcome outcome = Outcome::failed;
    std::optional<SyncReport> report;
};

struct Jobs {
    std::mutex mutex;
    std::condition_variable finished;
    std::vector<Job> items;
    std::size_t left = 0;
};

std::string named(const Lease& lease) {
    return "business " + lease.business_id + ", connection " + lease.connection_id;
}

// Releases a lease that could not be synced; due again after the first retry's wait.
Outcome give_back(Worker::State& s, const Lease& lease, const Error& why) {
    s.log(LogLevel::error, named(lease) + ": not synced: " + why.message);
    auto finished =
        s.options.fleet->finish_lease(lease, s.now() + s.options.settings.schedule.first_retry);
    return finished.ok() || finished.error().code != ErrorCode::lease_lost ? Outcome::failed
                                                                           : Outcome::lost;
}

// Syncs one leased connection through its business's view fenced by the lease.
Outcome sync_leased(Worker::State& s, const Lease& lease, std::optional<SyncReport>* report) {
    FleetStore& fleet = *s.options.fleet;
    auto view = fleet.open_leased(lease);
    if (!view.ok())
        return give_back(s, lease, view.error());
    SyncServiceOptions o;
    o.settings = s.options.settings;
    o.store = std::shared_ptr<StateStore>(std::move(view).value());
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
        return give_back(s, lease, synced.error());
    }
    auto finished = fleet.finish_lease(lease, synced->status.next_due);
    if (!finished.ok()) {
        s.log(LogLevel::warning, named(lease) + ": synced, but " + finished.error().message);
        return finished.error().code == ErrorCode::lease_lost ? Outcome::lost : Outcome::failed;
    }
    *report = std::move(synced).value();
    return Outcome::synced;
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
        std::lock_guard<std::mutex> lock(s_->stop_mutex);
        s_->stopping = true;
    }
    s_->stop_wake.notify_all();
}

Result<WorkerPass> Worker::run_once() {
    const WorkerOptions& o = s_->options;
    auto claimed = o.fleet->claim_due(o.owner, s_->now(), o.lease_for, o.threads);
    if (!claimed.ok())
        return claimed.error();
    auto jobs = std::make_shared<Jobs>();
    for (Lease& lease : claimed.value())
        jobs->items.emplace_back().lease = std::move(lease);
    jobs->left = jobs->items.size();
    State& s = *s_;
    for (std::size_t i = 0; i < jobs->items.size(); ++i) {
        s_->pool.submit([&s, jobs, i] {
            std::optional<SyncReport> report;
            const Outcome outcome = sync_leased(s, jobs->items[i].lease, &report);
            std::lock_guard<std::mutex> lock(jobs->mutex);
            jobs->items[i].outcome = outcome;
            jobs->items[i].report = std::move(report);
            jobs->items[i].done = true;
            --jobs->left;
            jobs->finished.notify_all();
        });
    }
    // Renewed every third of the lease while the syncs run: a slow sync keeps its claim,
    // a dead worker's lapses.
    const auto every =
        std::max<std::chrono::milliseconds>(o.lease_for / 3, std::chrono::milliseconds(500));
    std::unique_lock<std::mutex> lock(jobs->mutex);
    while (!jobs->finished.wait_for(lock, every, [&] { return jobs->left == 0; })) {
        std::vector<Lease> running;
        for (const Job& j : jobs->items)
            if (!j.done)
                running.push_back(j.lease);
        lock.unlock();
        for (const Lease& lease : running) {
            auto renewed = o.fleet->renew_lease(lease, s_->now(), o.lease_for);
            if (!renewed.ok())
                s_->log(LogLevel::warning,
                        named(lease) + ": lease not renewed: " + renewed.error().message);
        }
        lock.lock();
    }
    WorkerPass pass;
    pass.claimed = jobs->items.size();
    for (Job& j : jobs->items) {
        if (j.outcome == Outcome::synced && j.report)
            pass.reports.push_back(std::move(*j.report));
        else if (j.outcome == Outcome::lost)
            pass.lost.push_back(j.lease.connection_id);
        else
            pass.failed.push_back(j.lease.connection_id);
    }
    return pass;
}

void Worker::run() {
    const WorkerOptions& o = s_->options;
    for (;;) {
        {
            std::lock_guard<std::mutex> lock(s_->stop_mutex);
            if (s_->stopping)
                return;
        }
        auto pass = run_once();
        if (pass.ok() && pass->claimed > 0)
            continue;  // there may be more due at once
        if (!pass.ok())
            s_->log(LogLevel::error, "worker: the fleet cannot be read: " + pass.error().message);
        std::chrono::milliseconds sleep = o.idle_poll;
        if (pass.ok()) {
            const Instant now = s_->now();
            auto next = o.fleet->earliest_due(now);
            if (next.ok() && next.value())
                sleep = std::min<std::chrono::milliseconds>(
                    sleep, std::max<std::chrono::milliseconds>(
                               std::chrono::milliseconds(0),
                               std::chrono::duration_cast<std::chrono::milliseconds>(*next.value() -
                                                                                     now)));
        }
        std::unique_lock<std::mutex> lock(s_->stop_mutex);
        s_->stop_wake.wait_for(lock, sleep, [this] { return s_->stopping; });
    }
}

}  // namespace calsync
