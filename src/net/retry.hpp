// HttpClient: a Transport plus the retry policy every provider shares.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <random>
#include <string_view>

#include "core/jitter_seed.hpp"
#include "net/http.hpp"

namespace calsync::net {

struct RetryPolicy {
    int max_attempts = 5;
    std::chrono::milliseconds base_delay{500};
    std::chrono::milliseconds max_delay{60'000};
    // A Retry-After longer than this is not waited out: the call fails with the delay in
    // Error::retry_after, for the scheduler to come back then.
    std::chrono::seconds max_retry_after{120};
    // A response that means "slow down" although its status is not 429, e.g. Google's
    // 403 rateLimitExceeded ("403 or 429 ... respond the same way"). Such a response is
    // retried like a 429 and, after the last attempt, reported as rate_limited. The
    // provider that knows the service's error bodies supplies it; empty: none.
    std::function<bool(const HttpResponse&)> is_throttled;
    // A response that means "try again" although its status is not 502, 503 or 504, e.g.
    // Google's 500 backendError ("Handle API errors": use exponential backoff). Retried
    // like those, and, after the last attempt, reported as http. Empty: none.
    std::function<bool(const HttpResponse&)> is_transient;
};

using Sleeper = std::function<void(std::chrono::milliseconds)>;

// Sleeps until the time is up or `cancel` is set, whichever comes first (a plain sleep
// without a signal): a Retry-After of two minutes must not hold up a client being freed.
Sleeper cancellable_sleep(std::shared_ptr<const CancelSignal> cancel);
using WallClock = std::function<std::chrono::system_clock::time_point()>;

// Retry-After as delta-seconds or an HTTP-date (RFC 9110 10.2.3); nullopt if unreadable.
std::optional<std::chrono::seconds> parse_retry_after(std::string_view value,
                                                      std::chrono::system_clock::time_point now);

// Whether repeating the request is harmless (RFC 9110 9.2.2 idempotent methods; POST only
// when the caller says so).
bool is_retry_safe(const HttpRequest& request);

class HttpClient {
  public:
    explicit HttpClient(std::shared_ptr<Transport> transport, RetryPolicy policy = {},
                        Sleeper sleep = {}, std::uint64_t seed = jitter_seed(), WallClock now = {});

    // Retries 429, 502, 503, 504, responses the policy calls throttled or transient, and
    // network errors with exponential backoff and full jitter; Retry-After wins when present.
    // Any other status is returned as it is; after the last attempt a retryable status
    // becomes Error{rate_limited or http}.
    Result<HttpResponse> send(const HttpRequest& request);

    Transport& transport() { return *transport_; }

  private:
    std::chrono::milliseconds backoff(int attempt);

    std::shared_ptr<Transport> transport_;
    RetryPolicy policy_;
    Sleeper sleep_;
    std::mt19937_64 random_;
    WallClock now_;
};

}  // namespace calsync::net
