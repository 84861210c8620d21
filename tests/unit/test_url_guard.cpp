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

// Each row: an address, whether a user-supplied URL may reach it, and why.
struct AddressCase {
    const char* address;
    bool is_public;
    const char* why;
};

TEST_CASE("addresses a user-supplied URL may reach, and those it may not", "[net][url_guard]") {
    const AddressCase table[] = {
        // IPv4
        {"127.0.0.1", false, "loopback"},
        {"127.8.9.10", false, "loopback"},
        {"10.1.2.3", false, "RFC 1918"},
        {"172.16.0.1", false, "RFC 1918"},
        {"172.31.255.255", false, "RFC 1918"},
        {"192.168.1.1", false, "RFC 1918"},
        {"169.254.169.254", false, "link-local: cloud metadata"},
        {"0.0.0.0", false, "this network"},
        {"224.0.0.1", false, "multicast"},
        {"100.64.0.1", false, "carrier-grade NAT"},
        {"192.0.2.10", false, "documentation"},
        {"198.51.100.7", false, "documentation"},
        {"203.0.113.9", false, "documentation"},
        {"255.255.255.255", false, "broadcast"},
        {"8.8.8.8", true, "global"},
        {"172.32.0.1", true, "just outside 172.16/12"},
        {"17.253.144.10", true, "global"},
        // IPv6 as such
        {"::1", false, "loopback"},
        {"::", false, "unspecified"},
        {"fe80::1", false, "link-local"},
        {"fd00::1", false, "unique local"},
        {"fec0::1", false, "site-local (deprecated, fec0::/10)"},
        {"ff02::1", false, "multicast"},
        {"2001:db8::1", false, "documentation"},
        {"3fff::1", false, "documentation (RFC 9637)"},
        {"100::1", false, "discard-only, outside 2000::/3"},
        {"2001::1", false, "Teredo 2001::/32: its IPv4 address is hidden"},
        {"2001:0:4136:e378:8000:63bf:3fff:fdd2", false, "Teredo"},
        {"2001:2::1", false, "benchmarking, inside 2001::/23"},
        {"2a00:1450:4001::1", true, "global unicast"},
        {"2606:4700::1111", true, "global unicast"},
        // IPv6 forms that carry an IPv4 address: judged by it
        {"::ffff:127.0.0.1", false, "IPv4-mapped loopback"},
        {"::ffff:10.0.0.1", false, "IPv4-mapped private"},
        {"::ffff:8.8.8.8", true, "IPv4-mapped global"},
        {"::127.0.0.1", false, "IPv4-compatible loopback"},
        {"::169.254.169.254", false, "IPv4-compatible metadata"},
        {"::8.8.8.8", true, "IPv4-compatible global"},
        {"::ffff:0:127.0.0.1", false, "IPv4-translated loopback (RFC 2765)"},
        {"::ffff:0:8.8.8.8", true, "IPv4-translated global"},
        {"64:ff9b::10.0.0.1", false, "NAT64 well-known prefix, private inside"},
        {"64:ff9b::169.254.169.254", false, "NAT64 well-known prefix, metadata inside"},
        {"64:ff9b::8.8.8.8", true, "NAT64 well-known prefix, global inside"},
        {"64:ff9b:1::a00:1", false, "NAT64 local-use 64:ff9b:1::/48 (RFC 8215)"},
        {"64:ff9b:1:ffff::1", false, "NAT64 local-use"},
        {"2002:a9fe:a9fe::1", false, "6to4 of 169.254.169.254"},
        {"2002:7f00:1::1", false, "6to4 of 127.0.0.1"},
        {"2002:0a00:0001::1", false, "6to4 of 10.0.0.1"},
        {"2002:0808:0808::1", true, "6to4 of 8.8.8.8"},
    };
    for (const AddressCase& row : table) {
        INFO(row.address << ": " << row.why);
        CHECK(is_public(row.address) == row.is_public);
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

TEST_CASE("a refused feed URL is not echoed in the message", "[net][url_guard]") {
    for (const char* url : {"ftp://files.example/private-s3cr3t/basic.ics",
                            "calendar.google.com/calendar/ical/x/private-s3cr3t/basic.ics",
                            "https:///private-s3cr3t/basic.ics"}) {
        INFO(url);
        auto refused = calsync::net::normalize_user_url(url);
        REQUIRE_FALSE(refused.ok());
        CHECK_THAT(refused.error().message, !Catch::Contains("s3cr3t"));
    }
}
