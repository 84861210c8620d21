// Sealing secrets at rest through the C ABI (capi/seal_c.cpp), through the shared library.
#include <calsync.h>

#include <catch2/catch.hpp>
#include <string>

namespace {

// base64url of 32 bytes "0123456789abcdef0123456789abcdef", and of 32 bytes "x".
const char* const kKey = "MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY";
const char* const kOtherKey = "eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHg";

std::string take(char* out) {
    std::string s(out);
    calsync_string_free(out);
    return s;
}

}  // namespace

TEST_CASE("seal: tokens sealed with a host key open only with that key, unaltered") {
    const std::string tokens = R"({"version":1,"refresh_token":"1//secret-refresh"})";
    char* out = nullptr;
    REQUIRE(calsync_seal(kKey, tokens.c_str(), &out) == CALSYNC_OK);
    const std::string sealed = take(out);
    CHECK(sealed.rfind("v1.", 0) == 0);
    CHECK(sealed.find("secret-refresh") == std::string::npos);
    REQUIRE(calsync_seal(kKey, tokens.c_str(), &out) == CALSYNC_OK);
    CHECK(take(out) != sealed);  // a fresh nonce every time

    REQUIRE(calsync_unseal(kKey, sealed.c_str(), &out) == CALSYNC_OK);
    CHECK(take(out) == tokens);

    out = nullptr;
    CHECK(calsync_unseal(kOtherKey, sealed.c_str(), &out) == CALSYNC_EAUTH);
    CHECK(out == nullptr);
    std::string altered = sealed;
    altered[altered.size() / 2] = altered[altered.size() / 2] == 'A' ? 'B' : 'A';
    CHECK(calsync_unseal(kKey, altered.c_str(), &out) == CALSYNC_EAUTH);
    CHECK_THAT(calsync_last_error_message(), !Catch::Contains("secret-refresh"));
}

TEST_CASE("seal: a short or malformed host key is refused") {
    char* out = nullptr;
    CHECK(calsync_seal("c2hvcnQ", "x", &out) == CALSYNC_EINVAL);  // "short"
    CHECK_THAT(calsync_last_error_message(), Catch::Contains("host_key"));
    CHECK(calsync_seal("not base64url!", "x", &out) == CALSYNC_EINVAL);
    CHECK(calsync_seal(nullptr, "x", &out) == CALSYNC_EINVAL);
    CHECK(calsync_unseal(kKey, nullptr, &out) == CALSYNC_EINVAL);
    CHECK(out == nullptr);
}
