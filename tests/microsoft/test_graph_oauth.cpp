// graph_oauth.cpp with net::OAuthFlow against the fake identity platform, which checks the
// client type on every token request as Microsoft does (graph_identity.py): a confidential
// client sends its secret on the code redemption and every refresh, a public client signs
// in on a device and never sends one, and a secret with the device flow is refused up
// front, saying why.
#include <catch2/catch.hpp>

#include "core/text_encoding.hpp"
#include "graph_fake.hpp"
#include "providers/microsoft/graph_oauth.hpp"

using namespace calsync;
using calsync::test::GraphFake;

namespace {

Instant now() {
    return std::chrono::time_point_cast<std::chrono::seconds>(std::chrono::system_clock::now());
}

struct Identity {
    explicit Identity(const GraphFake& fake, const std::string& secret = "") {
        config.client_id = "garage-app";
        config.client_secret = secret;
        config.redirect_uri = "http://127.0.0.1:8765/callback";
        config.tenant = "organizations";
        config.authority_url = fake.url("");
        flow = std::make_shared<net::OAuthFlow>(providers::microsoft::oauth_endpoints(config),
                                                providers::microsoft::oauth_client(config),
                                                std::string(32, 'k'), http);
    }

    // The browser's part of the code flow: the fake consents at once and redirects.
    Result<net::TokenSet> sign_in_through_browser() {
        auto request = flow->begin("conn-1", now());
        net::HttpRequest browse;
        browse.url = request.url;
        auto consent = transport->perform(browse);
        REQUIRE(consent.ok());
        REQUIRE(consent->status == 302);
        const std::string location = *consent->header("location");
        const auto query = location.substr(location.find('?'));
        REQUIRE(flow->accept_state(*encoding::query_value(query, "state"), now()).ok());
        return flow->exchange(*encoding::query_value(query, "code"), request.code_verifier, now());
    }

    json::OAuthConfig config;
    std::shared_ptr<test::CountingTransport> transport =
        std::make_shared<test::CountingTransport>();
    std::shared_ptr<net::HttpClient> http = std::make_shared<net::HttpClient>(transport);
    std::shared_ptr<net::OAuthFlow> flow;
};

// {grant_type, with_secret} of every token request the fake received.
std::vector<std::pair<std::string, bool>> token_requests(const GraphFake& fake) {
    std::vector<std::pair<std::string, bool>> out;
    const auto stats = fake.control("stats");
    for (const auto& form : stats["token_forms"].GetArray()) {
        if (form.HasMember("grant_type"))
            out.emplace_back(form["grant_type"].GetString(), form["with_secret"].GetBool());
    }
    return out;
}

const std::string kDeviceGrant = "urn:ietf:params:oauth:grant-type:device_code";

}  // namespace

TEST_CASE("graph oauth: a confidential client sends its secret on the code and every refresh") {
    GraphFake fake;
    fake.control("client", R"({"client_id":"garage-app","client_secret":"s3cret-value"})");
    Identity identity(fake, "s3cret-value");
    auto tokens = identity.sign_in_through_browser();
    INFO((tokens.ok() ? "" : tokens.error().message));
    REQUIRE(tokens.ok());
    auto once = identity.flow->refresh(tokens.value(), now());
    REQUIRE(once.ok());
    auto twice = identity.flow->refresh(once.value(), now());  // on the rotated token
    REQUIRE(twice.ok());
    CHECK(token_requests(fake) ==
          std::vector<std::pair<std::string, bool>>{
              {"authorization_code", true}, {"refresh_token", true}, {"refresh_token", true}});
}

TEST_CASE("graph oauth: a public client signs in on a device and never sends a secret") {
    GraphFake fake;
    Identity identity(fake);
    auto device = identity.flow->device_begin(now());
    REQUIRE(device.ok());
    REQUIRE(fake.control("device_script", R"({"responses":["success"]})").IsObject());
    auto tokens = identity.flow->device_poll(device.value(), now());
    REQUIRE(tokens.ok());
    REQUIRE(tokens->has_value());
    auto refreshed = identity.flow->refresh(**tokens, now());
    INFO((refreshed.ok() ? "" : refreshed.error().message));
    REQUIRE(refreshed.ok());
    CHECK(token_requests(fake) == std::vector<std::pair<std::string, bool>>{
                                      {kDeviceGrant, false}, {"refresh_token", false}});
}

// Regression: the secret went with the refresh but not with the device-code redemption, so
// with $CALSYNC_MICROSOFT_CLIENT_SECRET set a confidential app failed at connect (401
// invalid_client, AADSTS7000218) and a public one at its first refresh (AADSTS700025).
TEST_CASE("graph oauth: a client secret with the device sign-in is refused up front, saying why") {
    for (const bool app_is_confidential : {true, false}) {
        INFO((app_is_confidential ? "a confidential app" : "a public app"));
        GraphFake fake;
        if (app_is_confidential)
            fake.control("client", R"({"client_id":"garage-app","client_secret":"s3cret-value"})");
        Identity identity(fake, "s3cret-value");
        auto device = identity.flow->device_begin(now());
        REQUIRE_FALSE(device.ok());
        CHECK(device.error().code == ErrorCode::invalid_argument);
        CHECK_THAT(device.error().message, Catch::Contains("for public clients") &&
                                               Catch::Contains("client secret") &&
                                               !Catch::Contains("s3cret-value"));
        net::DeviceAuthorization elsewhere;  // a code begun by another program
        elsewhere.device_code = "dc-from-elsewhere";
        elsewhere.expires_at = now() + std::chrono::minutes(10);
        auto poll = identity.flow->device_poll(elsewhere, now());
        REQUIRE_FALSE(poll.ok());
        CHECK(poll.error().code == ErrorCode::invalid_argument);
        CHECK(identity.transport->requests == 0);  // nothing reached the identity platform
        CHECK(fake.control("stats")["token_forms"].Empty());
    }
}

TEST_CASE("graph oauth: the secret configured for the wrong client type is named as such") {
    GraphFake fake;  // garage-app is a public client here
    Identity identity(fake, "s3cret-value");
    auto tokens = identity.sign_in_through_browser();
    REQUIRE_FALSE(tokens.ok());
    CHECK(tokens.error().http_status == 401);
    CHECK_THAT(tokens.error().message, Catch::Contains("invalid_client") &&
                                           Catch::Contains("check its client id and secret") &&
                                           !Catch::Contains("s3cret-value"));
}
