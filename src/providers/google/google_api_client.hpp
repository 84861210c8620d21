// The HttpClient every Google Calendar request of one OAuth client goes through: retries
// with Google's rules (403 rateLimitExceeded backs off like 429, 500 like 503) and a pace
// shared by every connection of that client in the process, since Google counts its
// per-minute quota per project (per OAuth client), not per user. When several processes
// send on one project (a fleet's workers), the pace comes from a budget they share instead
// (limits.shared_budget: calsync/request_budget.hpp).
#pragma once

#include <cstdint>
#include <memory>
#include <random>
#include <string>

#include "core/jitter_seed.hpp"
#include "net/rate_limiter.hpp"
#include "net/retry.hpp"

namespace calsync::providers::google {

// Google's default Calendar API quota: requests per minute per project.
constexpr std::int64_t kDefaultProjectQuotaPerMinute = 10000;

// The pace that keeps a project with this quota clear of 403 rateLimitExceeded: 90 % of it
// on average, bursts of a hundredth of it (a minute then holds at most 91 %). 10,000 a
// minute: 150 a second, bursts of 100.
net::RateLimit project_pace(std::int64_t requests_per_minute);

struct GoogleClientLimits {
    // Google's default quota is 10,000 requests per minute per project (and 600 per
    // minute per user); staying just under the project figure keeps a busy host clear of
    // 403 rateLimitExceeded. project_pace() of the Cloud project's own quota when it has
    // another.
    net::RateLimit rate = project_pace(kDefaultProjectQuotaPerMinute);
    // Set: every request waits for this budget, shared with other processes and paced at
    // `rate` by whoever keeps it, instead of this process's bucket.
    std::shared_ptr<RequestBudget> shared_budget;
    std::shared_ptr<const CancelSignal> cancel;  // stops a wait for the quota
    net::RetryPolicy retry;              // is_throttled and is_transient are set to Google's rules
    net::Sleeper sleep;                  // empty: really sleep (tests record instead)
    net::SteadyClock clock;              // empty: the steady clock
    std::uint64_t seed = jitter_seed();  // backoff jitter
};

// `transport` (a CurlTransport, or a test's) is wrapped in the shared pace for
// `client_id`; the first connection of a client id sets that pace for the process (unless
// limits.shared_budget paces it).
std::shared_ptr<net::HttpClient> google_api_client(std::shared_ptr<net::Transport> transport,
                                                   const std::string& client_id,
                                                   GoogleClientLimits limits = {});

}  // namespace calsync::providers::google
