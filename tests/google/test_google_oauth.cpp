// Connecting a Google account with the OAuth preset (src/providers/google/google_oauth.cpp)
// through net::OAuthFlow against the fake's authorization, token and revocation endpoints,
// and what the narrow scopes then allow.
#include <catch2/catch.hpp>

#include "core/text_encoding.hpp"
#include "google_fake.hpp"
#include "providers/google/google_oauth.hpp"

using calsync::providers::google::oauth_scopes;
using calsync::test::GoogleFake;

namespace {

const std::string kAuth = "https://www.googleapis.com/auth/";

// The decoded value of `name` in `url`'s query; "" when absent.
std::string query_value(const std::string& url, const std::string& name) {
    const auto question = url.find('?');
    if (question == std::string::npos)
        return {};
    return calsync::encoding::query_value(url.substr(question + 1), name).value_or("");
}

}  // namespace

TEST_CASE("google oauth: the narrowest scopes for each direction, Google's endpoints") {
    CHECK(oauth_scopes(false) == std::vector<std::string>{kAuth + "calendar.calendarlist.readonly",
                                                          kAuth + "calendar.events.readonly"});
    CHECK(oauth_scopes(true) == std::vector<std::string>{kAuth + "calendar.calendarlist.readonly",
                                                         kAuth + "calendar.events"});
    const auto endpoints = calsync::providers::google::oauth_endpoints({});
    CHECK(endpoints.authorization_url == "https://accounts.google.com/o/oauth2/v2/auth");
    CHECK(endpoints.token_url == "https://oauth2.googleapis.com/token");
    CHECK(endpoints.revocation_url == "https://oauth2.googleapis.com/revoke");
}

TEST_CASE("google oauth: authorise, exchange, use the import scopes, revoke") {
    GoogleFake fake;
    auto transport = std::make_shared<calsync::test::CountingTransport>();
    auto http = std::make_shared<calsync::net::HttpClient>(transport);
    calsync::json::OAuthConfig config;
    config.client_id = calsync::test::kClientId;
    config.client_secret = calsync::test::kClientSecret;
    config.redirect_uri = "http://127.0.0.1:8765/callback";
    config.exports = false;  // import only
    config.authorization_url = fake.url("/o/oauth2/v2/auth");
    config.token_url = fake.url("/token");
    config.revocation_url = fake.url("/revoke");
    auto flow = std::make_shared<calsync::net::OAuthFlow>(
        calsync::providers::google::oauth_endpoints(config),
        calsync::providers::google::oauth_client(config), std::string(32, 'k'), http);
    const auto now =
        std::chrono::time_point_cast<std::chrono::seconds>(std::chrono::system_clock::now());
    auto request = flow->begin("conn-1", now);
    CHECK(query_value(request.url, "access_type") == "offline");
    CHECK(query_value(request.url, "prompt") == "consent");
    CHECK(query_value(request.url, "code_challenge_method") == "S256");

    // The browser's part: the fake consents and redirects to the redirect URI.
    calsync::net::HttpRequest browse;
    browse.url = request.url;
    auto consent = transport->perform(browse);
    REQUIRE(consent.ok());
    REQUIRE(consent->status == 302);
    const std::string location = *consent->header("location");
    REQUIRE(location.rfind("http://127.0.0.1:8765/callback?", 0) == 0);
    auto authorizations = calsync::test::parse_json(fake.inspect("authorizations"));
    CHECK(std::string(authorizations[0]["scope"].GetString()) ==
          kAuth + "calendar.calendarlist.readonly " + kAuth + "calendar.events.readonly");

    // The state is base64url and '.', which the redirect carries unencoded.
    auto state = flow->accept_state(query_value(location, "state"), now);
    REQUIRE(state.ok());
    CHECK(state.value() == "conn-1");
    // The same client with a wrong secret: refused as a client, said so, secret unsaid.
    calsync::json::OAuthConfig wrong = config;
    wrong.client_secret = "not-the-secret-42";
    calsync::net::OAuthFlow wrong_flow(calsync::providers::google::oauth_endpoints(wrong),
                                       calsync::providers::google::oauth_client(wrong),
                                       std::string(32, 'k'), http);
    auto refused = wrong_flow.exchange("4/any-code", request.code_verifier, now);
    REQUIRE_FALSE(refused.ok());
    CHECK(refused.error().code == calsync::ErrorCode::http);
    CHECK_THAT(refused.error().message, Catch::Contains("invalid_client") &&
                                            Catch::Contains("check its client id and secret") &&
                                            !Catch::Contains("not-the-secret-42"));
    auto tokens = flow->exchange(query_value(location, "code"), request.code_verifier, now);
    REQUIRE(tokens.ok());
    CHECK_FALSE(tokens->refresh_token.empty());  // access_type=offline

    auto session = std::make_shared<calsync::net::OAuthSession>(flow, tokens.value());
    calsync::providers::google::GoogleProvider provider(
        {fake.api_base()}, session,
        calsync::providers::google::google_api_client(
            transport, calsync::test::kClientId, calsync::test::GoogleConnection::fast_limits()));
    REQUIRE(provider.list_calendars().ok());
    REQUIRE(provider.fetch_changes(calsync::test::kCalendar, "", {}).ok());
    // Import-only scopes do not allow writing: a readable permission error.
    calsync::Event e;
    e.export_marker = "appt-1";
    e.start = calsync::EventTime::all_day({2026, 3, 2});
    auto write = provider.create_event(calsync::test::kCalendar, e);
    REQUIRE_FALSE(write.ok());
    CHECK(write.error().code == calsync::ErrorCode::http);  // the grant stands, it is narrow
    CHECK_THAT(write.error().message, Catch::Contains("insufficientPermissions"));

    REQUIRE(flow->revoke(tokens->refresh_token).ok());
    REQUIRE_FALSE(provider.list_calendars().ok());
    CHECK(session->needs_reauthorisation());
    // Revoked already (the person removed calsync in their Google account): Google answers
    // 400 invalid_token, and what was asked is done (RFC 7009 2.2).
    CHECK(flow->revoke(tokens->refresh_token).ok());
    CHECK(flow->can_revoke());
}
