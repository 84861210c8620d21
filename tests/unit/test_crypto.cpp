// Sealing secrets at rest (src/net/crypto.cpp).
#include <catch2/catch.hpp>

#include "net/crypto.hpp"

TEST_CASE("sealed token sets open with the key and only with it", "[net][crypto]") {
    const std::string key(32, '\x42');
    const std::string secret = R"({"access_token":"ya29.secret","refresh_token":"1//rt"})";
    const calsync::net::SealBinding binding{"connection credentials", "google-1"};
    auto sealed = calsync::net::seal(secret, key, binding);
    REQUIRE(sealed.ok());
    CHECK(sealed->rfind("v2.", 0) == 0);
    CHECK(sealed->find("secret") == std::string::npos);
    CHECK(calsync::net::unseal(sealed.value(), key, binding).value() == secret);
    // Two seals of one secret differ (fresh nonce each time).
    CHECK(calsync::net::seal(secret, key, binding).value() != sealed.value());

    CHECK_FALSE(calsync::net::unseal(sealed.value(), std::string(32, '\x43'), binding).ok());
    std::string altered = sealed.value();
    altered[10] = altered[10] == 'A' ? 'B' : 'A';
    CHECK_FALSE(calsync::net::unseal(altered, key, binding).ok());
    CHECK_FALSE(calsync::net::seal(secret, "short", binding).ok());
}

TEST_CASE("a sealed value opens only for the purpose and owner it was sealed for",
          "[net][crypto]") {
    const std::string key(32, '\x42');
    auto sealed = calsync::net::seal("pw", key, {"connection credentials", "caldav-a"});
    REQUIRE(sealed.ok());
    CHECK(calsync::net::unseal(sealed.value(), key, {"connection credentials", "caldav-a"}).ok());
    // Moved to another row, read as another kind of secret, or split differently.
    CHECK_FALSE(
        calsync::net::unseal(sealed.value(), key, {"connection credentials", "caldav-b"}).ok());
    CHECK_FALSE(
        calsync::net::unseal(sealed.value(), key, {"push channel secret", "caldav-a"}).ok());
    CHECK_FALSE(
        calsync::net::unseal(sealed.value(), key, {"connection credentials", "caldav-"}).ok());
    CHECK_FALSE(
        calsync::net::unseal(sealed.value(), key, {"connection credentialsc", "aldav-a"}).ok());
    // An unbound (v1) value is not taken for a bound one, nor the other way round.
    auto unbound = calsync::net::seal_unbound("pw", key);
    REQUIRE(unbound.ok());
    CHECK(unbound->rfind("v1.", 0) == 0);
    CHECK(calsync::net::is_sealed_unbound(unbound.value()));
    CHECK(calsync::net::unseal_unbound(unbound.value(), key).value() == "pw");
    CHECK_FALSE(
        calsync::net::unseal(unbound.value(), key, {"connection credentials", "caldav-a"}).ok());
    CHECK_FALSE(calsync::net::unseal_unbound(sealed.value(), key).ok());
}
