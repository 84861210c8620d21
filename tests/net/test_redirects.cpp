// Credentials kept to their origin across redirects and links (issue 12, item 4), and
// feeds that moved, against tests/fakes/hostile_server.py.
#include <cstdlib>

#include <catch2/catch.hpp>

#include "hostile_server.hpp"
#include "net/oauth_session.hpp"
#include "providers/caldav/caldav_provider.hpp"
#include "providers/ics_feed/ics_feed_provider.hpp"

using calsync::ErrorCode;
using calsync::providers::caldav::CalDavOptions;
using calsync::providers::caldav::CalDavProvider;
using calsync::providers::ics_feed::IcsFeedOptions;
using calsync::providers::ics_feed::IcsFeedProvider;
using calsync::test::HostileServer;

namespace {

constexpr const char* kPassword = "test-only-password";

std::shared_ptr<calsync::net::HttpClient> client(calsync::net::HttpOptions options) {
    return std::make_shared<calsync::net::HttpClient>(
        std::make_shared<calsync::net::CurlTransport>(std::move(options)));
}

CalDavProvider dav(HostileServer& server, const std::string& url) {
    CalDavOptions options;
    options.url = url;
    options.username = "garage";
    options.password = kPassword;
    return CalDavProvider(options, client(server.options()));
}

std::string origin_of_port(const std::string& url) {
    return url.substr(0, url.find('/', url.find("://") + 3));
}

}  // namespace

TEST_CASE("caldav: a redirect to another origin does not carry the password there", "[redirect]") {
    HostileServer server;
    auto provider = dav(server, server.a("/redirect?to=") + server.b("/dav/"));
    auto found = provider.discover();
    REQUIRE_FALSE(found.ok());
    // B asked for a password it was never given; the message says why, and to whom the
    // password does go.
    CHECK(server.count("B").requests >= 1);
    CHECK(server.count("B").with_authorization == 0);
    CHECK(found.error().code == ErrorCode::auth);
    CHECK_THAT(found.error().message, Catch::Contains("only to " + origin_of_port(server.a("/"))));
    CHECK_THAT(found.error().message, !Catch::Contains(kPassword));
}

TEST_CASE("caldav: a redirect within the origin keeps the password", "[redirect]") {
    HostileServer server;
    auto provider = dav(server, server.a("/redirect?to=/dav/"));
    auto found = provider.discover();
    // The principal answers; the fake has no calendar home, which is not an auth failure.
    REQUIRE_FALSE(found.ok());
    CHECK(found.error().code != ErrorCode::auth);
    const auto a = server.count("A");
    CHECK(a.requests >= 2);
    CHECK(a.with_authorization == a.requests);
}

TEST_CASE("caldav: https redirected to plain http is refused before anything is sent in clear",
          "[redirect]") {
    HostileServer server;
    auto provider = dav(server, server.s("/redirect?to=") + server.a("/dav/"));
    auto found = provider.discover();
    REQUIRE_FALSE(found.ok());
    CHECK(found.error().code == ErrorCode::invalid_argument);
    CHECK_THAT(found.error().message, Catch::Contains("plain http"));
    CHECK(server.count("A").requests == 0);
    CHECK(server.count("S").requests == 1);  // asked once, and the redirect refused
}

TEST_CASE("caldav: a plain http link from an https server is not followed", "[redirect]") {
    HostileServer server;
    // The calendar id an https server's listing handed out, pointing at http.
    auto provider = dav(server, server.s("/dav/"));
    auto changes = provider.fetch_changes(server.a("/dav/cal/"), "", calsync::TimeRange{});
    REQUIRE_FALSE(changes.ok());
    CHECK(changes.error().code == ErrorCode::invalid_argument);
    CHECK(server.count("A").requests == 0);
}

TEST_CASE("feed: a feed that moved is followed to its new address, without credentials",
          "[redirect]") {
    HostileServer server;
    IcsFeedProvider feed(server.a("/redirect?status=301&to=") + server.b("/feed.ics"),
                         client(server.options()), IcsFeedOptions{});
    auto changes = feed.fetch_changes("feed", "", calsync::TimeRange{});
    REQUIRE(changes.ok());
    REQUIRE(changes->upserts.size() == 1);
    CHECK(changes->upserts[0].uid == "moved-1");
    CHECK(server.count("B").requests == 1);
    CHECK(server.count("B").with_authorization == 0);
}

TEST_CASE("feed: endless redirects stop after a few hops", "[redirect]") {
    HostileServer server;
    IcsFeedProvider looping(server.a("/redirect?to=/redirect?to=/redirect?to=/redirect?to=/"
                                     "redirect?to=/redirect?to=/redirect?to=/feed.ics"),
                            client(server.options()), IcsFeedOptions{});
    auto changes = looping.fetch_changes("feed", "", calsync::TimeRange{});
    REQUIRE_FALSE(changes.ok());
    CHECK_THAT(changes.error().message, Catch::Contains("more than 5 redirects"));
    CHECK(server.count("A").requests == 6);
}

TEST_CASE("feed: an https feed redirected to plain http is refused", "[redirect]") {
    HostileServer server;
    IcsFeedProvider feed(server.s("/redirect?to=") + server.a("/feed.ics"),
                         client(server.options()), IcsFeedOptions{});
    auto changes = feed.fetch_changes("feed", "", calsync::TimeRange{});
    REQUIRE_FALSE(changes.ok());
    CHECK_THAT(changes.error().message, Catch::Contains("plain http"));
    CHECK(server.count("A").requests == 0);
}

TEST_CASE("feed: a secret feed address stays out of every message", "[redirect]") {
    HostileServer server;
    const std::string secret = "private-0123456789abcdef";
    IcsFeedProvider feed(server.a("/calendar/ical/garage%40example.com/" + secret + "/basic.ics"),
                         client(server.options()), IcsFeedOptions{});
    auto changes = feed.fetch_changes("feed", "", calsync::TimeRange{});
    REQUIRE_FALSE(changes.ok());  // 404
    CHECK_THAT(changes.error().message, Catch::Contains(origin_of_port(server.a("/"))));
    CHECK_THAT(changes.error().message, !Catch::Contains(secret));
    CHECK_THAT(changes.error().message, !Catch::Contains("garage"));
}

TEST_CASE("bearer tokens: a redirect from the API is not followed with the token", "[redirect]") {
    HostileServer server;
    auto http = client(server.options());
    auto flow = std::make_shared<calsync::net::OAuthFlow>(
        calsync::net::OAuthEndpoints{server.a("/authorize"), server.a("/token"), "", ""},
        calsync::net::OAuthClient{"client-1", "", "https://app.example/callback", {}, {}},
        std::string(32, 'k'), http);
    const calsync::Instant now = calsync::parse_rfc3339("2026-11-24T10:00:00Z").value();
    calsync::net::OAuthSession session(flow, {"a1", "r1", "", now + std::chrono::hours(1)},
                                       [now] { return now; });
    calsync::net::HttpRequest r;
    r.url = server.a("/redirect?to=") + server.b("/ok");
    auto answer = session.send(*http, r);
    REQUIRE(answer.ok());
    CHECK(answer->status == 302);
    CHECK(server.count("B").requests == 0);
}
