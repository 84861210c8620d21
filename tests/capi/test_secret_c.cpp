// calsync_secret_key_new / _seal / _unseal (capi/secret_c.cpp) through the shared library.
#include <calsync.h>

#include <catch2/catch.hpp>
#include <string>

namespace {

std::string take(char* out) {
    std::string s = out != nullptr ? out : "";
    calsync_string_free(out);
    return s;
}

}  // namespace

TEST_CASE("secret: sealed text opens with its key only and hides the plaintext") {
    char* out = nullptr;
    REQUIRE(calsync_secret_key_new(&out) == CALSYNC_OK);
    const std::string key = take(out);
    CHECK(key.size() == 43);  // base64url of 32 bytes
    REQUIRE(calsync_secret_key_new(&out) == CALSYNC_OK);
    const std::string other = take(out);
    CHECK(other != key);

    const std::string tokens = R"({"refresh_token":"rt-very-secret"})";
    REQUIRE(calsync_secret_seal(key.c_str(), tokens.c_str(), &out) == CALSYNC_OK);
    const std::string sealed = take(out);
    CHECK_THAT(sealed, Catch::StartsWith("v1."));
    CHECK_THAT(sealed, !Catch::Contains("rt-very-secret"));
    REQUIRE(calsync_secret_seal(key.c_str(), tokens.c_str(), &out) == CALSYNC_OK);
    CHECK(take(out) != sealed);  // a fresh nonce each time

    REQUIRE(calsync_secret_unseal(key.c_str(), sealed.c_str(), &out) == CALSYNC_OK);
    CHECK(take(out) == tokens);
    out = nullptr;
    CHECK(calsync_secret_unseal(other.c_str(), sealed.c_str(), &out) == CALSYNC_EAUTH);
    CHECK(out == nullptr);
    CHECK_THAT(calsync_last_error_message(), Catch::Contains("another key, or altered"));
    std::string altered = sealed;
    altered[10] = altered[10] == 'A' ? 'B' : 'A';
    CHECK(calsync_secret_unseal(key.c_str(), altered.c_str(), &out) == CALSYNC_EAUTH);
}

TEST_CASE("secret: short or missing keys and NULLs are refused") {
    char* out = nullptr;
    CHECK(calsync_secret_seal("dG9vLXNob3J0", "x", &out) == CALSYNC_EINVAL);
    CHECK_THAT(calsync_last_error_message(), Catch::Contains("at least 32 random bytes"));
    CHECK(calsync_secret_seal(nullptr, "x", &out) == CALSYNC_EINVAL);
    CHECK(calsync_secret_unseal("MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY", nullptr, &out) ==
          CALSYNC_EINVAL);
    CHECK(calsync_secret_key_new(nullptr) == CALSYNC_EINVAL);
    CHECK(out == nullptr);
}
