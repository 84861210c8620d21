#include "net/rate_limiter.hpp"

#include <algorithm>
#include <cmath>
#include <map>
#include <thread>
#include <utility>

#include "net/deadline.hpp"

namespace calsync::net {

namespace {

// A pace of zero or a burst under one request would never let a request out.
RateLimit usable(RateLimit limit) {
    limit.requests_per_second = std::max(limit.requests_per_second, 1e-6);
    limit.burst = std::max(limit.burst, 1.0);
    return limit;
}

}  // namespace

TokenBucket::TokenBucket(RateLimit limit, SteadyClock now)
    : limit_(usable(limit)), clock_(std::move(now)), tokens_(limit_.burst), last_(this->now()) {}

std::chrono::steady_clock::time_point TokenBucket::now() const {
    return clock_ ? clock_() : std::chrono::steady_clock::now();
}

std::chrono::milliseconds TokenBucket::reserve() {
    std::lock_guard<std::mutex> lock(mutex_);
    const auto t = now();
    if (t > last_) {
        const double elapsed = std::chrono::duration<double>(t - last_).count();
        tokens_ = std::min(limit_.burst, tokens_ + elapsed * limit_.requests_per_second);
        last_ = t;
    }
    tokens_ -= 1.0;
    if (tokens_ >= 0.0)
        return std::chrono::milliseconds(0);
    const double wait_seconds = -tokens_ / limit_.requests_per_second;
    return std::chrono::milliseconds(static_cast<std::int64_t>(std::ceil(wait_seconds * 1000.0)));
}

std::shared_ptr<TokenBucket> shared_token_bucket(const std::string& key, RateLimit limit,
                                                 SteadyClock now) {
    static std::mutex mutex;
    static std::map<std::string, std::weak_ptr<TokenBucket>> buckets;
    std::lock_guard<std::mutex> lock(mutex);
    for (auto it = buckets.begin(); it != buckets.end();)
        it = it->second.expired() ? buckets.erase(it) : std::next(it);
    if (auto held = buckets[key].lock())
        return held;
    auto bucket = std::make_shared<TokenBucket>(limit, std::move(now));
    buckets[key] = bucket;
    return bucket;
}

Result<RequestPacer::Turn> BudgetPacer::next_turn() {
    auto grant = budget_->take(1);
    if (!grant.ok())
        return grant.error();
    if (grant->granted > 0)
        return Turn{true, std::chrono::milliseconds(0)};
    // Never spin on an empty budget that names no wait.
    return Turn{false, std::max(grant->wait, std::chrono::milliseconds(1))};
}

RateLimitedTransport::RateLimitedTransport(std::shared_ptr<Transport> inner,
                                           std::shared_ptr<RequestPacer> pacer, Sleeper sleep,
                                           std::shared_ptr<const CancelSignal> cancel)
    : inner_(std::move(inner)),
      pacer_(std::move(pacer)),
      sleep_(sleep ? std::move(sleep)
                   : Sleeper([](std::chrono::milliseconds d) { std::this_thread::sleep_for(d); })),
      cancel_(std::move(cancel)) {}

Result<HttpResponse> RateLimitedTransport::perform(const HttpRequest& request) {
    const auto not_sent = [&request](ErrorCode code, const std::string& why) {
        return make_error(code, request.method + " " + shown_url(request) + ": not sent, " + why);
    };
    for (;;) {
        auto turn = pacer_->next_turn();
        if (!turn.ok())
            return not_sent(turn.error().code,
                            "the request quota could not be read: " + turn.error().message);
        const auto wait = turn->wait;
        // A wait for the quota is part of the operation's time like any other.
        if (wait.count() > 0 && time_left(wait) < wait)
            return not_sent(ErrorCode::network,
                            "the time limit of this sync ran out waiting for the request quota");
        if (wait.count() > 0)
            sleep_(wait);
        if (cancel_ && cancel_->cancelled())
            return not_sent(ErrorCode::cancelled, "cancelled while waiting for the request quota");
        if (turn->taken)
            return inner_->perform(request);
    }
}

}  // namespace calsync::net
