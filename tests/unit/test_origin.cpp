// Origins and credential scopes (src/net/origin.cpp): where a password or token may go.
#include <catch2/catch.hpp>

#include "net/origin.hpp"

using calsync::net::CredentialScope;
using calsync::net::parse_origin;

TEST_CASE("an origin is scheme, host and port, as RFC 6454 compares them", "[net][origin]") {
    const auto a = parse_origin("https://Dav.Example.com/dav/").value();
    CHECK(a.scheme == "https");
    CHECK(a.host == "dav.example.com");
    CHECK(a.port == 443);
    CHECK(a == parse_origin("HTTPS://dav.example.com:443/other?x").value());
    CHECK(a == parse_origin("https://user:pw@dav.example.com/").value());
    CHECK(a != parse_origin("http://dav.example.com/").value());
    CHECK(a != parse_origin("https://dav.example.com:8443/").value());
    CHECK(a != parse_origin("https://dav.example.com.evil.example/").value());
    CHECK(a.text() == "https://dav.example.com");
    CHECK(parse_origin("http://127.0.0.1:8080/x").value().text() == "http://127.0.0.1:8080");
    CHECK(parse_origin("http://[::1]:81/").value().host == "[::1]");
    CHECK_FALSE(parse_origin("ftp://files.example/").ok());
    CHECK_FALSE(parse_origin("/relative/path").ok());
}

TEST_CASE("a credential scope covers its origin, and a preset's https hosts", "[net][origin]") {
    const CredentialScope plain{parse_origin("https://dav.example.com/").value(), ""};
    CHECK(plain.covers(parse_origin("https://dav.example.com/home/").value()));
    CHECK_FALSE(plain.covers(parse_origin("https://p01.example.com/").value()));
    CHECK_FALSE(plain.covers(parse_origin("http://dav.example.com/").value()));

    const CredentialScope icloud{parse_origin("https://caldav.icloud.com/").value(), "icloud.com"};
    CHECK(icloud.covers(parse_origin("https://p12-caldav.icloud.com/123/calendars/").value()));
    CHECK_FALSE(icloud.covers(parse_origin("http://p12-caldav.icloud.com/").value()));
    CHECK_FALSE(icloud.covers(parse_origin("https://p12-caldav.icloud.com:8443/").value()));
    CHECK_FALSE(icloud.covers(parse_origin("https://icloud.com.evil.example/").value()));
    CHECK_FALSE(icloud.covers(parse_origin("https://evilicloud.com/").value()));
}

TEST_CASE("links resolve against their base and lose user information", "[net][origin]") {
    using calsync::net::resolve_reference;
    CHECK(resolve_reference("https://a.example/dav/x/", "../y/").value() ==
          "https://a.example/dav/y/");
    CHECK(resolve_reference("https://a.example/dav/", "/home/").value() ==
          "https://a.example/home/");
    CHECK(resolve_reference("https://a.example/dav/", "https://u:p@b.example/z").value() ==
          "https://b.example/z");
    CHECK(resolve_reference("https://a.example/", "http://b.example/").value() ==
          "http://b.example/");
}

TEST_CASE("a secret URL shows only its origin", "[net][origin]") {
    using calsync::net::redact_secret_url;
    CHECK(redact_secret_url("https://calendar.google.com/calendar/ical/me%40example.com/"
                            "private-0123abcd/basic.ics") == "https://calendar.google.com/...");
    CHECK(redact_secret_url("https://outlook.office365.com/owa/calendar/abc@example.com/"
                            "d3adb33f/calendar.ics") == "https://outlook.office365.com/...");
    CHECK(calsync::net::has_user_info("https://u:p@dav.example.com/"));
    CHECK_FALSE(calsync::net::has_user_info("https://dav.example.com/u@x"));
}
