// The bounded JSON reader (src/core/bounded_json.cpp): limits at their edge, errors that
// name the limit or the field, ill-formed UTF-8 replaced or refused.
#include <catch2/catch.hpp>

#include "core/bounded_json.hpp"

using calsync::ErrorCode;
using calsync::json::InvalidUtf8;
using calsync::json::Limits;
using calsync::json::parse_bounded;

namespace {

std::string nested(unsigned depth) {
    return std::string(depth, '[') + std::string(depth, ']');
}

}  // namespace

TEST_CASE("depth: 64 levels are read, the 65th is refused naming the limit", "[json]") {
    auto deepest = parse_bounded(nested(calsync::json::kMaxDepth), InvalidUtf8::refuse);
    REQUIRE(deepest.ok());
    const rapidjson::Value* v = &deepest.value();
    unsigned levels = 0;
    while (v->IsArray()) {
        ++levels;
        if (v->Empty())
            break;
        v = &(*v)[0];
    }
    CHECK(levels == 64);

    auto deeper = parse_bounded(nested(65), InvalidUtf8::refuse);
    REQUIRE_FALSE(deeper.ok());
    CHECK(deeper.error().code == ErrorCode::limit_exceeded);
    CHECK(deeper.error().message == "JSON text nests deeper than 64 levels, the limit");
    // Objects count as arrays do.
    auto objects =
        parse_bounded(R"({"a": {"b": [{}]}})", InvalidUtf8::refuse, Limits{3, 1000, 100});
    REQUIRE_FALSE(objects.ok());
    CHECK(objects.error().code == ErrorCode::limit_exceeded);
}

TEST_CASE("size and value count: over the limit is refused, at it is read", "[json]") {
    const std::string text = R"([1, "two", {"three": null}])";  // 6 values with the key
    CHECK(parse_bounded(text, InvalidUtf8::refuse, Limits{64, text.size(), 6}).ok());
    auto large = parse_bounded(text, InvalidUtf8::refuse, Limits{64, text.size() - 1, 6});
    REQUIRE_FALSE(large.ok());
    CHECK(large.error().code == ErrorCode::limit_exceeded);
    CHECK(large.error().message == "JSON text of 27 bytes is over the 26-byte limit");
    auto many = parse_bounded(text, InvalidUtf8::refuse, Limits{64, text.size(), 5});
    REQUIRE_FALSE(many.ok());
    CHECK(many.error().code == ErrorCode::limit_exceeded);
    CHECK(many.error().message == "JSON text holds more than 5 values, the limit");
}

TEST_CASE("what is not JSON is a parse error with its offset", "[json]") {
    auto broken = parse_bounded(R"({"a": tru})", InvalidUtf8::replace);
    REQUIRE_FALSE(broken.ok());
    CHECK(broken.error().code == ErrorCode::parse);
    CHECK_THAT(broken.error().message,
               Catch::StartsWith("not valid JSON: Invalid value. at offset "));
    auto trailing = parse_bounded("{} {}", InvalidUtf8::replace);
    REQUIRE_FALSE(trailing.ok());
    CHECK(trailing.error().code == ErrorCode::parse);
    // A byte order mark is skipped, as Document::Parse skips it.
    auto bom = parse_bounded("\xEF\xBB\xBF{\"a\": 1}", InvalidUtf8::refuse);
    REQUIRE(bom.ok());
    CHECK((*bom)["a"].GetInt() == 1);
}

TEST_CASE("ill-formed UTF-8 from a server becomes U+FFFD in values and names", "[json][utf8]") {
    auto doc = parse_bounded("{\"summary\": \"Br\xE4msen\", \"n\xFFme\": [\"\xC0\xAF\"]}",
                             InvalidUtf8::replace);
    REQUIRE(doc.ok());
    CHECK(std::string((*doc)["summary"].GetString()) == "Br\xEF\xBF\xBDmsen");
    REQUIRE(doc->HasMember("n\xEF\xBF\xBDme"));
    CHECK(std::string((*doc)["n\xEF\xBF\xBDme"][0].GetString()) == "\xEF\xBF\xBD\xEF\xBF\xBD");
    // A lone low surrogate escape decodes to bytes that are not UTF-8 either.
    auto escaped = parse_bounded(R"({"uid": "a\uDC00b"})", InvalidUtf8::replace);
    REQUIRE(escaped.ok());
    CHECK(std::string((*escaped)["uid"].GetString()) ==
          "a\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD"
          "b");
}

TEST_CASE("ill-formed UTF-8 from the host is refused naming the field", "[json][utf8]") {
    const auto refused = [](const std::string& text) {
        auto doc = parse_bounded(text, InvalidUtf8::refuse);
        REQUIRE_FALSE(doc.ok());
        CHECK(doc.error().code == ErrorCode::invalid_argument);
        return doc.error().message;
    };
    CHECK(refused("{\"calendars\": [{\"id\": \"a\"}, {\"id\": \"b\", \"events\": [{\"summary\": "
                  "\"\xE9t\xE9\"}]}]}") == "calendars[1].events[0].summary is not valid UTF-8");
    CHECK(refused("{\"appointment\": {\"client\": {\"n\xE4me\": 1}}}") ==
          "appointment.client: a member name is not valid UTF-8");
    CHECK(refused("\"\x80\"") == "the document is not valid UTF-8");
    CHECK(refused("[\"ok\", \"ok\", \"\xF5\"]") == "[2] is not valid UTF-8");
    CHECK(parse_bounded("{\"name\": \"Gr\xC3\xBC\xC3\x9F"
                        "e\"}",
                        InvalidUtf8::refuse)
              .ok());
}
