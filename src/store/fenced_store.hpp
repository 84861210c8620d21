// A StateStore view for a worker holding a lease: every write runs in a transaction of the
// inner view that first calls `check` (is the lease's fence still current?), so a worker
// whose lease was taken over writes nothing (ErrorCode::lease_lost). The leased
// connection's put_sync_end, outside the view's transaction(), calls `end_sync` instead,
// which checks as `check` does and releases the lease with the write (see
// FleetStore::open_leased). The records a sync reads repeatedly (connection, calendars,
// statuses, business settings, push channels) are read once and kept until the view's next
// write; other reads pass through. The first of them reads the leased connection's
// together (StateStore::read_connection_snapshot): one round trip instead of seven, none
// when the view was opened with them (FleetStore::read_leased_snapshots). The
// calendars' slot windows come with that snapshot (when its store reads them) and are kept
// until the view's next write, slot writes included.
// Shared by every FleetStore implementation; `check` and `end_sync` must run on the inner
// view's own connection so they are part of the same transaction, which undoes them when
// it fails.
#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "calsync/fleet.hpp"
#include "calsync/store.hpp"

namespace calsync::store {

// How a fenced view asks its fleet about its lease.
struct LeaseGuard {
    std::function<Result<void>()> check;  // lease_lost unless the lease is current
    // As check, then, together, releases the lease, due next at end.status.next_due
    // (FleetStore::finish_lease), and stores `end` for the leased connection (put_sync_end).
    std::function<Result<void>(const SyncEnd& end)> end_sync;
};

// LeaseGuard::end_sync for a store that ends a sync in several calls: in one transaction
// of `view`, `release` (as check, then the release) and then view.put_sync_end. The release
// comes first: its row lock guards the writes, as check's does.
Result<void> release_then_put_sync_end(StateStore& view,
                                       const std::function<Result<void>()>& release,
                                       const std::string& connection_id, const SyncEnd& end);

// `first_reads`, when given, is kept as the view's first reads of the leased connection
// (FleetStore::read_leased_snapshots), read then instead of by the view.
LeasedView make_fenced_store(std::unique_ptr<StateStore> inner, LeaseGuard guard,
                             std::string leased_connection_id,
                             std::optional<ConnectionSnapshot> first_reads = std::nullopt);

}  // namespace calsync::store
