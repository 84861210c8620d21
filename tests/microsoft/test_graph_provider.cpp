// graph_provider.cpp against the Graph fake: connecting (authorization code + PKCE on the
// v2.0 endpoints of a chosen tenant), calendars, the per-calendar read path, tokens kept
// fresh through the session, throttling, and secrets kept out of every message.
#include <catch2/catch.hpp>
#include <string>

#include "graph_fake.hpp"
#include "net/curl_transport.hpp"

using namespace calsync;
using calsync::test::GraphConnection;
using calsync::test::GraphFake;
using calsync::test::march_2026;

namespace {

std::string query_parameter(const std::string& url, const std::string& key) {
    const auto at = url.find(key + "=");
    if (at == std::string::npos)
        return {};
    const auto end = url.find('&', at);
    return url.substr(at + key.size() + 1,
                      end == std::string::npos ? end : end - at - key.size() - 1);
}

}  // namespace

TEST_CASE("graph provider: connect with authorization code and PKCE on a tenant's endpoints") {
    GraphFake fake;
    auto transport = std::make_shared<test::CountingTransport>();
    auto http = std::make_shared<net::HttpClient>(transport);
    net::OAuthClient client{
        "calsync-tests", "", "http://localhost/callback", {"Calendars.Read", "offline_access"}, {}};
    auto flow = std::make_shared<net::OAuthFlow>(fake.endpoints("organizations"), client,
                                                 std::string(32, 'k'), http);
    const Instant now =
        std::chrono::time_point_cast<std::chrono::seconds>(std::chrono::system_clock::now());
    auto request = flow->begin("connection-1", now);
    CHECK_THAT(request.url, Catch::Contains("/organizations/oauth2/v2.0/authorize?"));
    CHECK_THAT(request.url, Catch::Contains("code_challenge_method=S256"));
    CHECK_THAT(request.url, Catch::Contains("scope=Calendars.Read%20offline_access"));

    // The browser's trip: the fake consents at once and redirects with the code.
    net::HttpRequest visit;
    visit.url = request.url;
    auto redirect = transport->perform(visit);
    REQUIRE(redirect.ok());
    REQUIRE(redirect->status == 302);
    const std::string location = *redirect->header("location");
    CHECK(flow->accept_state(query_parameter(location, "state"), now).value() == "connection-1");
    auto tokens = flow->exchange(query_parameter(location, "code"), request.code_verifier, now);
    REQUIRE(tokens.ok());
    CHECK_FALSE(tokens->refresh_token.empty());  // offline_access asked for one
    CHECK_THAT(tokens->scope, Catch::Contains("Calendars.Read"));

    providers::microsoft::GraphOptions options;
    options.api_base_url = fake.api();
    providers::microsoft::GraphProvider provider(
        options, std::make_shared<net::OAuthSession>(flow, tokens.value()), http);
    CHECK(provider.list_calendars().ok());
    auto stats = fake.control("stats");
    for (const auto& tenant : stats["tenants"].GetArray())
        CHECK(std::string(tenant.GetString()) == "organizations");
}

TEST_CASE("graph provider: calendars over several pages, with their rights, colour and owner") {
    GraphFake fake;
    fake.control("config", R"({"page_cap":1})");
    GraphConnection c(fake);
    auto calendars = c.provider->list_calendars();
    REQUIRE(calendars.ok());
    CHECK(fake.route_count("GET /me/calendars") == 3);  // one calendar per page
    REQUIRE(calendars->size() == 3);
    const Calendar& main = (*calendars)[0];
    CHECK(main.id == fake.default_calendar());
    CHECK(main.name == "Calendar");
    CHECK(main.is_primary);
    CHECK(main.can_write);
    CHECK(main.color.empty());  // "auto": Outlook's choice, nothing to keep
    CHECK(main.owner == "owner@garage.example");
    const Calendar& workshop = (*calendars)[1];
    CHECK_FALSE(workshop.is_primary);
    CHECK(workshop.color == "#FF8800");
    const Calendar& holidays = (*calendars)[2];
    CHECK_FALSE(holidays.can_write);  // canEdit false: it cannot take exports
    CHECK(holidays.owner == "holidays@example.org");
}

TEST_CASE("graph provider: the base URL is Graph's by default and overridable") {
    CHECK(providers::microsoft::GraphOptions{}.api_base_url == "https://graph.microsoft.com/v1.0");
    GraphFake fake;
    GraphConnection c(fake);
    auto missing = c.provider->fetch_changes("AAMkNoSuchCalendar=", "", march_2026());
    REQUIRE_FALSE(missing.ok());
    CHECK(missing.error().code == ErrorCode::not_found);
    auto unwindowed = c.provider->fetch_changes(fake.default_calendar(), "", TimeRange{});
    REQUIRE_FALSE(unwindowed.ok());
    CHECK(unwindowed.error().code == ErrorCode::invalid_argument);
}

TEST_CASE("graph provider: a 401 refreshes once and the rotated refresh token is handed over") {
    GraphFake fake;
    GraphConnection c(fake);
    const std::string first_refresh = c.session->tokens().refresh_token;
    fake.control("expire_access_tokens");
    auto calendars = c.provider->list_calendars();
    REQUIRE(calendars.ok());
    REQUIRE(c.persisted.size() == 1);
    // Microsoft rotates refresh tokens on every use; the new one must be kept.
    CHECK_FALSE(c.persisted[0].refresh_token.empty());
    CHECK(c.persisted[0].refresh_token != first_refresh);
    CHECK(c.session->tokens().refresh_token == c.persisted[0].refresh_token);
    CHECK(fake.route_count("GET /me/calendars") == 2);  // the 401 and the repeat
    // Rotation is strict at the fake: the first refresh token is spent, the session goes on
    // with the one it was handed.
    const auto held = fake.control("tokens");
    for (const auto& working : held["refresh"].GetArray())
        CHECK(working.GetString() != first_refresh);
    fake.control("expire_access_tokens");
    REQUIRE(c.provider->list_calendars().ok());
    REQUIRE(c.persisted.size() == 2);
    CHECK(c.persisted[1].refresh_token != c.persisted[0].refresh_token);
    CHECK_FALSE(c.session->needs_reauthorisation());
}

TEST_CASE("graph provider: a revoked grant needs re-authorisation, and no secret is shown") {
    GraphFake fake;
    GraphConnection c(fake);
    const net::TokenSet tokens = c.session->tokens();
    fake.control("expire_access_tokens");
    fake.control("revoke_refresh_tokens");
    std::vector<Error> errors;
    auto calendars = c.provider->list_calendars();
    REQUIRE_FALSE(calendars.ok());
    CHECK(calendars.error().code == ErrorCode::auth);
    CHECK_THAT(calendars.error().message, Catch::Contains("re-authorisation"));
    CHECK(c.session->needs_reauthorisation());
    errors.push_back(calendars.error());
    errors.push_back(c.provider->fetch_changes(fake.default_calendar(), "", march_2026()).error());

    // And the failures a working connection meets.
    GraphConnection working(fake);
    Event e;
    e.export_marker = "appt-1";
    e.start = EventTime::at_utc(test::at("2026-03-02T09:00:00Z"));
    e.end = EventTime::at_utc(test::at("2026-03-02T10:00:00Z"));
    errors.push_back(working.provider->create_event(fake.holidays_calendar(), e).error());
    errors.push_back(
        working.provider->update_event("", RemoteEvent{"AAMkGone=", "W/\"x\""}, e).error());
    for (const Error& error : errors) {
        INFO(error.message);
        CHECK_FALSE(error.message.empty());
        for (const std::string* secret :
             {&tokens.access_token, &tokens.refresh_token, &working.session->tokens().access_token,
              &working.session->tokens().refresh_token})
            CHECK_THAT(error.message, !Catch::Contains(*secret));
        CHECK_THAT(error.message, !Catch::Contains("Bearer"));
    }
}

TEST_CASE("graph provider: 429 and 503 on reads wait Retry-After and succeed") {
    GraphFake fake;
    GraphConnection c(fake);
    c.real_waits = true;  // the fake checks that it was waited
    fake.control("fault",
                 R"({"method":"GET","path":"/v1.0/me/calendars","status":429,"retry_after":"1"})");
    fake.control(
        "fault",
        R"({"method":"GET","path":"/v1.0/me/calendarView/delta","status":503,"retry_after":"1"})");
    auto changes = c.provider->fetch_changes(fake.default_calendar(), "", march_2026());
    REQUIRE(changes.ok());
    CHECK(c.waits ==
          std::vector<std::chrono::milliseconds>{std::chrono::seconds(1), std::chrono::seconds(1)});
    CHECK(fake.control("stats")["throttle_violations"].Empty());
    CHECK(fake.route_count("GET /me/calendars") == 2);
    CHECK(fake.route_count("GET /me/calendarView/delta") == 2);
}
