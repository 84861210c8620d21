// The request budgets of a fleet's worker (calsync/request_budget.hpp): each key's budget
// takes allowances from the fleet's shared bucket (FleetStore::take_requests) in blocks of
// up to a second's share (at most 20, and no more than the burst), so the store is asked
// about once per block, not per request, and hands them out to the worker's threads. An
// allowance held longer than a second is dropped: requests go out within a second of their
// grant, so the fleet never runs ahead of the bucket by more than one block per worker. An
// empty bucket is asked again once a whole block has accrued, by one of the worker's
// threads.
#pragma once

#include <functional>
#include <memory>

#include "calsync/fleet.hpp"
#include "calsync/request_budget.hpp"

namespace calsync::sync {

using PreciseClock = std::function<PreciseInstant()>;

// One budget per key for as long as the returned function (or a budget it gave) lives.
// `now` empty: the system clock.
RequestBudgets fleet_request_budgets(std::shared_ptr<FleetStore> fleet, PreciseClock now = {});

}  // namespace calsync::sync
