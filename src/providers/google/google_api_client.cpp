#include "providers/google/google_api_client.hpp"

#include "providers/google/google_errors.hpp"

namespace calsync::providers::google {

std::shared_ptr<net::HttpClient> google_api_client(std::shared_ptr<net::Transport> transport,
                                                   const std::string& client_id,
                                                   GoogleClientLimits limits) {
    auto bucket =
        net::shared_token_bucket("google:" + client_id, limits.rate, std::move(limits.clock));
    auto paced =
        std::make_shared<net::RateLimitedTransport>(std::move(transport), bucket, limits.sleep);
    net::RetryPolicy policy = limits.retry;
    policy.is_throttled = is_google_throttled;
    policy.is_transient = is_google_transient;
    return std::make_shared<net::HttpClient>(std::move(paced), std::move(policy),
                                             std::move(limits.sleep), limits.seed);
}

}  // namespace calsync::providers::google
