// CurlTransport and HttpClient against tests/fakes/fault_server.py on 127.0.0.1.
#define CATCH_CONFIG_MAIN
#include <catch2/catch.hpp>
#include <string>

#include "fault_server.hpp"
#include "net/curl_transport.hpp"
#include "net/retry.hpp"

using calsync::test::FaultServer;
using calsync::test::local_options;

namespace {

calsync::net::HttpRequest get(const std::string& url) {
    calsync::net::HttpRequest r;
    r.url = url;
    return r;
}

struct Client {
    std::shared_ptr<calsync::net::CurlTransport> transport;
    std::vector<std::chrono::milliseconds> sleeps;
    calsync::net::HttpClient http;
    explicit Client(calsync::net::HttpOptions o = local_options())
        : transport(std::make_shared<calsync::net::CurlTransport>(o)),
          http(
              transport, calsync::net::RetryPolicy{},
              [this](std::chrono::milliseconds d) { sleeps.push_back(d); }, 1) {}
};

}  // namespace

TEST_CASE("429 with Retry-After, then success") {
    FaultServer server;
    Client c;
    auto r = c.http.send(get(server.url("/429?retry_after=2&key=a")));
    REQUIRE(r.ok());
    CHECK(r->status == 200);
    CHECK(r->body == "after 429");
    CHECK(c.sleeps == std::vector<std::chrono::milliseconds>{std::chrono::seconds(2)});
}

TEST_CASE("a burst of 503, then success") {
    FaultServer server;
    Client c;
    auto r = c.http.send(get(server.url("/503burst?n=3&key=b")));
    REQUIRE(r.ok());
    CHECK(r->body == "after 503");
    CHECK(c.sleeps.size() == 3);
}

TEST_CASE("a connection reset mid-body is an error, and a retry recovers") {
    FaultServer server;
    calsync::net::CurlTransport once(local_options());
    auto failed = once.perform(get(server.url("/reset?key=c&n=1")));
    REQUIRE_FALSE(failed.ok());
    CHECK(failed.error().code == calsync::ErrorCode::network);
    Client c;
    auto r = c.http.send(get(server.url("/reset?key=d&n=2")));
    REQUIRE(r.ok());
    CHECK(r->body == "after reset");
    CHECK(c.sleeps.size() == 2);
}

TEST_CASE("a truncated body is never taken as a response") {
    FaultServer server;
    calsync::net::CurlTransport t(local_options());
    auto r = t.perform(get(server.url("/truncated")));
    REQUIRE_FALSE(r.ok());
    CHECK(r.error().code == calsync::ErrorCode::network);
}

TEST_CASE("a body over the cap is refused") {
    FaultServer server;
    auto options = local_options();
    options.max_response_bytes = 1000;
    calsync::net::CurlTransport t(options);
    CHECK(t.perform(get(server.url("/big?bytes=1000"))).ok());
    auto r = t.perform(get(server.url("/big?bytes=1001")));
    REQUIRE_FALSE(r.ok());
    CHECK(r.error().code == calsync::ErrorCode::limit_exceeded);
}

TEST_CASE("compressed bodies are decoded and the User-Agent names the library") {
    FaultServer server;
    calsync::net::CurlTransport t(local_options());
    auto gz = t.perform(get(server.url("/gzip")));
    REQUIRE(gz.ok());
    CHECK(gz->body == "compressed hello");
    auto echo = t.perform(get(server.url("/echo-headers")));
    REQUIRE(echo.ok());
    CHECK_THAT(echo->body, Catch::Contains("User-Agent: calsync/" CALSYNC_PROJECT_VERSION "\n"));
    CHECK_THAT(echo->body, Catch::Contains("Accept-Encoding:"));
}

TEST_CASE("without permission, loopback is refused on the address connected to") {
    FaultServer server;
    auto options = local_options();
    options.allow_private_addresses = false;
    calsync::net::CurlTransport t(options);
    for (const std::string& host : {std::string("127.0.0.1"), std::string("localhost")}) {
        std::string url = server.url("/ok");
        url.replace(url.find("127.0.0.1"), 9, host);
        auto r = t.perform(get(url));
        REQUIRE_FALSE(r.ok());
        CHECK(r.error().code == calsync::ErrorCode::invalid_argument);
        CHECK_THAT(r.error().message, Catch::Contains("refused to connect"));
    }
}

// Regression: libcurl re-sends a request by itself when a reused connection gives no byte of
// answer, so a create the server had acted on was sent twice, behind HttpClient's back (which
// looks a create's fate up before sending it again). Met by the Graph export test once
// transports shared connections (easy_handle_pool.hpp).
TEST_CASE("a request that must not be repeated is not sent again over a fresh connection") {
    FaultServer server;
    calsync::net::CurlTransport t(local_options());
    REQUIRE(t.perform(get(server.url("/ok"))).ok());  // a live connection, reused below
    SECTION("a POST") {
        calsync::net::HttpRequest post = get(server.url("/unanswered?key=post"));
        post.method = "POST";
        post.body = "{}";
        auto r = t.perform(post);
        REQUIRE_FALSE(r.ok());
        CHECK(r.error().code == calsync::ErrorCode::network);
        auto counters = t.perform(get(server.url("/counters")));
        REQUIRE(counters.ok());
        CHECK_THAT(counters->body, Catch::Contains("\"unanswered post\": 1"));
    }
    SECTION("a GET goes over the reused connection, and libcurl's repeat of it is harmless") {
        auto r = t.perform(get(server.url("/unanswered?key=get")));
        REQUIRE(r.ok());
        CHECK(r->body == "answered");
        auto counters = t.perform(get(server.url("/counters")));
        REQUIRE(counters.ok());
        CHECK_THAT(counters->body, Catch::Contains("\"unanswered get\": 2"));
    }
}
