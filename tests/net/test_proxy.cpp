// Proxies and the URL guard (issue 12, item 5): the environment's proxies are not used,
// and through a proxy the host configured the guard checks each target, at every hop,
// against tests/fakes/hostile_server.py (which records what reaches it as a proxy and
// forwards nothing).
#include <cstdlib>

#include <catch2/catch.hpp>

#include "hostile_server.hpp"
#include "providers/ics_feed/ics_feed_provider.hpp"

using calsync::ErrorCode;
using calsync::providers::ics_feed::IcsFeedOptions;
using calsync::providers::ics_feed::IcsFeedProvider;
using calsync::test::HostileServer;

namespace {

std::string origin_of_port(const std::string& url) {
    return url.substr(0, url.find('/', url.find("://") + 3));
}

}  // namespace

TEST_CASE("proxy: proxies named by the environment are not used", "[redirect][proxy]") {
    HostileServer server;
    auto transport = calsync::net::CurlTransport(server.options());
    const std::string proxy = origin_of_port(server.a("/"));
    setenv("http_proxy", proxy.c_str(), 1);
    setenv("ALL_PROXY", proxy.c_str(), 1);
    calsync::net::HttpRequest r;
    r.url = server.b("/ok");
    auto answer = transport.perform(r);
    unsetenv("http_proxy");
    unsetenv("ALL_PROXY");
    REQUIRE(answer.ok());
    CHECK(answer->body == "ok");
    CHECK(server.count("A").proxied == 0);
    CHECK(server.count("B").requests == 1);
}

TEST_CASE("proxy: through a configured proxy the guard checks the target, at every hop",
          "[redirect][proxy]") {
    HostileServer server;
    calsync::net::HttpOptions options = server.options();
    options.allow_private_addresses = false;
    options.proxy = origin_of_port(server.a("/"));  // on loopback: the host chose it
    auto http = std::make_shared<calsync::net::HttpClient>(
        std::make_shared<calsync::net::CurlTransport>(options));

    SECTION("a private target is refused before the proxy sees it") {
        for (const char* target : {"http://169.254.169.254/latest/meta-data/", "http://10.0.0.1/",
                                   "http://[::ffff:127.0.0.1]/"}) {
            INFO(target);
            calsync::net::HttpRequest r;
            r.url = target;
            auto answer = http->send(r);
            REQUIRE_FALSE(answer.ok());
            CHECK(answer.error().code == ErrorCode::invalid_argument);
        }
        CHECK(server.count("A").requests == 0);
    }
    SECTION("a public target goes through the proxy; its redirect to loopback does not") {
        IcsFeedProvider feed("http://8.8.8.8/redirect?to=" + server.b("/feed.ics"), http,
                             IcsFeedOptions{});
        auto changes = feed.fetch_changes("feed", "", calsync::TimeRange{});
        REQUIRE_FALSE(changes.ok());
        CHECK(changes.error().code == ErrorCode::invalid_argument);
        CHECK_THAT(changes.error().message, Catch::Contains("127.0.0.1"));
        CHECK(server.count("A").proxied == 1);
        CHECK(server.count("A").requests == 1);
        CHECK(server.count("B").requests == 0);
    }
}
