// What the provider and OAuth halves of the C ABI share: an HTTP client from a "network"
// object, an OAuth flow from a service's preset, and token sets in and out of JSON.
#pragma once

#include <memory>
#include <string>

#include "core/provider_config.hpp"
#include "net/curl_transport.hpp"
#include "net/oauth.hpp"
#include "net/retry.hpp"
#include "providers/google/google_oauth.hpp"
#include "providers/microsoft/graph_oauth.hpp"

namespace calsync::capi {

inline std::shared_ptr<net::HttpClient> make_http_client(const json::NetworkConfig& network) {
    net::HttpOptions options;
    options.allow_private_addresses = network.allow_private_addresses;
    options.ca_bundle_path = network.ca_bundle;
    options.connect_timeout = std::chrono::seconds(network.connect_timeout_seconds);
    options.total_timeout = std::chrono::seconds(network.total_timeout_seconds);
    return std::make_shared<net::HttpClient>(
        std::make_shared<net::CurlTransport>(std::move(options)));
}

// `host_key` signs authorization states; a provider, which only refreshes, passes none.
inline std::shared_ptr<net::OAuthFlow> make_oauth_flow(const json::OAuthConfig& config,
                                                       std::shared_ptr<net::HttpClient> http,
                                                       std::string host_key) {
    const bool google = config.service == json::OAuthConfig::Service::google;
    return std::make_shared<net::OAuthFlow>(google ? providers::google::oauth_endpoints(config)
                                                   : providers::microsoft::oauth_endpoints(config),
                                            google ? providers::google::oauth_client(config)
                                                   : providers::microsoft::oauth_client(config),
                                            std::move(host_key), std::move(http));
}

inline net::TokenSet to_token_set(const json::TokensConfig& t) {
    return {t.access_token, t.refresh_token, t.scope, t.expires_at};
}

inline json::TokensConfig to_tokens_config(const net::TokenSet& t) {
    return {t.access_token, t.refresh_token, t.scope, t.expires_at};
}

}  // namespace calsync::capi
