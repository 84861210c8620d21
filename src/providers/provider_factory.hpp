// The one place a provider is built from its configuration (a calsync_provider_new
// document, or a stored connection's settings with its credentials): the C ABI and the
// sync service both come here.
#pragma once

#include <memory>
#include <string>

#include "calsync/provider.hpp"
#include "core/provider_config.hpp"
#include "net/oauth.hpp"
#include "net/oauth_session.hpp"
#include "net/retry.hpp"

namespace calsync::providers {

struct ProviderHandle {
    std::unique_ptr<CalendarProvider> provider;
    // Google and Microsoft: the tokens, refreshed (and rotated) as the provider works.
    std::shared_ptr<net::OAuthSession> session;
};

// No network traffic yet. Errors: invalid_argument naming the field.
Result<ProviderHandle> make_provider(const json::ProviderConfig& config);

std::shared_ptr<net::HttpClient> make_http_client(const json::NetworkConfig& network);

// The service's OAuth flow (its preset with the overrides of `config`); `host_key` signs
// authorization states, and a provider, which only refreshes, passes none.
std::shared_ptr<net::OAuthFlow> make_oauth_flow(const json::OAuthConfig& config,
                                                std::shared_ptr<net::HttpClient> http,
                                                std::string host_key);

// Whether a finished sign-in granted what a connection needs: a consent screen may let the
// person untick permissions (Google's granular consent). Error auth naming each missing
// permission; ok when the token answer named no scope (the service did not say) or the
// service has no such check.
Result<void> check_granted_scope(const json::OAuthConfig& config, const std::string& scope);

net::TokenSet to_token_set(const json::TokensConfig& tokens);
json::TokensConfig to_tokens_config(const net::TokenSet& tokens);

}  // namespace calsync::providers
