#include "providers/google/google_api_client.hpp"

#include <algorithm>

#include "providers/google/google_errors.hpp"

namespace calsync::providers::google {

net::RateLimit project_pace(std::int64_t requests_per_minute) {
    const double per_minute = static_cast<double>(std::max<std::int64_t>(requests_per_minute, 1));
    return {per_minute * 0.9 / 60.0, std::max(1.0, per_minute / 100.0)};
}

std::shared_ptr<net::HttpClient> google_api_client(std::shared_ptr<net::Transport> transport,
                                                   const std::string& client_id,
                                                   GoogleClientLimits limits) {
    std::shared_ptr<net::RequestPacer> pacer;
    if (limits.shared_budget)
        pacer = std::make_shared<net::BudgetPacer>(std::move(limits.shared_budget));
    else
        pacer =
            net::shared_token_bucket("google:" + client_id, limits.rate, std::move(limits.clock));
    auto paced = std::make_shared<net::RateLimitedTransport>(std::move(transport), pacer,
                                                             limits.sleep, limits.cancel);
    net::RetryPolicy policy = limits.retry;
    policy.is_throttled = is_google_throttled;
    policy.is_transient = is_google_transient;
    return std::make_shared<net::HttpClient>(std::move(paced), std::move(policy),
                                             std::move(limits.sleep), limits.seed);
}

}  // namespace calsync::providers::google
