#include "providers/google/google_connect.hpp"

namespace calsync::providers::google {

std::vector<std::string> google_scopes(const GoogleDirections& directions) {
    const std::string base = "https://www.googleapis.com/auth/";
    std::vector<std::string> scopes{base + "calendar.calendarlist.readonly"};
    if (directions.export_events)
        scopes.push_back(base + "calendar.events");
    else if (directions.import_events)
        scopes.push_back(base + "calendar.events.readonly");
    return scopes;
}

net::OAuthEndpoints google_oauth_endpoints() {
    return {"https://accounts.google.com/o/oauth2/v2/auth", "https://oauth2.googleapis.com/token",
            "https://oauth2.googleapis.com/revoke"};
}

std::vector<std::pair<std::string, std::string>> google_oauth_extra_parameters() {
    return {{"access_type", "offline"}, {"prompt", "consent"}};
}

}  // namespace calsync::providers::google
