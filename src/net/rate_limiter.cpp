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

RateLimitedTransport::RateLimitedTransport(std::shared_ptr<Transport> inner,
                                           std::shared_ptr<TokenBucket> bucket, Sleeper sleep)
    : inner_(std::move(inner)),
      bucket_(std::move(bucket)),
      sleep_(sleep ? std::move(sleep)
                   : Sleeper([](std::chrono::milliseconds d) { std::this_thread::sleep_for(d); })) {
}

Result<HttpResponse> RateLimitedTransport::perform(const HttpRequest& request) {
    const auto wait = bucket_->reserve();
    // A wait for the quota is part of the operation's time like any other.
    if (wait.count() > 0 && time_left(wait) < wait)
        return make_error(ErrorCode::network,
                          request.method + " " + shown_url(request) +
                              ": not sent, the time limit of this sync ran out waiting for "
                              "the request quota");
    if (wait.count() > 0)
        sleep_(wait);
    return inner_->perform(request);
}

}  // namespace calsync::net
