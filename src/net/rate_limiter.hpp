// Client-side request pacing: a token bucket several connections share, so one process
// stays inside a quota that the service counts per OAuth client (Google Calendar: "per
// minute per project"), and the Transport decorator that waits on it before each attempt.
#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <mutex>
#include <string>

#include "net/http.hpp"
#include "net/retry.hpp"

namespace calsync::net {

struct RateLimit {
    double requests_per_second = 10.0;
    double burst = 20.0;  // requests that may go out at once after a quiet spell
};

using SteadyClock = std::function<std::chrono::steady_clock::time_point()>;

// Thread safe. Tokens are reserved, not polled: a caller that must wait is told how long
// and its token is already taken, so concurrent callers queue in order instead of waking
// together and racing again.
class TokenBucket {
  public:
    explicit TokenBucket(RateLimit limit, SteadyClock now = {});

    // Takes one token; returns how long to wait before using it (zero when one was free).
    std::chrono::milliseconds reserve();
    const RateLimit& limit() const { return limit_; }

  private:
    std::chrono::steady_clock::time_point now() const;

    RateLimit limit_;
    SteadyClock clock_;
    std::mutex mutex_;
    double tokens_;  // negative: reserved ahead by callers still waiting
    std::chrono::steady_clock::time_point last_;
};

// The process-wide bucket for `key` (an OAuth client id), made with `limit` and `now` by
// the first caller; later callers share it whatever they pass (one quota, one pace).
// Buckets nobody holds any more are forgotten.
std::shared_ptr<TokenBucket> shared_token_bucket(const std::string& key, RateLimit limit,
                                                 SteadyClock now = {});

// Waits for a token before every request it passes on, retries included (each is counted
// against the quota by the server too).
class RateLimitedTransport : public Transport {
  public:
    RateLimitedTransport(std::shared_ptr<Transport> inner, std::shared_ptr<TokenBucket> bucket,
                         Sleeper sleep = {});

    Result<HttpResponse> perform(const HttpRequest& request) override;

  private:
    std::shared_ptr<Transport> inner_;
    std::shared_ptr<TokenBucket> bucket_;
    Sleeper sleep_;
};

}  // namespace calsync::net
