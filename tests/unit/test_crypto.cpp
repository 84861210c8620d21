// Sealing secrets at rest (src/net/crypto.cpp).
#include <catch2/catch.hpp>

#include "net/crypto.hpp"

TEST_CASE("sealed token sets open with the key and only with it", "[net][crypto]") {
    const std::string key(32, '\x42');
    const std::string secret = R"({"access_token":"ya29.secret","refresh_token":"1//rt"})";
    auto sealed = calsync::net::seal(secret, key);
    REQUIRE(sealed.ok());
    CHECK(sealed->rfind("v1.", 0) == 0);
    CHECK(sealed->find("secret") == std::string::npos);
    CHECK(calsync::net::unseal(sealed.value(), key).value() == secret);
    // Two seals of one secret differ (fresh nonce each time).
    CHECK(calsync::net::seal(secret, key).value() != sealed.value());

    CHECK_FALSE(calsync::net::unseal(sealed.value(), std::string(32, '\x43')).ok());
    std::string altered = sealed.value();
    altered[10] = altered[10] == 'A' ? 'B' : 'A';
    CHECK_FALSE(calsync::net::unseal(altered, key).ok());
    CHECK_FALSE(calsync::net::seal(secret, "short").ok());
}

TEST_CASE("base64url round trip", "[net][crypto]") {
    for (std::string s : {std::string(""), std::string("f"), std::string("fo"), std::string("foo"),
                          std::string("\xff\xfe\x00\x01", 4)}) {
        CHECK(calsync::net::base64url_decode(calsync::net::base64url(s)).value() == s);
    }
    CHECK(calsync::net::base64url("\xfb\xff") == "-_8");
}

TEST_CASE("base64 for Basic auth is padded (RFC 4648 test vectors)", "[net][crypto]") {
    CHECK(calsync::net::base64("f") == "Zg==");
    CHECK(calsync::net::base64("fo") == "Zm8=");
    CHECK(calsync::net::base64("foobar") == "Zm9vYmFy");
    CHECK(calsync::net::base64("garage:test-only-password") ==
          "Z2FyYWdlOnRlc3Qtb25seS1wYXNzd29yZA==");
}
