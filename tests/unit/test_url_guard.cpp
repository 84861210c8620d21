// The URL guard (src/net/url_guard.cpp) and URL redaction (src/net/http.cpp).
#include <arpa/inet.h>
#include <netinet/in.h>

#include <catch2/catch.hpp>

#include "net/http.hpp"
#include "net/url_guard.hpp"

namespace {

bool is_public(const char* text) {
    sockaddr_in6 v6{};
    sockaddr_in v4{};
    if (inet_pton(AF_INET, text, &v4.sin_addr) == 1) {
        v4.sin_family = AF_INET;
        return calsync::net::is_public_address(reinterpret_cast<sockaddr*>(&v4));
    }
    REQUIRE(inet_pton(AF_INET6, text, &v6.sin6_addr) == 1);
    v6.sin6_family = AF_INET6;
    return calsync::net::is_public_address(reinterpret_cast<sockaddr*>(&v6));
}

}  // namespace

TEST_CASE("addresses a user-supplied URL may not reach", "[net][url_guard]") {
    for (const char* refused :
         {"127.0.0.1", "127.8.9.10", "10.1.2.3", "172.16.0.1", "172.31.255.255", "192.168.1.1",
          "169.254.169.254", "0.0.0.0", "224.0.0.1", "100.64.0.1", "::1", "::", "fe80::1",
          "fd00::1", "ff02::1", "::ffff:127.0.0.1", "::ffff:10.0.0.1"}) {
        INFO(refused);
        CHECK_FALSE(is_public(refused));
    }
    for (const char* allowed : {"8.8.8.8", "172.32.0.1", "17.253.144.10", "2a00:1450:4001::1"}) {
        INFO(allowed);
        CHECK(is_public(allowed));
    }
}

TEST_CASE("webcal means https, other schemes are refused", "[net][url_guard]") {
    CHECK(calsync::net::normalize_user_url("webcal://example.com/a.ics").value() ==
          "https://example.com/a.ics");
    CHECK(calsync::net::normalize_user_url("WEBCALS://example.com/a.ics").value() ==
          "https://example.com/a.ics");
    CHECK(calsync::net::normalize_user_url("https://example.com/").ok());
    auto file = calsync::net::normalize_user_url("file:///etc/passwd");
    REQUIRE_FALSE(file.ok());
    CHECK(file.error().code == calsync::ErrorCode::invalid_argument);
    CHECK_FALSE(calsync::net::normalize_user_url("https:///nohost").ok());
}

TEST_CASE("URLs in messages lose credentials and query", "[net]") {
    CHECK(calsync::net::redact_url("https://user:pw@cal.example/x.ics?token=abc") ==
          "https://cal.example/x.ics?...");
    CHECK(calsync::net::redact_url("https://cal.example/dav/") == "https://cal.example/dav/");
}
