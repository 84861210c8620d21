#include "providers/provider_factory.hpp"

#include <chrono>
#include <utility>

#include "core/user_terms.hpp"
#include "net/curl_transport.hpp"
#include "net/origin.hpp"
#include "net/url_guard.hpp"
#include "providers/caldav/caldav_provider.hpp"
#include "providers/google/google_api_client.hpp"
#include "providers/google/google_oauth.hpp"
#include "providers/google/google_provider.hpp"
#include "providers/ics_feed/ics_feed_provider.hpp"
#include "providers/microsoft/graph_oauth.hpp"
#include "providers/microsoft/graph_provider.hpp"

namespace calsync::providers {
namespace {

using Kind = json::ProviderConfig::Kind;

std::shared_ptr<net::Transport> make_transport(const json::NetworkConfig& network) {
    net::HttpOptions options;
    options.allow_private_addresses = network.allow_private_addresses;
    options.ca_bundle_path = network.ca_bundle;
    options.proxy = network.proxy;
    options.connect_timeout = std::chrono::seconds(network.connect_timeout_seconds);
    options.total_timeout = std::chrono::seconds(network.total_timeout_seconds);
    options.cancel = network.cancel;
    return std::make_shared<net::CurlTransport>(std::move(options));
}

// An OAuth-backed service's provider; `session` carries its tokens.
Result<std::unique_ptr<CalendarProvider>> make_oauth_provider(
    const json::ProviderConfig& config, const std::shared_ptr<net::HttpClient>& http,
    const std::shared_ptr<net::OAuthSession>& session) {
    if (config.kind == Kind::microsoft) {
        microsoft::GraphOptions graph;
        if (!config.api_base_url.empty())
            graph.api_base_url = config.api_base_url;
        return std::unique_ptr<CalendarProvider>(
            std::make_unique<microsoft::GraphProvider>(std::move(graph), session, http));
    }
    // Google:
    google::GoogleOptions options;
    if (!config.api_base_url.empty())
        options.api_base_url = config.api_base_url;
    // Its own transport, paced with every other connection of this OAuth client in
    // the process, or in every process of a fleet (Google's quota is per project);
    // `http` stays for token refreshes.
    google::GoogleClientLimits limits;
    if (config.oauth.requests_per_minute > 0)
        limits.rate = google::project_pace(config.oauth.requests_per_minute);
    if (config.request_budgets)
        limits.shared_budget =
            config.request_budgets("google:" + config.oauth.client_id, limits.rate);
    limits.sleep = net::cancellable_sleep(config.network.cancel);
    limits.cancel = config.network.cancel;
    auto api = google::google_api_client(make_transport(config.network), config.oauth.client_id,
                                         std::move(limits));
    return std::unique_ptr<CalendarProvider>(
        std::make_unique<google::GoogleProvider>(std::move(options), session, std::move(api)));
}

}  // namespace

std::shared_ptr<net::HttpClient> make_http_client(const json::NetworkConfig& network) {
    return std::make_shared<net::HttpClient>(make_transport(network), net::RetryPolicy{},
                                             net::cancellable_sleep(network.cancel));
}

std::shared_ptr<net::OAuthFlow> make_oauth_flow(const json::OAuthConfig& config,
                                                std::shared_ptr<net::HttpClient> http,
                                                std::string host_key) {
    const bool google = config.service == json::OAuthConfig::Service::google;
    return std::make_shared<net::OAuthFlow>(
        google ? google::oauth_endpoints(config) : microsoft::oauth_endpoints(config),
        google ? google::oauth_client(config) : microsoft::oauth_client(config),
        std::move(host_key), std::move(http));
}

Result<void> check_granted_scope(const json::OAuthConfig& config, const std::string& scope) {
    if (config.service != json::OAuthConfig::Service::google || scope.empty())
        return {};
    const std::vector<std::string> missing = google::missing_permissions(scope);
    if (missing.empty())
        return {};
    std::string list;
    for (const std::string& m : missing)
        list += (list.empty() ? "" : " and ") + m;
    const bool one = missing.size() == 1;
    return make_error(ErrorCode::auth,
                      std::string("Google did not grant calsync the permission") +
                          (one ? " " : "s ") + list + " (left unticked on Google's consent " +
                          "screen). Nothing was connected; connect again and leave " +
                          (one ? "it" : "them") + " ticked");
}

net::TokenSet to_token_set(const json::TokensConfig& t) {
    return {t.access_token, t.refresh_token, t.scope, t.expires_at};
}

json::TokensConfig to_tokens_config(const net::TokenSet& t) {
    return {t.access_token, t.refresh_token, t.scope, t.expires_at};
}

Result<ProviderHandle> make_provider(const json::ProviderConfig& config) {
    auto http = make_http_client(config.network);
    ProviderHandle handle;
    switch (config.kind) {
        case Kind::google:
        case Kind::microsoft: {
            handle.session = std::make_shared<net::OAuthSession>(
                make_oauth_flow(config.oauth, http, /*host_key=*/""), to_token_set(config.tokens));
            auto provider = make_oauth_provider(config, http, handle.session);
            if (!provider.ok())
                return provider.error();
            handle.provider = std::move(provider).value();
            return handle;
        }
        case Kind::ics_feed: {
            auto url = net::normalize_user_url(config.url);
            if (!url.ok())
                return member_error("url", url.error().message);
            ics_feed::IcsFeedOptions feed;
            feed.name = config.name;
            feed.owner_addresses = config.owner_addresses;
            handle.provider = std::make_unique<ics_feed::IcsFeedProvider>(url.value(), http, feed);
            return handle;
        }
        case Kind::icloud:
        case Kind::caldav:
            break;
    }
    // A password in the URL would be stored and shown with it, and sent wherever the URL
    // leads; it has fields of its own, where it is sealed.
    if (net::has_user_info(config.url))
        return member_error("url",
                            "has a user name and password in it (user:password@); give the "
                            "URL without them, and the user name and password as \"username\" "
                            "and \"password\"");
    caldav::CalDavOptions dav{config.url, config.username, config.password, false, ""};
    if (config.kind == Kind::icloud) {
        dav = caldav::icloud_options(config.username, config.password);
        if (!config.url.empty())
            dav.url = config.url;
    }
    dav.calendar_home = config.calendar_home;
    handle.provider = std::make_unique<caldav::CalDavProvider>(dav, http);
    return handle;
}

}  // namespace calsync::providers
