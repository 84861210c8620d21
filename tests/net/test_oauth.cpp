// OAuth 2.0 core (src/net/oauth.cpp) against the local token endpoint of fault_server.py.
#include <catch2/catch.hpp>
#include <map>

#include "fault_server.hpp"
#include "net/curl_transport.hpp"
#include "net/oauth.hpp"

using calsync::net::OAuthFlow;

namespace {

const calsync::Instant kNow = calsync::parse_rfc3339("2026-11-24T10:00:00Z").value();

struct Flow {
    calsync::test::FaultServer server;
    std::shared_ptr<calsync::net::CurlTransport> transport =
        std::make_shared<calsync::net::CurlTransport>(calsync::test::local_options());
    OAuthFlow flow{{server.url("/authorize"), server.url("/token"), server.url("/revoke"), ""},
                   {"client-1", "", "https://app.example/callback", {"calendar"}, {}},
                   std::string(32, 'k'),
                   std::make_shared<calsync::net::HttpClient>(transport)};
};

// Plays the browser: follows the authorization URL to the redirect and reads the query.
std::map<std::string, std::string> authorize(calsync::net::Transport& t, const std::string& url) {
    calsync::net::HttpRequest r;
    r.url = url;
    auto reply = t.perform(r);
    REQUIRE(reply.ok());
    REQUIRE(reply->status == 302);
    const std::string location = *reply->header("location");
    std::map<std::string, std::string> q;
    std::string rest = location.substr(location.find('?') + 1);
    while (!rest.empty()) {
        const auto amp = rest.find('&');
        const std::string kv = rest.substr(0, amp);
        q[kv.substr(0, kv.find('='))] = kv.substr(kv.find('=') + 1);
        rest = amp == std::string::npos ? "" : rest.substr(amp + 1);
    }
    return q;
}

}  // namespace

TEST_CASE("oauth: PKCE S256 matches RFC 7636 appendix B") {
    CHECK(calsync::net::pkce_challenge("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk") ==
          "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM");
}

TEST_CASE("oauth: authorize, state check, code exchange, rotated refresh, invalid_grant, revoke") {
    Flow f;
    const auto request = f.flow.begin("connection-7", kNow);
    CHECK_THAT(request.url, Catch::Contains("code_challenge_method=S256"));
    CHECK(request.code_verifier.size() >= 43);
    auto redirect = authorize(*f.transport, request.url);

    // The state comes back unchanged; it names the connection, once.
    CHECK(redirect["state"] == request.state);
    auto who = f.flow.accept_state(redirect["state"], kNow + std::chrono::minutes(2));
    REQUIRE(who.ok());
    CHECK(who.value() == "connection-7");
    CHECK_FALSE(f.flow.accept_state(redirect["state"], kNow).ok());  // replayed

    // A wrong verifier is refused by the token endpoint.
    auto wrong =
        f.flow.exchange(redirect["code"], "not-the-verifier-not-the-verifier-0123456789", kNow);
    REQUIRE_FALSE(wrong.ok());
    redirect = authorize(*f.transport, request.url);
    auto tokens = f.flow.exchange(redirect["code"], request.code_verifier, kNow);
    REQUIRE(tokens.ok());
    CHECK(tokens->access_token == "a1");
    CHECK(tokens->refresh_token == "r1");
    CHECK(tokens->expires_at == kNow + std::chrono::hours(1));

    auto rotated = f.flow.refresh(tokens.value(), kNow);
    REQUIRE(rotated.ok());
    CHECK(rotated->refresh_token == "r2");  // the server rotated it
    auto kept = f.flow.refresh(rotated.value(), kNow);
    REQUIRE(kept.ok());
    CHECK(kept->access_token == "a3");
    CHECK(kept->refresh_token == "r2");  // not rotated this time: keep the one we have

    REQUIRE(f.flow.revoke("r2").ok());
    auto dead = f.flow.refresh(kept.value(), kNow);
    REQUIRE_FALSE(dead.ok());
    CHECK(dead.error().code == calsync::ErrorCode::auth);
    CHECK_THAT(dead.error().message, Catch::Contains("re-authorisation"));
    CHECK_THAT(dead.error().message, !Catch::Contains("r2"));
}

TEST_CASE("oauth: altered and expired states are refused") {
    Flow f;
    const auto request = f.flow.begin("connection-1", kNow);
    std::string altered = request.state;
    altered[2] = altered[2] == 'A' ? 'B' : 'A';
    CHECK_FALSE(f.flow.accept_state(altered, kNow).ok());
    auto late = f.flow.accept_state(request.state, kNow + std::chrono::minutes(11));
    REQUIRE_FALSE(late.ok());
    CHECK_THAT(late.error().message, Catch::Contains("expired"));
}

TEST_CASE("oauth: device code flow polls through pending and slow_down to tokens") {
    Flow f;
    calsync::net::OAuthFlow device_flow{
        {f.server.url("/authorize"), f.server.url("/token"), "", f.server.url("/devicecode")},
        {"client-1", "", "", {"Calendars.Read", "offline_access"}, {}},
        std::string(32, 'k'),
        std::make_shared<calsync::net::HttpClient>(f.transport)};
    auto device = device_flow.device_begin(kNow);
    REQUIRE(device.ok());
    CHECK_THAT(device->user_code, Catch::StartsWith("WDJB-MJH"));
    CHECK(device->verification_uri == "https://example.com/device");
    CHECK(device->interval == std::chrono::seconds(1));
    CHECK(device->expires_at == kNow + std::chrono::seconds(900));

    auto first = device_flow.device_poll(device.value(), kNow);
    REQUIRE(first.ok());
    CHECK_FALSE(first->has_value());  // authorization_pending
    auto second = device_flow.device_poll(device.value(), kNow);
    REQUIRE(second.ok());
    CHECK_FALSE(second->has_value());
    CHECK(device->interval == std::chrono::seconds(6));  // slow_down adds 5 s (RFC 8628 3.5)
    auto third = device_flow.device_poll(device.value(), kNow);
    REQUIRE(third.ok());
    REQUIRE(third->has_value());
    CHECK((*third)->access_token == "a2");
    CHECK((*third)->refresh_token == "r2");

    // Past its expiry a code is not even sent.
    auto late = device_flow.device_poll(device.value(), kNow + std::chrono::seconds(901));
    REQUIRE_FALSE(late.ok());
    CHECK(late.error().code == calsync::ErrorCode::auth);
    CHECK_THAT(late.error().message, Catch::Contains("expired"));
}

TEST_CASE("oauth: a declined device code fails as auth, and no endpoint means no flow") {
    // RFC 8628's access_denied, and Microsoft's authorization_declined (regression: it was
    // an HTTP error, so `calsync connect microsoft` said "server error" and exited 1).
    const auto [scope, code] = GENERATE(
        table<std::string, std::string>({{"deny", "dev-denied"}, {"decline", "dev-declined"}}));
    INFO(scope);
    Flow f;
    calsync::net::OAuthFlow device_flow{
        {"", f.server.url("/token"), "", f.server.url("/devicecode")},
        {"client-1", "", "", {scope}, {}},
        std::string(32, 'k'),
        std::make_shared<calsync::net::HttpClient>(f.transport)};
    auto device = device_flow.device_begin(kNow);
    REQUIRE(device.ok());
    CHECK(device->device_code == code);
    auto denied = device_flow.device_poll(device.value(), kNow);
    REQUIRE_FALSE(denied.ok());
    CHECK(denied.error().code == calsync::ErrorCode::auth);
    CHECK_THAT(denied.error().message, Catch::Contains("declined"));

    auto none = f.flow.device_begin(kNow);  // built without a device endpoint
    REQUIRE_FALSE(none.ok());
    CHECK(none.error().code == calsync::ErrorCode::invalid_argument);
}
