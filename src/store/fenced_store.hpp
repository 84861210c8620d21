// A StateStore view for a worker holding a lease: every write runs in a transaction of the
// inner view that first calls `check` (is the lease's fence still current?), so a worker
// whose lease was taken over writes nothing (ErrorCode::lease_lost). The records a sync
// reads repeatedly (connection, calendars, statuses, business settings, push channels) are
// read once and kept until the view's next write; other reads pass through. The first of
// them reads the leased connection's together (StateStore::read_connection_snapshot): one
// round trip instead of six.
// Shared by every FleetStore implementation; `check` must run on the inner view's own
// connection so it is part of the same transaction.
#pragma once

#include <functional>
#include <memory>
#include <string>

#include "calsync/store.hpp"

namespace calsync::store {

std::unique_ptr<StateStore> make_fenced_store(std::unique_ptr<StateStore> inner,
                                              std::function<Result<void>()> check,
                                              std::string leased_connection_id);

}  // namespace calsync::store
