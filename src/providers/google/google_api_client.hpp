// The HttpClient every Google Calendar request of one OAuth client goes through: retries
// with Google's rules (403 rateLimitExceeded backs off like 429, 500 like 503) and a pace
// shared by every connection of that client in the process, since Google counts its
// per-minute quota per project (per OAuth client), not per user.
#pragma once

#include <cstdint>
#include <memory>
#include <random>
#include <string>

#include "net/rate_limiter.hpp"
#include "net/retry.hpp"

namespace calsync::providers::google {

struct GoogleClientLimits {
    // Google's default quota is 10,000 requests per minute per project (and 600 per
    // minute per user); staying just under the project figure keeps a busy host clear of
    // 403 rateLimitExceeded. Lower it when the Cloud project has a lower quota.
    net::RateLimit rate{150.0, 100.0};
    net::RetryPolicy retry;  // is_throttled and is_transient are set to Google's rules
    net::Sleeper sleep;      // empty: really sleep (tests record instead)
    net::SteadyClock clock;  // empty: the steady clock
    std::uint64_t seed = std::random_device{}();  // backoff jitter
};

// `transport` (a CurlTransport, or a test's) is wrapped in the shared pace for
// `client_id`; the first connection of a client id sets that pace for the process.
std::shared_ptr<net::HttpClient> google_api_client(std::shared_ptr<net::Transport> transport,
                                                   const std::string& client_id,
                                                   GoogleClientLimits limits = {});

}  // namespace calsync::providers::google
