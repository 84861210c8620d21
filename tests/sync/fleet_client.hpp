// A client of one business of a fleet, as a host's backend opens one: its view of the
// store, and its connections made due in the fleet's queue, where workers find them.
#pragma once

#include <catch2/catch.hpp>
#include <memory>
#include <string>

#include "calsync/fleet.hpp"
#include "calsync/sync.hpp"

namespace calsync::test {

// `o` with the store and connection_due set for `business` of `fleet` (which must outlive
// the client).
inline std::unique_ptr<SyncService> fleet_client(FleetStore& fleet, const std::string& business,
                                                 SyncServiceOptions o) {
    auto view = fleet.open_business(business);
    REQUIRE(view.ok());
    o.store = std::shared_ptr<StateStore>(std::move(view).value());
    FleetStore* queue = &fleet;
    o.connection_due = [queue, business](const std::string& id, Instant due) {
        REQUIRE(queue->mark_due(business, id, due).ok());
    };
    auto service = SyncService::open(std::move(o));
    REQUIRE(service.ok());
    return std::move(service).value();
}

}  // namespace calsync::test
