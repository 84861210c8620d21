// Case-insensitive names and lower-casing (src/core/ascii.cpp).
#include <catch2/catch.hpp>

#include "core/ascii.hpp"

using namespace calsync;

TEST_CASE("names compare equal ignoring ASCII case only", "[core][ascii]") {
    CHECK(ascii::iequals("X-Goog-Channel-ID", "x-goog-channel-id"));
    CHECK(ascii::iequals("", ""));
    CHECK_FALSE(ascii::iequals("ETag", "ETags"));
    CHECK_FALSE(ascii::iequals("a", "b"));
    // Bytes outside ASCII are compared as they are: no locale folds them.
    CHECK_FALSE(ascii::iequals("\xc3\xa4", "\xc3\x84"));
}

TEST_CASE("lower and upper change A-Z / a-z only and keep every other byte", "[core][ascii]") {
    CHECK(ascii::lower("HTTPS://Example.COM/Path") == "https://example.com/path");
    CHECK(ascii::lower("\xc3\x84-Z") == "\xc3\x84-z");
    CHECK(ascii::upper("rrule;freq=weekly") == "RRULE;FREQ=WEEKLY");
    CHECK(ascii::upper("\xc3\xa4-z") == "\xc3\xa4-Z");
}
