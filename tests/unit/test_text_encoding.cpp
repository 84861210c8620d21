// Hex, base64 and query-string decoding (src/core/text_encoding.cpp).
#include <catch2/catch.hpp>

#include "core/text_encoding.hpp"

using namespace calsync::encoding;

TEST_CASE("base64url round trip", "[core][encoding]") {
    for (std::string s : {std::string(""), std::string("f"), std::string("fo"), std::string("foo"),
                          std::string("\xff\xfe\x00\x01", 4)}) {
        CHECK(base64url_decode(base64url(s)).value() == s);
    }
    CHECK(base64url("\xfb\xff") == "-_8");
}

TEST_CASE("base64 for Basic auth is padded (RFC 4648 test vectors)", "[core][encoding]") {
    CHECK(base64("f") == "Zg==");
    CHECK(base64("fo") == "Zm8=");
    CHECK(base64("foobar") == "Zm9vYmFy");
    CHECK(base64("garage:test-only-password") == "Z2FyYWdlOnRlc3Qtb25seS1wYXNzd29yZA==");
}

TEST_CASE("hex is lower case, two digits a byte, and reads back in either case",
          "[core][encoding]") {
    CHECK(hex(std::string("\x00\x0f\xa5\xff", 4)) == "000fa5ff");
    CHECK(hex("") == "");
    CHECK(hex_decode("000fa5ff").value() == std::string("\x00\x0f\xa5\xff", 4));
    CHECK(hex_decode("000FA5FF").value() == std::string("\x00\x0f\xa5\xff", 4));
    CHECK_FALSE(hex_decode("abc").has_value());  // odd length
    CHECK_FALSE(hex_decode("zz").has_value());
}

TEST_CASE("form decoding reads '+' as a space and %XX as a byte, leaving bad escapes",
          "[core][encoding]") {
    CHECK(form_decode("a+b%20c%2Bd") == "a b c+d");
    CHECK(form_decode("%e2%82%AC") == "\xe2\x82\xac");
    CHECK(form_decode("100%") == "100%");
    CHECK(form_decode("%zz%4") == "%zz%4");
}

TEST_CASE("query values are found by their decoded key, in order", "[core][encoding]") {
    const std::string query = "?code=a%26b&state=s1&flag&state=s2&c%6fde2=x";
    CHECK(query_values(query, "state") == std::vector<std::string>{"s1", "s2"});
    CHECK(query_value(query, "code").value() == "a&b");  // an encoded '&' stays in the value
    CHECK(query_value(query, "flag").value().empty());
    CHECK(query_value(query, "code2").value() == "x");
    CHECK_FALSE(query_value(query, "missing").has_value());
    CHECK_FALSE(query_value("", "code").has_value());
}

TEST_CASE("a Graph validation request's token is decoded, '+' as a space", "[core][encoding]") {
    const char* q = "?validationToken=Validation%3a+Testing+client&calsync_calendar=AAMk%3D";
    CHECK(query_value(q, "validationToken") == "Validation: Testing client");
    CHECK(query_value(q, "calsync_calendar") == "AAMk=");
}
