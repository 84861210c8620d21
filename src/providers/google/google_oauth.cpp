#include "providers/google/google_oauth.hpp"

#include <algorithm>
#include <sstream>

namespace calsync::providers::google {
namespace {

// Google's scopes are URLs under one base.
std::string scope_url(const std::string& name) {
    return "https://www.googleapis.com/auth/" + name;
}

const std::string& either(const std::string& override_url, const std::string& fallback) {
    return override_url.empty() ? fallback : override_url;
}

// A scope calsync needs, what else grants it, and how Google's consent screen words the
// one calsync asks for.
struct NeededScope {
    const char* asked;  // the scope calsync requests for it (exports on)
    std::vector<const char*> covered_by;
    const char* consent_text;
};

const std::vector<NeededScope>& needed_scopes() {
    static const std::vector<NeededScope> needed{
        {"calendar.calendarlist.readonly",
         {"calendar.calendarlist.readonly", "calendar.calendarlist", "calendar.readonly",
          "calendar"},
         "See the list of Google calendars you're subscribed to"},
        {"calendar.events",
         {"calendar.events.readonly", "calendar.events", "calendar.readonly", "calendar"},
         "View and edit events on all your calendars"},
    };
    return needed;
}

}  // namespace

std::vector<std::string> missing_permissions(const std::string& granted_scope) {
    std::vector<std::string> granted;
    std::istringstream words(granted_scope);
    for (std::string w; words >> w;)
        granted.push_back(w);
    std::vector<std::string> missing;
    for (const NeededScope& need : needed_scopes()) {
        const bool has = std::any_of(
            need.covered_by.begin(), need.covered_by.end(), [&granted](const char* scope) {
                return std::find(granted.begin(), granted.end(), scope_url(scope)) != granted.end();
            });
        if (!has)
            missing.push_back("\"" + std::string(need.consent_text) + "\" (" +
                              scope_url(need.asked) + ")");
    }
    return missing;
}

std::vector<std::string> oauth_scopes(bool exports) {
    return {scope_url("calendar.calendarlist.readonly"),
            scope_url(exports ? "calendar.events" : "calendar.events.readonly")};
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
