// Request quotas shared beyond one process. Google counts its Calendar API quota per OAuth
// project (10,000 requests a minute by default), whatever number of processes send them:
// a fleet's workers (calsync/worker.hpp) take their requests from one budget kept in the
// fleet's store (FleetStore::take_requests), so N workers together keep the project's pace
// instead of N times it. A single process paces itself (net/rate_limiter.hpp) and needs
// none of this.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "calsync/result.hpp"

namespace calsync {

// A token bucket's pace: `requests_per_second` on average, and up to `burst` at once after a
// quiet spell.
struct RequestRate {
    double requests_per_second = 10.0;
    double burst = 20.0;
};

// What a budget gave: `granted` requests (none up to the number asked for) that may go out
// now; when none, the budget is empty and `wait` says when to ask again.
struct RequestGrant {
    std::int64_t granted = 0;
    std::chrono::milliseconds wait{0};
};

// One quota's budget as seen by one process. Thread safe.
class RequestBudget {
  public:
    virtual ~RequestBudget() = default;
    // Takes up to `wanted` (1 or more) requests' allowance without waiting. An error when
    // the budget could not be read: the requests should not be sent.
    virtual Result<RequestGrant> take(std::int64_t wanted) = 0;
};

// The budget of the quota named `key` (e.g. "google:<OAuth client id>"), paced at `rate`;
// every caller naming one key gets one budget.
using RequestBudgets =
    std::function<std::shared_ptr<RequestBudget>(const std::string& key, RequestRate rate)>;

}  // namespace calsync
