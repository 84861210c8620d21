#include "store/request_bucket.hpp"

#include <algorithm>
#include <cmath>

#include "store/store_checks.hpp"

namespace calsync::store {
namespace {

constexpr double kMicro = 1e6;
constexpr std::int64_t kOneRequest = 1000000;

std::int64_t unix_ms(PreciseInstant t) {
    return t.time_since_epoch().count();
}

std::int64_t capacity(RequestRate rate) {
    return static_cast<std::int64_t>(std::floor(rate.burst * kMicro));
}

}  // namespace

Result<void> check_request_take(const std::string& key, RequestRate rate, std::int64_t wanted) {
    const char* operation = "take from a request budget";
    if (key.empty() || key.size() > 200)
        return invalid(operation, "the budget's key must be 1 to 200 bytes");
    if (wanted < 1)
        return invalid(operation, "at least one request must be wanted");
    // The upper bounds keep the arithmetic in 64 bits (a million requests a second).
    if (!(rate.requests_per_second > 0.0) || rate.requests_per_second > 1e6)
        return invalid(operation, "the rate must be above 0 and at most 1,000,000 a second");
    if (!(rate.burst >= 1.0) || rate.burst > 1e9)
        return invalid(operation, "the burst must be 1 to 1,000,000,000 requests");
    return {};
}

RequestBucket full_request_bucket(RequestRate rate, PreciseInstant now) {
    return {capacity(rate), unix_ms(now)};
}

RequestGrant take_from_bucket(RequestBucket& bucket, RequestRate rate, std::int64_t wanted,
                              PreciseInstant now) {
    const std::int64_t full = capacity(rate);
    const std::int64_t at = unix_ms(now);
    if (at > bucket.refreshed_ms) {
        // Beyond the time that fills it from empty, waiting adds nothing (and could overflow).
        const double elapsed_ms =
            std::min(static_cast<double>(at - bucket.refreshed_ms),
                     std::ceil(1000.0 * rate.burst / rate.requests_per_second) + 1.0);
        const auto refill =
            static_cast<std::int64_t>(std::floor(elapsed_ms * rate.requests_per_second * 1000.0));
        bucket.micro_tokens = std::min(full, bucket.micro_tokens + refill);
        bucket.refreshed_ms = at;
    }
    bucket.micro_tokens = std::min(bucket.micro_tokens, full);  // the rate was lowered
    RequestGrant grant;
    grant.granted = std::min(wanted, std::max<std::int64_t>(0, bucket.micro_tokens / kOneRequest));
    bucket.micro_tokens -= grant.granted * kOneRequest;
    if (grant.granted == 0) {
        const auto missing = static_cast<double>(kOneRequest - bucket.micro_tokens);
        grant.wait = std::chrono::milliseconds(
            static_cast<std::int64_t>(std::ceil(missing / (rate.requests_per_second * 1000.0))));
    }
    return grant;
}

}  // namespace calsync::store
