// A fleet worker (issue 16, item 3): runs the due connections of every business of a
// FleetStore. Any number of workers, in any number of processes on any number of
// machines, may share one fleet (PostgreSQL): each claims due connections with a lease
// and a fencing token, syncs each through a view of its business fenced by that lease
// (a worker that lost its lease writes nothing), renews its leases while it works, and
// finishes each with the connection's next due time. A worker killed mid-sync loses
// nothing: its leases expire, another worker claims the connections and syncs them again,
// and the export intent protocol keeps every appointment exported once.
//
// Push notifications, "sync now" and sign-ins make a connection due in the fleet's queue
// (SyncServiceOptions::connection_due, or FleetStore::mark_due), so any worker picks it up.
//
// Threads: one bounded pool of `threads` per worker; run_once() and run() may be called
// from one thread at a time, stop() from any.
#pragma once

#include <chrono>
#include <cstddef>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "calsync/fleet.hpp"
#include "calsync/sync.hpp"

namespace calsync {

struct WorkerOptions {
    std::shared_ptr<FleetStore> fleet;
    // Names this worker in its leases; unique among the fleet's workers ("host:pid").
    std::string owner;
    // Every business is synced with these (OAuth clients, network, schedule, host key),
    // and with its own zone, window, default policy and export policy as its host stored
    // them (a client opened on the business stores them: StateStore::
    // put_business_settings); a business that never stored any is synced with these.
    SyncSettings settings;
    // A claim lasts this long unless renewed; renewed every third of it while the sync
    // runs. Another worker takes a connection over once its lease expired.
    std::chrono::seconds lease_for{60};
    // Syncs at once, and so leases held at most (1 to 256).
    std::size_t threads = 4;
    // run(): the longest sleep while nothing is due (a mark_due from elsewhere is seen
    // within it).
    std::chrono::milliseconds idle_poll{1000};
    ProviderFactory provider_factory;  // empty: the real providers
    Clock clock;                       // empty: the system clock
    LogSink log;
};

// What one run_once() did.
struct WorkerPass {
    std::size_t claimed = 0;
    std::vector<SyncReport> reports;  // one per sync that ran to its end
    // Connections whose lease was lost to another worker (this worker's writes stopped at
    // the fence), or that could not be synced at all (the error is logged).
    std::vector<std::string> lost;
    std::vector<std::string> failed;
};

class Worker {
  public:
    // invalid_argument for a missing fleet or owner, or settings SyncService refuses.
    static Result<std::unique_ptr<Worker>> open(WorkerOptions options);
    ~Worker();  // stop(), then waits for the syncs running
    Worker(const Worker&) = delete;
    Worker& operator=(const Worker&) = delete;

    // One batch: claims what is due now (up to `threads`), syncs each on the pool while
    // renewing the leases, finishes each lease with its next due time; returns when this
    // batch is done, with what each did.
    // For hosts driving their own loop and for tests; a slow sync holds the whole batch.
    Result<WorkerPass> run_once();
    // Until stop(): keeps up to `threads` syncs running and up to as many claimed and
    // waiting for a thread, claiming again once none waits (a slow sync holds its own
    // thread, not the others), renews the held leases every third of lease_for, and with
    // threads free sleeps until the next due time (at most idle_poll). Errors of the fleet
    // are logged and tried again after idle_poll.
    // After stop() it claims nothing more and returns once the syncs it claimed finished.
    void run();
    void stop();

    struct State;

  private:
    explicit Worker(std::unique_ptr<State> state);
    std::unique_ptr<State> s_;
};

}  // namespace calsync
