// FleetStore's default implementations, for fleets with no round trips to save.
#include "calsync/fleet.hpp"

namespace calsync {

Result<LeasedView> FleetStore::open_leased(const Lease& lease, ConnectionSnapshot /*first_reads*/) {
    return open_leased(lease);
}

Result<std::vector<std::optional<ConnectionSnapshot>>> FleetStore::read_leased_snapshots(
    const std::vector<Lease>& leases) {
    std::vector<std::optional<ConnectionSnapshot>> out;
    out.reserve(leases.size());
    for (const Lease& lease : leases) {
        auto view = open_business(lease.business_id);
        auto read = view.ok() ? view.value()->read_connection_snapshot(lease.connection_id)
                              : Result<ConnectionSnapshot>(view.error());
        if (read.ok())
            out.emplace_back(std::move(read).value());
        else
            out.emplace_back();  // the view reports it
    }
    return out;
}

}  // namespace calsync
