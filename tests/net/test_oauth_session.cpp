// OAuthSession (src/net/oauth_session.cpp) against the token endpoint and the bearer-checking
// /api path of fault_server.py.
#include <catch2/catch.hpp>
#include <vector>

#include "fault_server.hpp"
#include "net/oauth_session.hpp"

using calsync::net::OAuthFlow;
using calsync::net::OAuthSession;
using calsync::net::TokenSet;

namespace {

const calsync::Instant kNow = calsync::parse_rfc3339("2026-11-24T10:00:00Z").value();

struct Session {
    calsync::test::FaultServer server;
    std::shared_ptr<calsync::test::CountingTransport> transport =
        std::make_shared<calsync::test::CountingTransport>();
    std::shared_ptr<calsync::net::HttpClient> http =
        std::make_shared<calsync::net::HttpClient>(transport);
    std::shared_ptr<OAuthFlow> flow = std::make_shared<OAuthFlow>(
        calsync::net::OAuthEndpoints{server.url("/authorize"), server.url("/token"),
                                     server.url("/revoke"), ""},
        calsync::net::OAuthClient{"client-1", "", "https://app.example/callback", {}, {}},
        std::string(32, 'k'), http);
    std::vector<TokenSet> persisted;

    OAuthSession make(TokenSet tokens) {
        OAuthSession s(flow, std::move(tokens), [] { return kNow; });
        s.on_tokens_changed([this](const TokenSet& t) { persisted.push_back(t); });
        return s;
    }
    calsync::net::HttpRequest api() const {
        calsync::net::HttpRequest r;
        r.url = server.url("/api");
        return r;
    }
};

}  // namespace

TEST_CASE("oauth session: a 401 refreshes once, repeats the request and persists the rotation") {
    Session f;
    // "a1" is still within its stated lifetime, but the server no longer takes it.
    auto session = f.make({"a1", "r1", "", kNow + std::chrono::hours(1)});
    auto reply = session.send(*f.http, f.api());
    REQUIRE(reply.ok());
    CHECK(reply->status == 200);
    CHECK(reply->body == "api ok");
    CHECK(f.transport->requests == 3);  // 401, token refresh, the repeat
    REQUIRE(f.persisted.size() == 1);
    CHECK(f.persisted[0].access_token == "a2");
    CHECK(f.persisted[0].refresh_token == "r2");  // rotated: the host must keep the new one
    CHECK(session.tokens().refresh_token == "r2");
    CHECK_FALSE(session.needs_reauthorisation());
}

TEST_CASE("oauth session: a token about to expire is refreshed before the request") {
    Session f;
    auto session = f.make({"a2", "r2", "", kNow + std::chrono::seconds(30)});
    auto reply = session.send(*f.http, f.api());
    REQUIRE(reply.ok());
    CHECK(reply->status == 200);
    CHECK(f.transport->requests == 2);  // refresh, then the request with a3
    REQUIRE(f.persisted.size() == 1);
    CHECK(f.persisted[0].access_token == "a3");
    CHECK(f.persisted[0].refresh_token == "r2");  // not rotated: the old one is kept

    // A valid token is used as it is, without a refresh.
    auto again = session.send(*f.http, f.api());
    REQUIRE(again.ok());
    CHECK(f.transport->requests == 3);
}

TEST_CASE("oauth session: a revoked grant needs re-authorisation and stops asking") {
    Session f;
    REQUIRE(f.flow->revoke("r2").ok());
    const int before = f.transport->requests;
    auto session = f.make({"a1", "r2", "", kNow + std::chrono::hours(1)});
    auto reply = session.send(*f.http, f.api());
    REQUIRE_FALSE(reply.ok());
    CHECK(reply.error().code == calsync::ErrorCode::auth);
    CHECK_THAT(reply.error().message, Catch::Contains("re-authorisation"));
    CHECK_THAT(reply.error().message, !Catch::Contains("r2"));
    CHECK(session.needs_reauthorisation());
    CHECK(f.persisted.empty());
    const int after_first = f.transport->requests;
    CHECK(after_first - before == 2);  // the 401 and the failed refresh

    // Once the grant is gone nothing more is sent until the user authorises again.
    auto second = session.send(*f.http, f.api());
    REQUIRE_FALSE(second.ok());
    CHECK(f.transport->requests == after_first);
}

TEST_CASE("oauth session: without a refresh token an expired session needs re-authorisation") {
    Session f;
    auto session = f.make({"a1", "", "", kNow - std::chrono::minutes(5)});
    auto token = session.access_token();
    REQUIRE_FALSE(token.ok());
    CHECK(token.error().code == calsync::ErrorCode::auth);
    CHECK(session.needs_reauthorisation());
    CHECK(f.transport->requests == 0);
}
