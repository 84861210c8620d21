#include "providers/google/google_oauth.hpp"

namespace calsync::providers::google {
namespace {

const std::string kScopeBase = "https://www.googleapis.com/auth/";

const std::string& either(const std::string& override_url, const std::string& fallback) {
    return override_url.empty() ? fallback : override_url;
}

}  // namespace

std::vector<std::string> oauth_scopes(bool exports) {
    return {kScopeBase + "calendar.calendarlist.readonly",
            kScopeBase + (exports ? "calendar.events" : "calendar.events.readonly")};
}

net::OAuthEndpoints oauth_endpoints(const json::OAuthConfig& config) {
    // From https://accounts.google.com/.well-known/openid-configuration.
    static const std::string authorize = "https://accounts.google.com/o/oauth2/v2/auth";
    static const std::string token = "https://oauth2.googleapis.com/token";
    static const std::string revoke = "https://oauth2.googleapis.com/revoke";
    static const std::string device = "https://oauth2.googleapis.com/device/code";
    return {either(config.authorization_url, authorize), either(config.token_url, token),
            either(config.revocation_url, revoke), either(config.device_authorization_url, device)};
}

net::OAuthClient oauth_client(const json::OAuthConfig& config) {
    net::OAuthClient client;
    client.client_id = config.client_id;
    client.client_secret = config.client_secret;
    client.redirect_uri = config.redirect_uri;
    client.scopes = config.scopes.empty() ? oauth_scopes(config.exports) : config.scopes;
    client.extra_parameters = {{"access_type", "offline"}, {"prompt", "consent"}};
    return client;
}

}  // namespace calsync::providers::google
