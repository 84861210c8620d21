// FleetStore: the fleet-level side of a store that holds many businesses. A StateStore
// (calsync/store.hpp) is the view of one business; a FleetStore opens those views, routes
// a push notification to its business, and holds the work queue that workers share.
//
// The work queue. Each connection of each business has at most one queue entry: when it
// is next due, and whether a worker holds it.
//   - mark_due() makes a connection due at a time (a push notification, "sync now", a
//     login, the scheduler's next_due): the earlier of the held due time and the new one
//     wins. Marked while a worker holds it, the connection is due again as soon as that
//     worker finishes (a notification during a sync is never lost).
//   - claim_due() takes up to N connections due at `now`, of any business, whose lease is
//     free or expired, earliest due first; each claim gives a lease until now + lease_for
//     and a fencing token one greater than the connection's last (PostgreSQL: UPDATE ...
//     WHERE ... IN (SELECT ... FOR UPDATE SKIP LOCKED), so concurrent workers never take
//     the same connection and never wait for each other).
//   - renew_lease() extends a lease while the sync runs; finish_lease() releases it and
//     sets the next due time (none: due only when marked again).
//   - A lease whose expiry passed may be claimed by another worker; that claim raises the
//     fence. From then on the first holder's renew, finish and every write through a view
//     opened with open_leased() fail with ErrorCode::lease_lost, writing nothing: the fence,
//     not the clock, decides (a late worker whose lease expired but was not taken over may
//     still finish).
// Time: like the StateStore, the queue reads no clock; `now` is an argument, so every
// worker should run with a synchronised clock (NTP): a skewed clock changes when leases
// are taken over, never who may write.
//
// Request budgets (take_requests): a token bucket per key, for a quota every worker of the
// fleet shares (Google's per OAuth project: calsync/request_budget.hpp). A worker takes
// allowances in blocks, one short transaction each (PostgreSQL: the bucket's row locked
// from its upsert to the commit), spends them locally, and sleeps, holding no lock, when
// the bucket is empty. Whatever the number of takers, the requests granted by one bucket
// from its first take on never exceed burst + requests_per_second * time. `now` is an
// argument here too; a taker whose clock runs behind the bucket's last refill gets nothing
// refilled until its clock catches up (a skewed clock slows the fleet, never speeds it).
//
// Threads: every implementation may be called from several threads at once.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "calsync/civil_time.hpp"
#include "calsync/request_budget.hpp"
#include "calsync/result.hpp"
#include "calsync/store.hpp"

namespace calsync {

// A worker's claim on one connection of one business.
struct Lease {
    std::string business_id;
    std::string connection_id;
    std::string owner;       // the worker that claimed it (as given to claim_due)
    std::int64_t fence = 0;  // fencing token: grows with every claim of this connection
    Instant due_at{};        // the due time it was claimed for (for due-to-synced latency)
    Instant expires_at{};    // another worker may take it over from then on
};

// A business's view opened for a lease (FleetStore::open_leased).
struct LeasedView {
    std::unique_ptr<StateStore> store;
    // Whether the store's put_sync_end released the lease (the holder must not finish it).
    std::function<bool()> released;
};

// Milliseconds since the epoch (UTC): request budgets refill within a second.
using PreciseInstant =
    std::chrono::time_point<std::chrono::system_clock, std::chrono::milliseconds>;

// Where a push notification for a channel id belongs.
struct PushChannelOwner {
    std::string business_id;
    PushChannel channel;
};

class FleetStore {
  public:
    virtual ~FleetStore() = default;

    // The view of one business (nothing is created until it writes). Views share the
    // fleet's storage and may outlive the FleetStore. invalid_argument for an empty id or
    // one over 200 bytes.
    virtual Result<std::unique_ptr<StateStore>> open_business(const std::string& business_id) = 0;
    // The view of lease.business_id for the worker holding `lease`: each write through it
    // first checks, in the same transaction, that the lease's fence is still the
    // connection's (ErrorCode::lease_lost otherwise, nothing written). Reads are not
    // fenced. Every write of the view is fenced, whatever connection it names.
    // The sync's end releases the lease: put_sync_end for the leased connection, called
    // outside the view's transaction(), also does in its transaction what
    // finish_lease(lease, end.status.next_due) would (one commit per sync instead of two),
    // and LeasedView::released answers true from then on; the view's later writes are
    // lease_lost. Until then, the holder ends the lease with finish_lease.
    virtual Result<LeasedView> open_leased(const Lease& lease) = 0;
    // As open_leased(lease), the view's first reads done already (read_leased_snapshots):
    // it keeps `first_reads` as it keeps what it reads itself, until its first write. The
    // default reads again (open_leased(lease)).
    virtual Result<LeasedView> open_leased(const Lease& lease, ConnectionSnapshot first_reads);
    // The first reads of a claimed batch's syncs (StateStore::read_connection_snapshot of
    // each lease's connection in its business), read together: PostgreSQL answers a batch in
    // one round trip instead of one per sync. Entry i is leases[i]'s; it is empty when that
    // connection could not be read (its view then reads, and reports, for itself); an error
    // is the batch's (nothing read). A lease's sync may start later than this read: a
    // host's write in between is seen at the next sync, as one during the sync is. The
    // default reads lease by lease.
    virtual Result<std::vector<std::optional<ConnectionSnapshot>>> read_leased_snapshots(
        const std::vector<Lease>& leases);
    // Every business holding a record, sorted.
    virtual Result<std::vector<std::string>> list_businesses() = 0;
    // A notification names a channel, not a business: the channels with this id in every
    // business (normally one; the caller checks the notification's token against each
    // channel's sealed_token). Empty when unknown.
    virtual Result<std::vector<PushChannelOwner>> find_push_channel(
        const std::string& channel_id) = 0;

    // --- the work queue (see above)
    // not_found when the business has no such connection. Removing the connection removes
    // its queue entry.
    virtual Result<void> mark_due(const std::string& business_id, const std::string& connection_id,
                                  Instant due) = 0;
    // Up to `max` leases, earliest due first (ties: business id, connection id). `owner`
    // names the worker (non-empty; e.g. host:pid).
    virtual Result<std::vector<Lease>> claim_due(const std::string& owner, Instant now,
                                                 std::chrono::seconds lease_for,
                                                 std::size_t max) = 0;
    // The lease with expires_at = now + lease_for; lease_lost when its fence is stale.
    virtual Result<Lease> renew_lease(const Lease& lease, Instant now,
                                      std::chrono::seconds lease_for) = 0;
    // Releases the lease; the connection is next due at `next_due` (or earlier, when it
    // was marked due meanwhile). lease_lost when its fence is stale (nothing changes).
    virtual Result<void> finish_lease(const Lease& lease, std::optional<Instant> next_due) = 0;
    // The earliest due time of a connection no live lease holds at `now`, for a worker
    // deciding how long to sleep; empty when nothing is queued.
    virtual Result<std::optional<Instant>> earliest_due(Instant now) = 0;

    // --- request budgets (see above)
    // Takes up to `wanted` requests from the bucket `key` (made full, with `rate.burst`,
    // when first taken from), after refilling it at `rate` for the time since its last
    // refill: as many as it holds whole, up to `wanted`. When it holds none, `wait` is when
    // the next whole one will be there. Every taker of a key should give the same rate.
    // invalid_argument for an empty key or one over 200 bytes, wanted < 1, a rate of zero
    // or less or a burst under 1.
    virtual Result<RequestGrant> take_requests(const std::string& key, RequestRate rate,
                                               std::int64_t wanted, PreciseInstant now) = 0;
};

// A fleet in memory (views of its businesses share it). For tests and single processes.
std::unique_ptr<FleetStore> make_memory_fleet();
// The fleet of a SQLite file (options.business_id is ignored: views name their own).
Result<std::unique_ptr<FleetStore>> open_sqlite_fleet(const std::string& path,
                                                      const SqliteStoreOptions& options = {});
// The fleet of a PostgreSQL database (options.business_id is ignored). One connection for
// the queue, under a mutex; each view opened from it has a connection of its own.
Result<std::unique_ptr<FleetStore>> open_postgres_fleet(const std::string& conninfo,
                                                        const PostgresStoreOptions& options = {});
// By URL, for programs (`calsync worker --store URL`): "postgresql://..." or
// "postgres://..." (libpq URI), "sqlite:PATH" or a plain path, "memory:".
Result<std::unique_ptr<FleetStore>> open_fleet(const std::string& url);

}  // namespace calsync
