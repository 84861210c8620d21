// Push channels of the sync service (push.cpp), as disconnect and deselect need them.
#pragma once

#include <string>

#include "sync/service_state.hpp"

namespace calsync {

// Stops at the service every stored channel of `connection` (of `calendar_id` only when
// not empty) and forgets it in the store. Best effort: a channel the service would not
// stop is logged and forgotten all the same; its notifications are then ignored as
// coming from an unknown channel, and it lapses at its expiry. The caller holds the
// connection's sync lock (`live`).
void stop_push_channels(SyncService::State& s, LiveConnection& live,
                        const ConnectionRecord& connection, const std::string& calendar_id = {});

}  // namespace calsync
