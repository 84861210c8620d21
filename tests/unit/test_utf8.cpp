// UTF-8 well-formedness and replacement (src/core/utf8.cpp), against Unicode 15 table 3-7
// and the maximal-subpart examples of Unicode 3.9 (table 3-8).
#include <catch2/catch.hpp>

#include "core/utf8.hpp"

namespace utf8 = calsync::utf8;

namespace {
const std::string kFffd = "\xEF\xBF\xBD";
}

TEST_CASE("well-formed UTF-8 of every length passes unchanged", "[utf8]") {
    for (const std::string& text :
         {std::string(""), std::string("plain ASCII"),
          std::string("Gr\xC3\xBC\xC3\x9F"
                      "e"),
          std::string("\xE2\x82\xAC 10"), std::string("\xED\x9F\xBF"),  // U+D7FF
          std::string("\xEE\x80\x80"),                                  // U+E000
          std::string("\xF0\x9F\x9A\x97"),                              // U+1F697
          std::string("\xF4\x8F\xBF\xBF"),                              // U+10FFFF
          std::string("nul \0 inside", 12)}) {
        INFO(text);
        CHECK(utf8::first_invalid(text) == utf8::npos);
        CHECK(utf8::replace_invalid(text) == text);
        std::string copy = text;
        CHECK_FALSE(utf8::make_valid(&copy));
        CHECK(copy == text);
    }
}

TEST_CASE("ill-formed sequences are found where they start", "[utf8]") {
    CHECK(utf8::first_invalid("ab\x80") == 2);            // a stray continuation byte
    CHECK(utf8::first_invalid("\xC0\xAF") == 0);          // overlong '/'
    CHECK(utf8::first_invalid("x\xE0\x80\xAF") == 1);     // overlong, three bytes
    CHECK(utf8::first_invalid("\xED\xA0\x80") == 0);      // a surrogate (U+D800)
    CHECK(utf8::first_invalid("\xF4\x90\x80\x80") == 0);  // above U+10FFFF
    CHECK(utf8::first_invalid("\xF5\x80") == 0);          // never a lead byte
    CHECK(utf8::first_invalid("ok\xE2\x82") == 2);        // cut short at the end
    CHECK(utf8::first_invalid("\xC3\xA9\xFF") == 2);
}

TEST_CASE("a sequence after a run of ASCII is found at every offset", "[utf8]") {
    // first_invalid skips ASCII eight bytes at a time: every position within and after those
    // steps, a bad byte and a well-formed one, and a sequence cut short by the end.
    for (std::size_t at = 0; at < 40; ++at) {
        INFO(at);
        const std::string ascii(at, 'a');
        CHECK(utf8::first_invalid(ascii + "\x80" + std::string(20, 'b')) == at);
        CHECK(utf8::first_invalid(ascii + "\xC3\xA9" + std::string(20, 'b') + "\xFF") ==
              at + 2 + 20);
        CHECK(utf8::first_invalid(ascii + "\xE2\x82") == at);
        CHECK(utf8::first_invalid(ascii + "\xE2\x82\xAC") == utf8::npos);
    }
}

TEST_CASE("each maximal ill-formed subpart becomes one U+FFFD", "[utf8]") {
    // Unicode 15, table 3-8: "61 F1 80 80 E1 80 C2 62 80 63 80 BF 64".
    CHECK(utf8::replace_invalid("\x61\xF1\x80\x80\xE1\x80\xC2\x62\x80\x63\x80\xBF\x64") ==
          "a" + kFffd + kFffd + kFffd + "b" + kFffd + "c" + kFffd + kFffd + "d");
    // A truncated sequence is one subpart; a byte no sequence may hold starts none.
    CHECK(utf8::replace_invalid("a\xE2\x82z") == "a" + kFffd + "z");
    CHECK(utf8::replace_invalid("\xED\xA0\x80") == kFffd + kFffd + kFffd);
    CHECK(utf8::replace_invalid("\xF0\x80\x80") == kFffd + kFffd + kFffd);
    std::string name = "Werkstatt \xE4 Nord";  // Latin-1 sent as if it were UTF-8
    CHECK(utf8::make_valid(&name));
    CHECK(name == "Werkstatt " + kFffd + " Nord");
    CHECK(utf8::is_valid(name));
}
