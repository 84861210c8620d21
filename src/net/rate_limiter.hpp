// Client-side request pacing: a token bucket several connections share, so one process
// stays inside a quota that the service counts per OAuth client (Google Calendar: "per
// minute per project"); a pace drawn from a budget shared with other processes (a fleet's,
// calsync/request_budget.hpp) for when several processes send on one quota; and the
// Transport decorator that waits on either before each attempt.
#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <mutex>
#include <string>

#include "calsync/cancel.hpp"
#include "calsync/request_budget.hpp"
#include "net/http.hpp"
#include "net/retry.hpp"

namespace calsync::net {

// requests_per_second, and burst: the requests that may go out at once after a quiet spell.
using RateLimit = RequestRate;

using SteadyClock = std::function<std::chrono::steady_clock::time_point()>;

// When the next request may go out. Thread safe.
class RequestPacer {
  public:
    // `taken`: the request may go after `wait`; not taken: none to be had now, ask again
    // after `wait`.
    struct Turn {
        bool taken = true;
        std::chrono::milliseconds wait{0};
    };
    virtual ~RequestPacer() = default;
    // An error when the pace cannot be known (a shared budget that cannot be read).
    virtual Result<Turn> next_turn() = 0;
};

// Thread safe. Tokens are reserved, not polled: a caller that must wait is told how long
// and its token is already taken, so concurrent callers queue in order instead of waking
// together and racing again.
class TokenBucket final : public RequestPacer {
  public:
    explicit TokenBucket(RateLimit limit, SteadyClock now = {});

    // Takes one token; returns how long to wait before using it (zero when one was free).
    std::chrono::milliseconds reserve();
    Result<Turn> next_turn() override { return Turn{true, reserve()}; }
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

// One request at a time from a budget other processes share (polled: when it is empty,
// the caller asks again after the wait it names).
class BudgetPacer final : public RequestPacer {
  public:
    explicit BudgetPacer(std::shared_ptr<RequestBudget> budget) : budget_(std::move(budget)) {}
    Result<Turn> next_turn() override;

  private:
    std::shared_ptr<RequestBudget> budget_;
};

// Waits for its turn before every request it passes on, retries included (each is counted
// against the quota by the server too). A wait past the operation's deadline, a
// cancellation (`cancel`) or a pace that cannot be read sends nothing.
class RateLimitedTransport : public Transport {
  public:
    RateLimitedTransport(std::shared_ptr<Transport> inner, std::shared_ptr<RequestPacer> pacer,
                         Sleeper sleep = {}, std::shared_ptr<const CancelSignal> cancel = {});

    Result<HttpResponse> perform(const HttpRequest& request) override;

  private:
    std::shared_ptr<Transport> inner_;
    std::shared_ptr<RequestPacer> pacer_;
    Sleeper sleep_;
    std::shared_ptr<const CancelSignal> cancel_;
};

}  // namespace calsync::net
