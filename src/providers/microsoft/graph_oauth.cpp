#include "providers/microsoft/graph_oauth.hpp"

namespace calsync::providers::microsoft {

std::vector<std::string> oauth_scopes(bool exports) {
    return {exports ? "Calendars.ReadWrite" : "Calendars.Read", "offline_access"};
}

net::OAuthEndpoints oauth_endpoints(const json::OAuthConfig& config) {
    std::string authority =
        config.authority_url.empty() ? "https://login.microsoftonline.com" : config.authority_url;
    while (!authority.empty() && authority.back() == '/')
        authority.pop_back();
    const std::string base =
        authority + "/" + (config.tenant.empty() ? "common" : config.tenant) + "/oauth2/v2.0/";
    const auto either = [](const std::string& override_url, const std::string& fallback) {
        return override_url.empty() ? fallback : override_url;
    };
    net::OAuthEndpoints endpoints{either(config.authorization_url, base + "authorize"),
                                  either(config.token_url, base + "token"), config.revocation_url,
                                  either(config.device_authorization_url, base + "devicecode")};
    // v2-oauth2-device-code.md: the device grant is a public client's (MSAL offers it on
    // PublicClientApplication only); a confidential client's secret has no place in it.
    endpoints.device_flow_public_clients_only = true;
    return endpoints;
}

net::OAuthClient oauth_client(const json::OAuthConfig& config) {
    net::OAuthClient client;
    client.client_id = config.client_id;
    client.client_secret = config.client_secret;
    client.redirect_uri = config.redirect_uri;
    client.scopes = config.scopes.empty() ? oauth_scopes(config.exports) : config.scopes;
    return client;
}

}  // namespace calsync::providers::microsoft
